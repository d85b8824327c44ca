#include "decimator.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace pitchscribe::detail {
namespace {

// The zeroth-order modified Bessel function of the first kind, by its power series.
double bessel_i0(double x) {
    double sum = 1.0, term = 1.0;
    const double q = x * x / 4.0;
    for (int k = 1; k < 200 && term > 1e-17 * sum; ++k) {
        term *= q / (static_cast<double>(k) * static_cast<double>(k));
        sum += term;
    }
    return sum;
}

// Kaiser's design formulas (Oppenheim & Schafer 7.6): the window's beta and the length for
// a stopband attenuation of `db` over a transition band `width` (cycles per sample).
std::vector<float> design(std::size_t factor, double passband, double db) {
    if (factor <= 1) return {1.0f};
    const double stop = 0.5 / static_cast<double>(factor); // the output Nyquist frequency
    const double pass = passband * stop;
    const double width = stop - pass;
    const double cutoff = 0.5 * (pass + stop);
    const double beta =
        db > 50.0 ? 0.1102 * (db - 8.7) : 0.5842 * std::pow(db - 21.0, 0.4) + 0.07886 * (db - 21.0);
    auto length = static_cast<std::size_t>(std::ceil((db - 7.95) / (14.36 * width))) + 1;
    length |= 1; // odd: a whole-sample group delay
    const double middle = static_cast<double>(length - 1) / 2.0;
    std::vector<double> h(length);
    double sum = 0.0;
    for (std::size_t n = 0; n < length; ++n) {
        const double t = static_cast<double>(n) - middle;
        const double x = 2.0 * cutoff * t;
        const double sinc =
            t == 0.0 ? 1.0 : std::sin(std::numbers::pi * x) / (std::numbers::pi * x);
        const double r = t / middle;
        const double window =
            bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / bessel_i0(beta);
        h[n] = 2.0 * cutoff * sinc * window;
        sum += h[n];
    }
    std::vector<float> out(length);
    for (std::size_t n = 0; n < length; ++n)
        out[n] = static_cast<float>(h[n] / sum); // unity gain at DC
    return out;
}

// Two four-float vectors (GCC/Clang vector extensions: plain SSE, no -ffast-math needed;
// the compiler's own vectorisation of an eight-lane loop spilled to the stack). The sum's
// order is fixed, so the result does not depend on alignment.
using Float4 = float __attribute__((vector_size(16)));

float dot(const float* a, const float* b, std::size_t n) {
    Float4 even{}, odd{};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        Float4 a0, a1, b0, b1;
        std::memcpy(&a0, a + i, sizeof a0);
        std::memcpy(&a1, a + i + 4, sizeof a1);
        std::memcpy(&b0, b + i, sizeof b0);
        std::memcpy(&b1, b + i + 4, sizeof b1);
        even += a0 * b0;
        odd += a1 * b1;
    }
    const Float4 both = even + odd;
    float sum = (both[0] + both[1]) + (both[2] + both[3]);
    for (; i < n; ++i)
        sum += a[i] * b[i];
    return sum;
}

constexpr std::size_t kBlock = 4096; // input samples appended per step

} // namespace

Decimator::Decimator(std::size_t factor, double passband, double stopband_db)
    : factor_(std::max<std::size_t>(factor, 1)),
      coefficients_(design(factor_, passband, stopband_db)),
      history_(coefficients_.size() + kBlock) {
    // The zeros before sample 0 that the first outputs read.
    std::fill(history_.begin(), history_.end(), 0.0f);
    filled_ = delay();
    next_input_ = 0;
    next_output_ = 0;
}

std::size_t Decimator::push(const float* input, std::size_t count, float* output,
                            std::size_t capacity, std::size_t& consumed) {
    const auto d = static_cast<std::int64_t>(delay());
    const auto f = static_cast<std::int64_t>(factor_);
    const std::size_t taps = coefficients_.size();
    std::size_t written = 0;
    consumed = 0;
    for (;;) {
        // Absolute input index of history_[0].
        const std::int64_t base = next_input_ - static_cast<std::int64_t>(filled_);
        // Outputs whose whole window has arrived.
        while (written < capacity && next_output_ * f + d < next_input_) {
            const auto first = static_cast<std::size_t>(next_output_ * f - d - base);
            output[written++] = dot(coefficients_.data(), history_.data() + first, taps);
            ++next_output_;
        }
        if (written == capacity || consumed == count) return written;
        // Drop the samples no future output reads, then append more input.
        const std::int64_t needed = next_output_ * f - d;
        if (needed > base) {
            const auto drop =
                std::min<std::size_t>(static_cast<std::size_t>(needed - base), filled_);
            std::memmove(history_.data(), history_.data() + drop, (filled_ - drop) * sizeof(float));
            filled_ -= drop;
            if (drop < static_cast<std::size_t>(needed - base)) {
                // Inputs that no output reads (only when one output's window is skipped).
                const auto skip = std::min<std::size_t>(
                    static_cast<std::size_t>(needed - base) - drop, count - consumed);
                consumed += skip;
                next_input_ += static_cast<std::int64_t>(skip);
                continue;
            }
        }
        const std::size_t n = std::min(history_.size() - filled_, count - consumed);
        std::memcpy(history_.data() + filled_, input + consumed, n * sizeof(float));
        filled_ += n;
        consumed += n;
        next_input_ += static_cast<std::int64_t>(n);
    }
}

} // namespace pitchscribe::detail

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
    const double nyquist = 0.5 / static_cast<double>(factor); // of the output
    const double pass = passband * nyquist;
    // What lies between the output Nyquist frequency and `stop` folds onto pass..nyquist,
    // above the passband, so only from `stop` up must be removed: twice the transition
    // band of a filter that stops at the output Nyquist frequency, and half the taps.
    const double stop = 2.0 * nyquist - pass;
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

// Eight-float vectors (GCC/Clang vector extensions, no -ffast-math needed): with AVX2 one
// register each, otherwise two SSE registers; target_clones picks the code at load time.
// The sums run in the same order in both clones (and no FMA), so the bits do not depend on
// the machine's vector width or on alignment.
using Float8 = float __attribute__((vector_size(32)));

__attribute__((target_clones("avx2", "default"))) void
filter_outputs(const float* h, std::size_t taps, const float* input, std::size_t step,
               std::size_t count, float* out) {
    for (std::size_t k = 0; k < count; ++k) {
        const float* x = input + k * step;
        Float8 even{}, odd{};
        std::size_t i = 0;
        for (; i + 16 <= taps; i += 16) {
            Float8 h0, h1, x0, x1;
            std::memcpy(&h0, h + i, sizeof h0);
            std::memcpy(&h1, h + i + 8, sizeof h1);
            std::memcpy(&x0, x + i, sizeof x0);
            std::memcpy(&x1, x + i + 8, sizeof x1);
            even += h0 * x0;
            odd += h1 * x1;
        }
        const Float8 both = even + odd;
        float sum = ((both[0] + both[1]) + (both[2] + both[3])) +
                    ((both[4] + both[5]) + (both[6] + both[7]));
        for (; i < taps; ++i)
            sum += h[i] * x[i];
        out[k] = sum;
    }
}

} // namespace

Decimator::Decimator(std::size_t factor, double passband, double stopband_db)
    : factor_(std::max<std::size_t>(factor, 1)),
      coefficients_(design(factor_, passband, stopband_db)) {}

void Decimator::decimate(const float* input, std::size_t count, float* out) const {
    filter_outputs(coefficients_.data(), coefficients_.size(), input, factor_, count, out);
}

} // namespace pitchscribe::detail

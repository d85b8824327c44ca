#include "decimator.hpp"

#include "float8.hpp"
#include "sinc_interpolation.hpp" // sinc

#include <algorithm>
#include <cmath>
#include <cstring>

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
        const double r = t / middle;
        const double window =
            bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / bessel_i0(beta);
        h[n] = 2.0 * cutoff * sinc(2.0 * cutoff * t) * window;
        sum += h[n];
    }
    std::vector<float> out(length);
    for (std::size_t n = 0; n < length; ++n)
        out[n] = static_cast<float>(h[n] / sum); // unity gain at DC
    return out;
}

// Polyphase form, vectorised across outputs: with phase p's samples P_p[n] = x[n f + p] and
// its taps c_p[j] = h[j f + p], out[k] = sum over p, then j, of c_p[j] P_p[k + j]. Eight
// consecutive outputs are one vector (a broadcast coefficient times eight consecutive phase
// samples, no horizontal sums); four such vectors are in flight to hide the adds' latency.
// Every output, in a vector or in the scalar tail, is summed in the same order (p, then j;
// multiply, then add: no FMA), so the bits depend neither on the machine nor on where the
// output falls in a batch.
__attribute__((target_clones("avx2", "default"))) void
filter_phases(const float* taps, std::size_t phases, std::size_t per_phase, const float* samples,
              std::size_t length, std::size_t count, float* out) {
    constexpr std::size_t kLanes = 8, kVectors = 4;
    std::size_t k = 0;
    for (; k + kLanes * kVectors <= count; k += kLanes * kVectors) {
        Float8 acc[kVectors] = {};
        for (std::size_t p = 0; p < phases; ++p) {
            const float* c = taps + p * per_phase;
            const float* x = samples + p * length + k;
            for (std::size_t j = 0; j < per_phase; ++j)
                for (std::size_t v = 0; v < kVectors; ++v) {
                    Float8 samples_at;
                    std::memcpy(&samples_at, x + j + v * kLanes, sizeof samples_at);
                    acc[v] += c[j] * samples_at;
                }
        }
        std::memcpy(out + k, acc, sizeof acc);
    }
    for (; k < count; ++k) {
        float acc = 0.0f;
        for (std::size_t p = 0; p < phases; ++p)
            for (std::size_t j = 0; j < per_phase; ++j)
                acc += taps[p * per_phase + j] * samples[p * length + k + j];
        out[k] = acc;
    }
}

} // namespace

Decimator::Decimator(std::size_t factor, double passband, double stopband_db)
    : factor_(std::max<std::size_t>(factor, 1)),
      coefficients_(design(factor_, passband, stopband_db)),
      per_phase_((coefficients_.size() + factor_ - 1) / factor_),
      phase_taps_(factor_ * per_phase_, 0.0f) {
    for (std::size_t n = 0; n < coefficients_.size(); ++n)
        phase_taps_[(n % factor_) * per_phase_ + n / factor_] = coefficients_[n];
}

std::size_t Decimator::scratch_size(std::size_t count) const {
    return factor_ * (count + per_phase_);
}

void Decimator::decimate(const float* input, std::size_t count, float* out, float* scratch) const {
    if (count == 0) return;
    // Deinterleave into phases; a phase's last taps may pad past the input (zero taps).
    const std::size_t length = count + per_phase_;
    const std::size_t available = (count - 1) * factor_ + coefficients_.size();
    for (std::size_t p = 0; p < factor_; ++p)
        for (std::size_t n = 0; n < length; ++n) {
            const std::size_t at = n * factor_ + p;
            scratch[p * length + n] = at < available ? input[at] : 0.0f;
        }
    filter_phases(phase_taps_.data(), factor_, per_phase_, scratch, length, count, out);
}

} // namespace pitchscribe::detail

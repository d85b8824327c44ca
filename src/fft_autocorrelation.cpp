#include "fft_autocorrelation.hpp"

#include "float8.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fftw3.h>
#include <mutex>
#include <new>
#include <numbers>

namespace pitchscribe::detail {
namespace {

// FFTW's planner is not thread-safe; execution of distinct plans is.
std::mutex& planner_mutex() {
    static std::mutex mutex;
    return mutex;
}

// Complex sizes FFTW_ESTIMATE plans run fastest at, per point: 2^a and 5 * 2^a. Measured on
// the bench machine (forward + backward, out of place): 1024 points 1.5 us and 1280 2.0 us,
// while 864 = 2^5 * 3^3 takes 2.4 us and 960, 1008, 1152 2.3-3.7 us.
bool is_fast_complex_size(std::size_t m) {
    if (m % 5 == 0) m /= 5;
    return m >= 8 && (m & (m - 1)) == 0;
}

} // namespace

std::size_t fast_fft_size(std::size_t minimum) {
    std::size_t half = std::max<std::size_t>((minimum + 1) / 2, 8);
    while (!is_fast_complex_size(half))
        ++half;
    return 2 * half;
}

namespace {

// The real transform's power spectrum from the half-size complex one, and at once the
// half-size complex spectrum whose inverse is the autocorrelation (even lags in the real
// parts, odd in the imaginary). With Z the transform of z[n] = x[2n] + i x[2n+1], Z' = Z[M-k],
// W = e^(-2 pi i k / N) = c - i s, the real transform's bins k and M - k have powers A +- B:
//   A = (|Z|^2 + |Z'|^2) / 2,  B = (c b - s a) / 2,  a = |Z|^2 - |Z'|^2,  b = 2 Im(Z Z').
// The inverse needs (P[k] + P[k + M]) + i (P[k] - P[k + M]) / W at bin k, which is
// 2 (A - B s) + 2 i B c at k and 2 (A + B s) + 2 i B c at M - k; the factor 2 and the
// inverse's scale are one multiplication (`half`). Bins k and M - k are read and written
// together, in place.

// Bins k and j = M - k: their powers are half_sum +- cross (scaled by 2 half). The scalar
// form of the vector loop below, same operations.
struct PairPowers {
    float half_sum, cross;
};
inline PairPowers pair_powers(const float* z, std::size_t k, std::size_t j, float c, float s,
                              float half) {
    const float zr = z[2 * k], zi = z[2 * k + 1], wr = z[2 * j], wi = z[2 * j + 1];
    const float pk = zr * zr + zi * zi, pj = wr * wr + wi * wi;
    const float a = pk - pj, b = (zr * wi + zi * wr) * 2.0f;
    return {(pk + pj) * half, (c * b - s * a) * half};
}

inline void merge_pair(float* z, std::size_t k, std::size_t j, float c, float s, float half) {
    const auto [half_sum, cross] = pair_powers(z, k, j, c, s, half);
    const float im = cross * c;
    z[2 * k] = half_sum - cross * s;
    z[2 * k + 1] = im;
    z[2 * j] = half_sum + cross * s;
    z[2 * j + 1] = im;
}

// Eight bins k.. and their mirrors ..M-k per step, taken apart into real and imaginary
// vectors (the mirrors reversed to line up), computed, and interleaved back. `half` is 1/2
// times the inverse's scale (FFTW does not normalise), applied here where it costs no extra
// pass. An AVX2 clone where the CPU has it.
__attribute__((target_clones("avx2", "default"))) void
split_power_merge(float* z, const float* cos_k, const float* sin_k, std::size_t m, float half) {
    merge_pair(z, 0, 0, cos_k[0], sin_k[0], half);
    std::size_t k = 1;
    for (; k + 8 <= m / 2; k += 8) {
        float* front = z + 2 * k;          // bins k .. k+7
        float* back = z + 2 * (m - k - 7); // bins m-k-7 .. m-k
        Float8 f0, f1, b0, b1, c, s;
        std::memcpy(&f0, front, sizeof f0);
        std::memcpy(&f1, front + 8, sizeof f1);
        std::memcpy(&b0, back, sizeof b0);
        std::memcpy(&b1, back + 8, sizeof b1);
        std::memcpy(&c, cos_k + k, sizeof c);
        std::memcpy(&s, sin_k + k, sizeof s);
        const Float8 zr = __builtin_shuffle(f0, f1, Int8{0, 2, 4, 6, 8, 10, 12, 14});
        const Float8 zi = __builtin_shuffle(f0, f1, Int8{1, 3, 5, 7, 9, 11, 13, 15});
        const Float8 wr = __builtin_shuffle(b1, b0, Int8{6, 4, 2, 0, 14, 12, 10, 8});
        const Float8 wi = __builtin_shuffle(b1, b0, Int8{7, 5, 3, 1, 15, 13, 11, 9});
        const Float8 pk = zr * zr + zi * zi, pj = wr * wr + wi * wi;
        const Float8 a = pk - pj, b = (zr * wi + zi * wr) * 2.0f;
        const Float8 half_sum = (pk + pj) * half;
        const Float8 cross = (c * b - s * a) * half;
        const Float8 im = cross * c;
        const Float8 yk = half_sum - cross * s, yj = half_sum + cross * s;
        f0 = __builtin_shuffle(yk, im, Int8{0, 8, 1, 9, 2, 10, 3, 11});
        f1 = __builtin_shuffle(yk, im, Int8{4, 12, 5, 13, 6, 14, 7, 15});
        b0 = __builtin_shuffle(yj, im, Int8{7, 15, 6, 14, 5, 13, 4, 12});
        b1 = __builtin_shuffle(yj, im, Int8{3, 11, 2, 10, 1, 9, 0, 8});
        std::memcpy(front, &f0, sizeof f0);
        std::memcpy(front + 8, &f1, sizeof f1);
        std::memcpy(back, &b0, sizeof b0);
        std::memcpy(back + 8, &b1, sizeof b1);
    }
    for (; k <= m / 2; ++k)
        merge_pair(z, k, m - k, cos_k[k], sin_k[k], half);
}

// The same split, as the real power spectrum P[0..M] times 2 half (for the longer inverse
// that oversamples).
void split_power(const float* z, const float* cos_k, const float* sin_k, std::size_t m, float half,
                 float* power) {
    for (std::size_t k = 0; k <= m / 2; ++k) {
        const auto [half_sum, cross] = pair_powers(z, k, (m - k) % m, cos_k[k], sin_k[k], half);
        power[2 * k] = half_sum + cross;
        power[2 * (m - k)] = half_sum - cross;
        power[2 * k + 1] = power[2 * (m - k) + 1] = 0.0f;
    }
}

} // namespace

FftAutocorrelation::FftAutocorrelation(std::size_t frame_size, std::size_t max_lag,
                                       std::size_t oversampling)
    : oversampling_(std::max<std::size_t>(oversampling, 1)),
      // Zero padding to frame_size + max_lag keeps lags 0..max_lag free of wrap-around.
      fft_size_(fast_fft_size(frame_size + max_lag)) {
    const std::size_t m = fft_size_ / 2;
    time_ = fftwf_alloc_real(fft_size_);
    auto* spectrum = fftwf_alloc_complex(m);
    auto* lags = fftwf_alloc_complex(m);
    spectrum_ = spectrum;
    lags_ = reinterpret_cast<float*>(lags);
    twiddles_ = fftwf_alloc_real(2 * (m / 2 + 1));
    if (!time_ || !spectrum || !lags || !twiddles_) throw std::bad_alloc();
    std::memset(time_, 0, fft_size_ * sizeof(float));
    for (std::size_t k = 0; k <= m / 2; ++k) {
        const double angle =
            2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(fft_size_);
        twiddles_[k] = static_cast<float>(std::cos(angle));
        twiddles_[m / 2 + 1 + k] = static_cast<float>(std::sin(angle));
    }
    const std::size_t fine_size = oversampling_ * fft_size_;
    fftwf_complex* fine_spectrum = nullptr;
    if (oversampling_ > 1) {
        fine_time_ = fftwf_alloc_real(fine_size);
        fine_spectrum = fftwf_alloc_complex(fine_size / 2 + 1);
        fine_spectrum_ = fine_spectrum;
        if (!fine_time_ || !fine_spectrum) throw std::bad_alloc();
    }
    // FFTW_ESTIMATE, so that planning takes no time; out of place, which it runs faster, and
    // which leaves the forward input (and its zero padding) as it was.
    std::lock_guard lock(planner_mutex());
    auto* input = reinterpret_cast<fftwf_complex*>(time_);
    forward_ = fftwf_plan_dft_1d(static_cast<int>(m), input, spectrum, FFTW_FORWARD, FFTW_ESTIMATE);
    inverse_ = oversampling_ > 1 ? fftwf_plan_dft_c2r_1d(static_cast<int>(fine_size), fine_spectrum,
                                                         fine_time_, FFTW_ESTIMATE)
                                 : fftwf_plan_dft_1d(static_cast<int>(m), spectrum, lags,
                                                     FFTW_BACKWARD, FFTW_ESTIMATE);
    if (!forward_ || !inverse_) throw std::bad_alloc();
}

FftAutocorrelation::~FftAutocorrelation() {
    std::lock_guard lock(planner_mutex());
    if (forward_) fftwf_destroy_plan(static_cast<fftwf_plan>(forward_));
    if (inverse_) fftwf_destroy_plan(static_cast<fftwf_plan>(inverse_));
    fftwf_free(time_);
    fftwf_free(spectrum_);
    fftwf_free(lags_);
    fftwf_free(twiddles_);
    fftwf_free(fine_time_);
    fftwf_free(fine_spectrum_);
}

const float* FftAutocorrelation::compute() {
    fftwf_execute(static_cast<fftwf_plan>(forward_)); // out of place: the input stays
    const std::size_t m = fft_size_ / 2;
    auto* z = static_cast<float*>(spectrum_);
    const float* cos_k = twiddles_;
    const float* sin_k = twiddles_ + m / 2 + 1;
    if (oversampling_ == 1) {
        // The inverse of M points gives M times each lag, and the merge's bins are twice the
        // sums above: 1 / (2 M) in all.
        split_power_merge(z, cos_k, sin_k, m, 0.5f / static_cast<float>(m));
        fftwf_execute(static_cast<fftwf_plan>(inverse_));
        return lags_;
    }
    // The coarse Nyquist bin stands for the +N/2 and -N/2 frequencies at once; in the longer
    // transform it is an ordinary bin counted twice, so it carries half its power.
    // Above it, zeros (every time: a c2r transform overwrites its input).
    auto* fine = static_cast<float*>(fine_spectrum_);
    const std::size_t fine_bins = oversampling_ * m + 1;
    split_power(z, cos_k, sin_k, m, 0.5f / static_cast<float>(fft_size_), fine);
    std::memset(fine + 2 * (m + 1), 0, 2 * (fine_bins - m - 1) * sizeof(float));
    fine[2 * m] *= 0.5f;
    fftwf_execute(static_cast<fftwf_plan>(inverse_));
    return fine_time_;
}

} // namespace pitchscribe::detail

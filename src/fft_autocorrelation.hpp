// Linear (non-circular) autocorrelation by FFT, planned once. Internal: FFTW stays in src/.
#pragma once

#include <cstddef>

namespace pitchscribe::detail {

// Smallest even n >= minimum whose half is 2^a or 5 * 2^a (at least 8): the real transform of
// n points runs as a complex one of n / 2, which FFTW plans fastest at those sizes.
std::size_t fast_fft_size(std::size_t minimum);

class FftAutocorrelation {
public:
    // Frames of `frame_size` samples; lags 0..max_lag are computed without wrap-around, on a
    // grid of 1 / oversampling samples (oversampling >= 1).
    FftAutocorrelation(std::size_t frame_size, std::size_t max_lag, std::size_t oversampling = 1);
    ~FftAutocorrelation();
    FftAutocorrelation(const FftAutocorrelation&) = delete;
    FftAutocorrelation& operator=(const FftAutocorrelation&) = delete;

    std::size_t fft_size() const { return fft_size_; }

    // The frame goes here: frame_size samples, written before each compute(). The padding
    // after them stays zero.
    float* input() { return time_; }

    // Returns r with r[tau] = sum_i frame[i] * frame[i + tau] for tau in 0..max_lag, valid
    // until the next call. With oversampling U, r[j] is the autocorrelation at lag j / U, j in
    // 0..U max_lag: the band-limited interpolation of the integer lags (the spectrum
    // zero-extended to U times the length, one larger inverse FFT). No allocation.
    const float* compute();

private:
    std::size_t oversampling_;
    std::size_t fft_size_;
    float* time_ = nullptr;         // fft_size_ real samples, zero-padded: fft_size_/2 complex
    void* spectrum_ = nullptr;      // fft_size_/2 complex bins of the half-size transform
    float* lags_ = nullptr;         // its inverse: lag 2n real, 2n + 1 imaginary
    float* twiddles_ = nullptr;     // cos, then sin, of 2 pi k / fft_size_, k = 0..fft_size_/4
    float* fine_time_ = nullptr;    // oversampling_ fft_size_ lags (oversampling_ > 1 only)
    void* fine_spectrum_ = nullptr; // oversampling_ fft_size_/2 + 1 bins, zeros above fft_size_/2
    void* forward_ = nullptr;       // fftwf_plan
    void* inverse_ = nullptr;       // fftwf_plan, of fine_spectrum_ when oversampling
};

} // namespace pitchscribe::detail

// Linear (non-circular) autocorrelation by FFT, planned once. Internal: FFTW stays in src/.
#pragma once

#include <cstddef>

namespace pitchscribe::detail {

// Smallest n >= minimum of the form 2^a 3^b 5^c 7^d (a >= 4, c <= 1, d <= 1): FFTW is fast there.
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

    // r[tau] = sum_i frame[i] * frame[i + tau] for tau in 0..max_lag. With oversampling U,
    // r[j] is the autocorrelation at lag j / U, j in 0..U max_lag: the band-limited
    // interpolation of the integer lags (the spectrum zero-extended to U times the length,
    // one larger inverse FFT). No allocation.
    void compute(const float* frame, float* r);

private:
    std::size_t frame_size_;
    std::size_t max_lag_;
    std::size_t oversampling_;
    std::size_t fft_size_;
    float* time_ = nullptr;         // fft_size_ real samples, zero-padded
    void* spectrum_ = nullptr;      // fft_size_/2 + 1 complex bins
    float* fine_time_ = nullptr;    // oversampling_ fft_size_ lags (oversampling_ > 1 only)
    void* fine_spectrum_ = nullptr; // oversampling_ fft_size_/2 + 1 bins, zeros above fft_size_/2
    void* forward_ = nullptr;       // fftwf_plan
    void* inverse_ = nullptr;       // fftwf_plan, of fine_spectrum_ when oversampling
};

} // namespace pitchscribe::detail

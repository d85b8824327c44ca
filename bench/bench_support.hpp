// Shared by the micro benchmarks and fft_floor: test signals, and the FFT floor itself.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <fftw3.h>
#include <new>
#include <numbers>
#include <random>
#include <vector>

namespace pitchscribe::bench {

// A voiced frame's worth of sound: a harmonic tone (1/h partials) with a little noise, so
// the NSDF has the lobes and key maxima of real music rather than a sine's few.
inline std::vector<float> harmonic_tone(double rate, double f0, std::size_t samples,
                                        unsigned seed = 1) {
    std::minstd_rand noise_source(seed);
    std::normal_distribution<float> noise(0.0f, 0.01f);
    std::vector<float> out(samples);
    for (std::size_t i = 0; i < samples; ++i) {
        const double t = static_cast<double>(i) / rate;
        double x = 0.0;
        for (int h = 1; h <= 6 && h * f0 < rate / 2; ++h)
            x += std::sin(2.0 * std::numbers::pi * h * f0 * t) / h;
        out[i] = static_cast<float>(0.3 * x) + noise(noise_source);
    }
    return out;
}

// A melody: a new harmonic note every 0.25 s (A2..A5, seeded), with short gaps of silence,
// so the tracker sees onsets, voiced and unvoiced frames as in music.
inline std::vector<float> melody(double rate, double seconds, unsigned seed = 2024) {
    std::minstd_rand rng(seed);
    std::uniform_int_distribution<int> semitone(45, 81);
    std::normal_distribution<float> noise(0.0f, 0.002f);
    const auto total = static_cast<std::size_t>(seconds * rate);
    const auto note_length = static_cast<std::size_t>(0.25 * rate);
    std::vector<float> out(total);
    double phase = 0.0, f0 = 220.0;
    for (std::size_t i = 0; i < total; ++i) {
        const std::size_t in_note = i % note_length;
        if (in_note == 0) f0 = 440.0 * std::exp2((semitone(rng) - 69) / 12.0);
        const bool gap = in_note > note_length * 9 / 10;
        phase += 2.0 * std::numbers::pi * f0 / rate;
        double x = 0.0;
        for (int h = 1; h <= 6; ++h)
            x += std::sin(h * phase) / h;
        out[i] = (gap ? 0.0f : static_cast<float>(0.25 * x)) + noise(rng);
    }
    return out;
}

// The FFT floor under one frame's analysis at real size n: the transforms
// src/fft_autocorrelation.cpp performs, a forward and a backward complex transform of n / 2
// points (1-D, out of place, FFTW_ESTIMATE), and nothing else. With `real_pair`, instead the
// textbook pair, one r2c and one c2r of n points, planned likewise. The inverse writes to its
// own buffer, so the input never changes and no copy is needed between runs.
class FftPair {
public:
    // `frame` is copied to the start of the input, the rest zero (as the detector pads it).
    FftPair(std::size_t n, const std::vector<float>& frame, bool real_pair = false) : n_(n) {
        input_ = fftwf_alloc_real(n);
        output_ = fftwf_alloc_real(n + 2);
        spectrum_ = fftwf_alloc_complex(n / 2 + 1);
        if (!input_ || !output_ || !spectrum_) throw std::bad_alloc();
        // Plan before filling: FFTW_ESTIMATE does not touch the arrays, but other flags would.
        const int half = static_cast<int>(n / 2);
        auto* complex_input = reinterpret_cast<fftwf_complex*>(input_);
        auto* complex_output = reinterpret_cast<fftwf_complex*>(output_);
        forward_ =
            real_pair
                ? fftwf_plan_dft_r2c_1d(static_cast<int>(n), input_, spectrum_, FFTW_ESTIMATE)
                : fftwf_plan_dft_1d(half, complex_input, spectrum_, FFTW_FORWARD, FFTW_ESTIMATE);
        inverse_ =
            real_pair
                ? fftwf_plan_dft_c2r_1d(static_cast<int>(n), spectrum_, output_, FFTW_ESTIMATE)
                : fftwf_plan_dft_1d(half, spectrum_, complex_output, FFTW_BACKWARD, FFTW_ESTIMATE);
        if (!forward_ || !inverse_) throw std::bad_alloc();
        std::memset(input_, 0, n * sizeof(float));
        std::memcpy(input_, frame.data(), std::min(n, frame.size()) * sizeof(float));
    }
    ~FftPair() {
        fftwf_destroy_plan(forward_);
        fftwf_destroy_plan(inverse_);
        fftwf_free(input_);
        fftwf_free(output_);
        fftwf_free(spectrum_);
    }
    FftPair(const FftPair&) = delete;
    FftPair& operator=(const FftPair&) = delete;

    void run() {
        fftwf_execute(forward_);
        fftwf_execute(inverse_);
    }
    std::size_t size() const { return n_; }
    const float* output() const { return output_; }

private:
    std::size_t n_;
    float* input_ = nullptr;
    float* output_ = nullptr;
    fftwf_complex* spectrum_ = nullptr;
    fftwf_plan forward_ = nullptr;
    fftwf_plan inverse_ = nullptr;
};

} // namespace pitchscribe::bench

// Internal: removes mains hum (50 or 60 Hz and their harmonics up to the fourth) from the
// input stream once it has been heard for two seconds.
//
// Hum is periodic, and in the rests between notes the adaptive voicing threshold would take
// it for a note (a 60 Hz buzz at -50 dBFS gave 5-7 B1 and A#1 notes per 10 s). Each
// harmonic is watched on a boxcar-decimated copy of the input (about 1 kHz) with a one-second
// Hann DFT at its frequency and 1.5 Hz either side: a hum is a narrow peak (the sides 9 dB
// down; a G1 at 49 Hz peaks beside 50 Hz, not on it) whose amplitude and phase carry on from
// block to block. After two such blocks the harmonic is subtracted, as a sinusoid with the
// measured amplitude, phase and frequency, until three blocks in a row lack the peak or one
// block finds it gone (a hum that stops is still removed, so added back inverted, until the
// end of the block it stopped in). Music rarely holds a narrow peak at exactly 50 k or 60 k
// Hz with a steady phase for two seconds, so clean audio passes untouched (bit for bit).
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <vector>

namespace pitchscribe::detail {

class HumCanceller {
public:
    explicit HumCanceller(double sample_rate);

    // Filters samples in place. The result does not depend on how the stream is cut into
    // calls. No allocation.
    void process(float* samples, std::size_t count);

    // Harmonics being removed now.
    std::size_t removing() const;

private:
    static constexpr std::size_t kTones = 8; // 50, 100, 150, 200, 60, 120, 180, 240 Hz
    static constexpr std::size_t kBins = 3;  // the tone and 1.5 Hz either side

    struct Tone {
        double hz = 0.0;             // nominal
        double measured_hz = 0.0;    // from the phase's drift between blocks
        std::complex<double> centre; // amplitude and phase at the centre of the last block
        bool known = false;          // centre holds a measurement
        int streak = 0, misses = 0;  // blocks in a row with / without the peak
        bool removing = false;
        std::complex<double> phasor, step; // the sinusoid being subtracted, sample by sample
    };

    double run_mean(const float* run) const;
    void subtract(float* samples, std::size_t count);
    void end_block();

    double rate_;
    std::size_t factor_;                        // input samples per decimated sample
    std::size_t block_;                         // decimated samples per block (about one second)
    std::vector<std::complex<double>> kernels_; // [tone][bin][i]: see the constructor
    std::array<Tone, kTones> tones_;
    std::array<std::array<std::complex<double>, kBins>, kTones> sums_{};
    std::vector<float> run_;   // a decimation run split across calls to process()
    std::size_t pending_ = 0;  // samples of it so far
    std::size_t index_ = 0;    // decimated samples in the block so far
    std::size_t removing_ = 0; // tones being removed
};

} // namespace pitchscribe::detail

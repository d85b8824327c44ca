// Internal: a streaming anti-aliasing decimator by an integer factor (polyphase FIR).
#pragma once

#include <cstddef>
#include <vector>

namespace pitchscribe::detail {

// A linear-phase Kaiser-windowed-sinc low-pass that keeps 0..passband of the output rate
// within 0.01 dB and is designed (Kaiser's formulas) to attenuate by 75 dB everything that
// would alias into that passband, i.e. from (2 - passband) x the output Nyquist frequency up
// (tests/test_decimator.cpp checks 60); the band just above the output Nyquist frequency
// folds onto the unused top of the output band. It is evaluated only at every factor-th
// input sample. It holds no stream state: output m is the filtered signal at input
// sample m * factor exactly (the group delay is read ahead), computed from the inputs
// m * factor - delay() .. m * factor + delay() alone, so any stretch of outputs can be made
// from its own stretch of input, in any order and on any thread, with the same bits.
class Decimator {
public:
    // factor >= 1; passband is a fraction of the output Nyquist frequency, in (0, 1).
    explicit Decimator(std::size_t factor, double passband = 0.7, double stopband_db = 75.0);

    std::size_t factor() const { return factor_; }
    std::size_t taps() const { return coefficients_.size(); }
    std::size_t delay() const { return (coefficients_.size() - 1) / 2; } // input samples
    const std::vector<float>& coefficients() const { return coefficients_; }

    // Writes `count` outputs: out[k] is the filtered signal at input[delay() + k * factor()].
    // `input` holds (count - 1) * factor() + taps() samples; `scratch` holds
    // scratch_size(count) floats (the input split into phases). No allocation.
    void decimate(const float* input, std::size_t count, float* out, float* scratch) const;
    std::size_t scratch_size(std::size_t count) const;

private:
    std::size_t factor_;
    std::vector<float> coefficients_; // h[n], symmetric
    std::size_t per_phase_;           // taps per phase, ceil(taps / factor)
    std::vector<float> phase_taps_;   // phase p's taps h[j factor + p] at [p per_phase + j]
};

} // namespace pitchscribe::detail

// Internal: a streaming anti-aliasing decimator by an integer factor (polyphase FIR).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pitchscribe::detail {

// A linear-phase Kaiser-windowed-sinc low-pass that keeps 0..passband of the output rate
// within 0.01 dB and is designed (Kaiser's formulas) to attenuate everything from the output
// Nyquist frequency up by 75 dB (tests/test_decimator.cpp checks 60), evaluated only at every
// factor-th input sample. Output m is the filtered signal at
// input sample m * factor exactly: the filter's group delay is compensated by reading
// (taps - 1) / 2 samples ahead, so output m exists once input m * factor + delay() has
// arrived. The input before sample 0 counts as zeros.
// Memory is fixed at construction; push() does not allocate.
class Decimator {
public:
    // factor >= 1; passband is a fraction of the output Nyquist frequency, in (0, 1).
    explicit Decimator(std::size_t factor, double passband = 0.7, double stopband_db = 75.0);

    std::size_t factor() const { return factor_; }
    std::size_t taps() const { return coefficients_.size(); }
    std::size_t delay() const { return (coefficients_.size() - 1) / 2; } // input samples
    const std::vector<float>& coefficients() const { return coefficients_; }

    // Consumes up to `count` input samples and writes at most `capacity` outputs.
    // Returns how many outputs were written; `consumed` says how many inputs were taken
    // (all of them unless the output space ran out). When it returns `capacity` outputs,
    // more may be ready: call again (with count 0 once all input is consumed).
    std::size_t push(const float* input, std::size_t count, float* output, std::size_t capacity,
                     std::size_t& consumed);

private:
    std::size_t factor_;
    std::vector<float> coefficients_; // reversed, so an output is a forward dot product
    std::vector<float> history_;      // the last taps - 1 inputs, then new ones (linear buffer)
    std::size_t filled_;              // samples in history_
    std::int64_t next_input_ = 0;     // absolute index of the next input sample
    std::int64_t next_output_ = 0;    // index m of the next output
};

} // namespace pitchscribe::detail

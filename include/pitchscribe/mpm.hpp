// The McLeod Pitch Method (McLeod & Wyvill 2005, "A Smarter Way to Find Pitch") as a plan:
// construct once for a sample rate and pitch range, then call analyze() per frame.
//
// Real-time contract: after construction, analyze() performs no heap allocation, takes no
// lock and does no I/O. One detector must not be used by two threads at once.
#pragma once

#include "pitchscribe/error.hpp"

#include <array>
#include <cstddef>
#include <memory>
#include <span>

namespace pitchscribe {

struct MpmConfig {
    double sample_rate = 44100.0;   // Hz
    double fmin = 40.0;             // lowest pitch reported, Hz; sets the frame length
    double fmax = 2000.0;           // highest pitch reported, Hz
    double key_threshold = 0.93;    // the key-maximum rule's k: first peak >= k * highest peak
    double periods_per_frame = 2.0; // frame length in periods of fmin
};

// One NSDF key maximum: a candidate period and how periodic the frame is at that period.
struct PitchCandidate {
    double period = 0.0;  // samples, interpolated between NSDF points
    double clarity = 0.0; // the NSDF at the peak, in [0, 1]
};

struct PitchEstimate {
    double frequency = 0.0; // Hz; 0 when the frame has no key maximum in range
    double clarity = 0.0;   // confidence in [0, 1]
    double rms = 0.0;       // root mean square of the frame after removing its mean
    static constexpr std::size_t max_candidates = 16;
    std::array<PitchCandidate, max_candidates> candidates{}; // key maxima by increasing period
    std::size_t candidate_count = 0;
};

class MpmDetector {
public:
    // Validates the configuration and plans the FFTs. Errors are of kind InvalidArgument.
    static Expected<MpmDetector> create(const MpmConfig& config);

    MpmDetector(MpmDetector&&) noexcept;
    MpmDetector& operator=(MpmDetector&&) noexcept;
    ~MpmDetector();

    // Samples per frame: periods_per_frame periods of the longest lag searched.
    std::size_t frame_size() const;
    // The FFT length used for the zero-padded autocorrelation.
    std::size_t fft_size() const;
    // Lag range searched, in samples: a quarter tone wider than fmin..fmax.
    std::size_t min_lag() const;
    std::size_t max_lag() const;

    // Analyses exactly frame_size() samples. Shorter input is zero-padded at the end.
    PitchEstimate analyze(std::span<const float> frame);

    // NSDF points per sample of lag: 1, or more when the shortest period is under 10
    // samples (8 kHz and 16 kHz with fmax 2000 Hz: 3 and 2).
    std::size_t oversampling() const;
    // The NSDF of the last analysed frame at lags j / oversampling(), j = 0 ..
    // oversampling() (max_lag() + 1) (for tests and plots).
    std::span<const float> nsdf() const;

private:
    struct Impl;
    explicit MpmDetector(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace pitchscribe

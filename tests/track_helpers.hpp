// Runs a PitchTracker over a whole signal and collects its frames.
#pragma once

#include "test_signals.hpp"

#include <gtest/gtest.h>
#include <pitchscribe/pitch_track.hpp>
#include <vector>

namespace pitchscribe::test {

inline std::vector<PitchFrame> track(const std::vector<float>& signal, double sample_rate,
                                     const TrackConfig& config = {}) {
    auto tracker = PitchTracker::create(sample_rate, config);
    EXPECT_TRUE(tracker.has_value()) << (tracker ? "" : tracker.error().message);
    std::vector<PitchFrame> frames;
    if (!tracker) return frames;
    const FrameSink sink = [&](const PitchFrame& f) { frames.push_back(f); };
    tracker->push(signal, sink);
    tracker->finish(sink);
    return frames;
}

// Median error in cents over voiced frames, ignoring the zero-padded first and last frames.
struct TrackStats {
    double median_cents = 0.0;
    double voiced_share = 0.0;
    std::size_t octave_errors = 0; // voiced frames more than 600 cents off
};

inline TrackStats stats(const std::vector<PitchFrame>& frames, double truth) {
    TrackStats s;
    std::vector<double> errors;
    const std::size_t edge = frames.size() > 20 ? 5 : 0;
    std::size_t considered = 0;
    for (std::size_t i = edge; i + edge < frames.size(); ++i) {
        ++considered;
        if (!frames[i].voiced) continue;
        const double c = cents(frames[i].frequency, truth);
        errors.push_back(c);
        if (std::abs(c) > 600.0) ++s.octave_errors;
    }
    s.voiced_share = considered ? static_cast<double>(errors.size()) / considered : 0.0;
    s.median_cents = median(errors);
    return s;
}

} // namespace pitchscribe::test

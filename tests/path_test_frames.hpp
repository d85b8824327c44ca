// Frames for the path tracker's tests: estimates made from (frequency, clarity) candidates,
// run through a PathTracker, and a check of where the reported pitch changes.
#pragma once

#include "path_tracker.hpp"
#include "test_signals.hpp"

#include <algorithm>
#include <cstddef>
#include <gtest/gtest.h>
#include <initializer_list>
#include <utility>
#include <vector>

namespace pitchscribe::detail {

inline constexpr double kRate = 44100.0;

// A frame whose candidates are (frequency, clarity) pairs, listed by increasing period.
inline PitchEstimate estimate(std::initializer_list<std::pair<double, double>> candidates,
                              double key_threshold = 0.93) {
    PitchEstimate e;
    double highest = 0.0;
    for (auto [f, c] : candidates) {
        e.candidates[e.candidate_count++] = {kRate / f, c};
        highest = std::max(highest, c);
    }
    for (std::size_t i = 0; i < e.candidate_count; ++i) {
        if (e.candidates[i].clarity >= key_threshold * highest) {
            e.frequency = kRate / e.candidates[i].period;
            e.clarity = e.candidates[i].clarity;
            break;
        }
    }
    e.rms = 0.1;
    return e;
}

// Runs of identical frames: (how many, the frame) in order.
inline std::vector<PitchEstimate>
stretches(std::initializer_list<std::pair<int, PitchEstimate>> runs) {
    std::vector<PitchEstimate> frames;
    for (const auto& [count, frame] : runs)
        frames.insert(frames.end(), static_cast<std::size_t>(count), frame);
    return frames;
}

// The frames through a path with this look-ahead (10 ms hop, every frame audible).
inline std::vector<PitchFrame> run(const std::vector<PitchEstimate>& frames,
                                   std::size_t lookahead) {
    PathWindow window = PathWindow::for_hop(0.01, 2268, kRate);
    window.lookahead = lookahead;
    PathTracker path(kRate, window, 0.75);
    std::vector<PitchFrame> out;
    const FrameSink sink = [&](const PitchFrame& f) { out.push_back(f); };
    for (std::size_t i = 0; i < frames.size(); ++i)
        path.push(0.01 * static_cast<double>(i), frames[i], true, sink);
    path.finish(sink);
    return out;
}

// Frames [0, split) report `before`, the rest `after` (within a cent).
inline void expect_change_at(const std::vector<PitchFrame>& out, std::size_t split, double before,
                             double after) {
    for (std::size_t i = 0; i < out.size(); ++i)
        EXPECT_NEAR(test::cents(out[i].frequency, i < split ? before : after), 0.0, 1.0) << i;
}

// Frames [from, to) report `frequency` (to 1e-6 Hz).
inline void expect_frequency(const std::vector<PitchFrame>& out, std::size_t from, std::size_t to,
                             double frequency) {
    for (std::size_t i = from; i < to; ++i)
        EXPECT_NEAR(out[i].frequency, frequency, 1e-6) << i;
}

} // namespace pitchscribe::detail

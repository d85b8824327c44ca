// A one-line progress bar on stderr for long inputs: bar, percentage and speed.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>

namespace pitchscribe::cli {

class ProgressBar {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    using Clock = std::function<TimePoint()>;

    // When `enabled` is false nothing is ever written. `out` and `now` exist for tests.
    ProgressBar(double total_seconds, bool enabled, std::FILE* out = stderr, Clock now = {});
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    ~ProgressBar(); // finish(): an error message must not land on the end of the bar

    // Worth showing: stderr is a terminal and the input lasts more than 5 s (0 = unknown).
    static bool should_show(double total_seconds);

    // Redraws at most 10 times a second; cheap enough to call for every decoded block.
    void update(double seconds_done);
    // Clears the line (if anything was drawn); later updates draw nothing.
    void finish();

private:
    void draw(double seconds_done, TimePoint now);

    double total_;
    bool enabled_;
    bool drawn_ = false;
    std::FILE* out_;
    Clock now_;
    TimePoint start_;
    TimePoint last_draw_;
};

} // namespace pitchscribe::cli

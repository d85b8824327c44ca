#include "progress.hpp"

#include <algorithm>
#include <unistd.h>

namespace pitchscribe::cli {

namespace {

constexpr std::chrono::milliseconds kRedrawInterval{100};
constexpr int kBarWidth = 30;

} // namespace

ProgressBar::ProgressBar(double total_seconds, bool enabled, std::FILE* out, Clock now)
    : total_(total_seconds), enabled_(enabled && total_seconds > 0), out_(out),
      now_(now ? std::move(now) : Clock([] { return std::chrono::steady_clock::now(); })) {
    start_ = last_draw_ = now_();
}

ProgressBar::~ProgressBar() {
    finish();
}

bool ProgressBar::should_show(double total_seconds) {
    return total_seconds > 5.0 && ::isatty(STDERR_FILENO) == 1;
}

void ProgressBar::update(double seconds_done) {
    if (!enabled_) return;
    const TimePoint now = now_();
    // The first draw also waits an interval, so a run that ends at once shows no bar at all.
    if (now - last_draw_ < kRedrawInterval) return;
    last_draw_ = now;
    draw(seconds_done, now);
}

void ProgressBar::draw(double seconds_done, TimePoint now) {
    const double fraction = std::clamp(seconds_done / total_, 0.0, 1.0); // durations lie
    const int filled = static_cast<int>(fraction * kBarWidth);
    char bar[kBarWidth + 1];
    std::fill(bar, bar + filled, '#');
    std::fill(bar + filled, bar + kBarWidth, '-');
    bar[kBarWidth] = '\0';
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double speed = elapsed > 0 ? std::max(seconds_done, 0.0) / elapsed : 0.0;
    // \r returns to the start of the line; ESC [K erases what a longer earlier line left.
    std::fprintf(out_, "\r[%s] %3d%%  %.*fx real time\x1b[K", bar, static_cast<int>(fraction * 100),
                 speed < 10 ? 1 : 0, speed);
    std::fflush(out_);
    drawn_ = true;
}

void ProgressBar::finish() {
    if (drawn_) {
        std::fputs("\r\x1b[K", out_);
        std::fflush(out_);
    }
    enabled_ = false;
    drawn_ = false;
}

} // namespace pitchscribe::cli

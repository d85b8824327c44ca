#include "memory_file.hpp"
#include "progress.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

namespace pitchscribe::cli {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct FakeClock {
    ProgressBar::TimePoint now{};
    ProgressBar::Clock function() {
        return [this] { return now; };
    }
};

std::size_t count(const std::string& text, char c) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), c));
}

TEST(ProgressBar, DisabledBarNeverWrites) {
    MemoryFile file;
    FakeClock clock;
    {
        ProgressBar bar(60.0, false, file.stream(), clock.function());
        for (int i = 0; i < 100; ++i) {
            clock.now += 1s;
            bar.update(i);
        }
        bar.finish();
    }
    EXPECT_EQ(file.text(), "");
}

TEST(ProgressBar, DrawsBarPercentageAndSpeed) {
    MemoryFile file;
    FakeClock clock;
    ProgressBar bar(60.0, true, file.stream(), clock.function());
    bar.update(0.5); // at once: too early to draw
    EXPECT_EQ(file.text(), "");
    clock.now += 1s;
    bar.update(30.0); // 30 s of audio in 1 s
    const std::string text = file.text();
    EXPECT_EQ(text.rfind('\r', 0), 0u);
    EXPECT_NE(text.find("[###############---------------]"), std::string::npos) << text;
    EXPECT_NE(text.find(" 50%"), std::string::npos) << text;
    EXPECT_NE(text.find("30x real time"), std::string::npos) << text;
    EXPECT_EQ(text.find('\n'), std::string::npos); // stays on one line
}

TEST(ProgressBar, RedrawsAtMostTenTimesASecond) {
    MemoryFile file;
    FakeClock clock;
    ProgressBar bar(100.0, true, file.stream(), clock.function());
    for (int i = 0; i < 1000; ++i) { // 1000 updates over 1 s
        clock.now += 1ms;
        bar.update(i * 0.1);
    }
    const std::size_t draws = count(file.text(), '\r');
    EXPECT_GE(draws, 9u);
    EXPECT_LE(draws, 10u);
}

TEST(ProgressBar, FinishClearsTheLineAndLaterUpdatesDrawNothing) {
    MemoryFile file;
    FakeClock clock;
    ProgressBar bar(10.0, true, file.stream(), clock.function());
    clock.now += 200ms;
    bar.update(20.0); // more than the declared duration: clamped to 100 %
    EXPECT_NE(file.text().find("100%"), std::string::npos);
    bar.finish();
    const std::string text = file.text();
    EXPECT_EQ(text.substr(text.size() - 4), "\r\x1b[K");
    clock.now += 1s;
    bar.update(5.0);
    bar.finish();
    EXPECT_EQ(file.text(), text);
}

TEST(ProgressBar, DestructorClearsADrawnLine) {
    MemoryFile file;
    FakeClock clock;
    {
        ProgressBar bar(10.0, true, file.stream(), clock.function());
        clock.now += 1s;
        bar.update(1.0);
    }
    const std::string text = file.text();
    EXPECT_EQ(text.substr(text.size() - 4), "\r\x1b[K");
}

TEST(ProgressBar, NothingWhenNothingWasDrawn) {
    MemoryFile file;
    {
        ProgressBar bar(10.0, true, file.stream());
        bar.finish();
    }
    EXPECT_EQ(file.text(), "");
}

TEST(ProgressBar, ShownOnlyForLongInputsOnATerminal) {
    EXPECT_FALSE(ProgressBar::should_show(0.0)); // unknown length
    EXPECT_FALSE(ProgressBar::should_show(3.0));
    if (!::isatty(STDERR_FILENO)) {
        EXPECT_FALSE(ProgressBar::should_show(600.0));
    }
}

} // namespace
} // namespace pitchscribe::cli

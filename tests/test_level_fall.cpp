// Where a note's level begins to fall (src/level_fall.cpp): at the start of a release, and
// nowhere in a steady note.
#include "level_fall.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <vector>

namespace pitchscribe::detail {
namespace {

constexpr double kRate = 44100.0;
constexpr double kPi = 3.14159265358979323846;
const auto kBin = static_cast<std::size_t>(0.0025 * kRate);
const auto kWindow = static_cast<std::size_t>(0.005 * kRate);
constexpr std::size_t kBins = 40; // 0.1 s

// A 220 Hz tone, steady until `release` seconds, then decaying with this time constant.
std::vector<float> released(double release, double time_constant) {
    std::vector<float> x(static_cast<std::size_t>(0.4 * kRate));
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double t = double(i) / kRate;
        const double gain = t < release ? 1.0 : std::exp(-(t - release) / time_constant);
        x[i] = static_cast<float>(0.5 * gain * std::sin(2.0 * kPi * 220.0 * t));
    }
    return x;
}

std::optional<LevelFall> fall_before(const std::vector<float>& x, double end) {
    std::vector<double> levels(kBins);
    return level_fall(x, static_cast<std::size_t>(end * kRate), kBins, kBin, kWindow, levels);
}

// Released at 0.2 s (8.7 dB per 20 ms): the fall is found within two bins of it, and 40 ms
// later the level is about 17 dB down.
TEST(LevelFall, BeginsWhereTheReleaseBegins) {
    const auto fall = fall_before(released(0.2, 0.02), 0.24);
    ASSERT_TRUE(fall);
    EXPECT_NEAR(double(fall->start) / kRate, 0.2, 2.0 * 0.0025);
    EXPECT_LT(fall->drop_db, -12.0);
    EXPECT_GT(fall->drop_db, -22.0);
}

TEST(LevelFall, ASteadyNoteHardlyFalls) {
    const auto fall = fall_before(released(1.0, 0.02), 0.24);
    if (fall) {
        EXPECT_GT(fall->drop_db, -0.5);
    }
}

TEST(LevelFall, TooLittleSignalBeforeTheEndGivesNothing) {
    const auto x = released(0.2, 0.02);
    std::vector<double> levels(kBins);
    EXPECT_FALSE(level_fall(x, 100, kBins, kBin, kWindow, levels));
    EXPECT_FALSE(level_fall(x, x.size() + 1, kBins, kBin, kWindow, levels));
    std::vector<double> too_few(kBins - 1);
    EXPECT_FALSE(level_fall(x, 10000, kBins, kBin, kWindow, too_few));
}

} // namespace
} // namespace pitchscribe::detail

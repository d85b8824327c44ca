// A peak's clarity is read between the NSDF's samples: it must not depend on where the period
// falls between two lags (src/sinc_interpolation.hpp).
#include "pitchscribe/mpm.hpp"
#include "sinc_interpolation.hpp"
#include "test_signals.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <vector>

namespace pitchscribe::test {
namespace {

// A curve band-limited to 0.3 cycles per sample, as an NSDF of a decimated frame nearly is.
double curve(double x) {
    return 0.5 * std::cos(2.0 * std::numbers::pi * 0.05 * x) +
           0.3 * std::cos(2.0 * std::numbers::pi * 0.21 * x + 0.4) +
           0.2 * std::cos(2.0 * std::numbers::pi * 0.3 * x + 1.1);
}

TEST(SincInterpolator, ReadsABandLimitedCurveBetweenItsSamples) {
    std::vector<float> samples(64);
    for (std::size_t i = 0; i < samples.size(); ++i)
        samples[i] = static_cast<float>(curve(static_cast<double>(i)));
    const detail::SincInterpolator between;
    // At the table's fractions (elsewhere the point is rounded to one of them).
    for (double x = 7.0; x < 55.0; x += 95.0 / detail::SincInterpolator::kSteps) {
        const auto value = between.at(samples.data(), samples.size(), x);
        ASSERT_TRUE(value.has_value()) << x;
        EXPECT_NEAR(*value, curve(x), 2e-3) << x;
    }
    // On a sample it is that sample, and a flat curve reads flat.
    EXPECT_NEAR(*between.at(samples.data(), samples.size(), 20.0), samples[20], 1e-6);
    const std::vector<float> flat(64, 0.75f);
    EXPECT_NEAR(*between.at(flat.data(), flat.size(), 30.43), 0.75, 1e-6);
}

TEST(SincInterpolator, SaysNothingWhereTheKernelWouldLeaveTheSamples) {
    const std::vector<float> samples(64, 1.0f);
    const detail::SincInterpolator between;
    constexpr int taps = detail::SincInterpolator::kTaps;
    EXPECT_FALSE(between.at(samples.data(), samples.size(), taps - 1.5).has_value());
    EXPECT_TRUE(between.at(samples.data(), samples.size(), taps - 1.0).has_value());
    EXPECT_TRUE(between.at(samples.data(), samples.size(), 64.0 - taps - 0.5).has_value());
    EXPECT_FALSE(between.at(samples.data(), samples.size(), 64.0 - taps + 0.5).has_value());
    EXPECT_FALSE(between.at(samples.data(), samples.size(), std::nan("")).has_value());
}

// A bright steady tone (seven harmonics, 1/h) is periodic whatever its period: its clarity
// stays at one as the period moves between two lags. A parabola through the three samples
// of its narrow peak read 0.979-1 here, so a violin's clarity rose and fell with its
// vibrato and differed between 44.1 and 48 kHz.
TEST(MpmClarity, DoesNotDependOnWhereThePeriodFallsBetweenLags) {
    MpmConfig config;
    config.sample_rate = 22050.0;
    auto detector = MpmDetector::create(config);
    ASSERT_TRUE(detector.has_value());
    // Up to 0.39 cycles per sample, about where the decimator leaves a frame's content.
    const std::vector<double> amplitudes = {1.0, 0.5, 0.333, 0.25, 0.2, 0.167, 0.143};
    double lowest = 1.0, highest = 0.0;
    for (double period = 18.0; period < 19.0; period += 0.1) {
        const double f0 = config.sample_rate / period;
        const auto tone = harmonic_complex(f0, config.sample_rate, 0.1, amplitudes);
        const auto estimate = detector->analyze(std::span(tone).subspan(0, detector->frame_size()));
        ASSERT_GT(estimate.frequency, 0.0) << period;
        EXPECT_LT(std::abs(cents(estimate.frequency, f0)), 5.0) << period;
        lowest = std::min(lowest, estimate.clarity);
        highest = std::max(highest, estimate.clarity);
    }
    EXPECT_GT(lowest, 0.999);
    EXPECT_LT(highest - lowest, 0.001);
}

} // namespace
} // namespace pitchscribe::test

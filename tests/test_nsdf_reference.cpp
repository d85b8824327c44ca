// The FFT-based NSDF equals the definition n'(t) = 2 r'(t) / m'(t) computed directly.
#include "test_signals.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <numeric>
#include <pitchscribe/mpm.hpp>

namespace pitchscribe::test {
namespace {

// O(N^2) reference in double precision, on the de-meaned frame as the detector sees it.
std::vector<double> direct_nsdf(std::vector<float> frame, std::size_t last_lag) {
    const double mean =
        std::accumulate(frame.begin(), frame.end(), 0.0) / static_cast<double>(frame.size());
    std::vector<double> x(frame.size());
    for (std::size_t i = 0; i < frame.size(); ++i)
        x[i] = frame[i] - static_cast<float>(mean);
    std::vector<double> n(last_lag + 1);
    for (std::size_t tau = 0; tau <= last_lag; ++tau) {
        double r = 0.0, m = 0.0;
        for (std::size_t i = 0; i + tau < x.size(); ++i) {
            r += x[i] * x[i + tau];
            m += x[i] * x[i] + x[i + tau] * x[i + tau];
        }
        n[tau] = m > 0.0 ? 2.0 * r / m : 0.0;
    }
    return n;
}

struct Case {
    double rate, fmin, fmax;
};

TEST(NsdfReference, FftNsdfMatchesDirectDefinition) {
    for (const Case c : {Case{8000, 40, 2000}, Case{44100, 40, 2000}, Case{48000, 100, 1500},
                         Case{22050, 60, 1000}}) {
        MpmConfig config;
        config.sample_rate = c.rate;
        config.fmin = c.fmin;
        config.fmax = c.fmax;
        auto detector = MpmDetector::create(config);
        ASSERT_TRUE(detector.has_value());
        const std::size_t size = detector->frame_size();
        auto frame = harmonic_complex(233.0, c.rate, 1.0, {0.6, 0.3, 0.2});
        const auto noise = white_noise(c.rate, 1.0, 0.2, 11);
        frame.resize(size);
        for (std::size_t i = 0; i < size; ++i)
            frame[i] += noise[i] + 0.05f; // with a DC offset
        detector->analyze(frame);
        const auto fast = detector->nsdf();
        const auto reference = direct_nsdf(frame, fast.size() - 1);
        double worst = 0.0;
        for (std::size_t tau = 0; tau < fast.size(); ++tau)
            worst = std::max(worst, std::abs(fast[tau] - reference[tau]));
        EXPECT_LT(worst, 2e-5) << "rate " << c.rate << ", frame " << size;
        EXPECT_NEAR(fast[0], 1.0, 1e-6);
    }
}

TEST(NsdfReference, FrameAndFftSizesFollowFmin) {
    MpmConfig config; // 44.1 kHz, 40..2000 Hz
    auto detector = MpmDetector::create(config);
    ASSERT_TRUE(detector.has_value());
    // The lag range reaches a quarter tone past fmin and fmax: 44100 / 40 * 2^(1/24).
    EXPECT_EQ(detector->max_lag(), 1135u);
    EXPECT_EQ(detector->min_lag(), 21u);      // floor(44100 / 2000 / 2^(1/24))
    EXPECT_EQ(detector->frame_size(), 2270u); // two of the longest periods
    // No wrap-around: the FFT covers frame + lags; 3456 = 2^7 * 3^3 is a size FFTW is fast at.
    EXPECT_GE(detector->fft_size(), detector->frame_size() + detector->max_lag() + 1);
    EXPECT_EQ(detector->fft_size(), 3456u);
}

TEST(NsdfReference, InvalidConfigurationsAreRefused) {
    MpmConfig config;
    config.fmin = 0.0;
    EXPECT_FALSE(MpmDetector::create(config).has_value());
    config = {};
    config.fmax = 30.0;
    EXPECT_FALSE(MpmDetector::create(config).has_value());
    config = {};
    config.fmax = 20000.0; // above a quarter of 44.1 kHz
    auto refused = MpmDetector::create(config);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().kind, ErrorKind::InvalidArgument);
}

} // namespace
} // namespace pitchscribe::test

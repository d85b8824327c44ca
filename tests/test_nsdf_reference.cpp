// The FFT-based NSDF equals the definition n'(t) = 2 r'(t) / m'(t) computed directly.
#include "test_signals.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <numeric>
#include <pitchscribe/mpm.hpp>

namespace pitchscribe::test {
namespace {

// O(N^2) reference in double precision at lags tau = j / oversampling, on the frame as the
// detector sees it (mean removed). x(i + tau) between samples comes from `at`, the signal
// the frame was sampled from; at whole lags that is the frame itself.
template <class Signal>
std::vector<double> direct_nsdf(const std::vector<float>& frame, const Signal& at, std::size_t last,
                                std::size_t oversampling) {
    const double mean =
        std::accumulate(frame.begin(), frame.end(), 0.0) / static_cast<double>(frame.size());
    const auto x = [&](double t) { return at(t) - static_cast<float>(mean); };
    std::vector<double> n(last + 1);
    for (std::size_t j = 0; j <= last; ++j) {
        const double tau = static_cast<double>(j) / static_cast<double>(oversampling);
        double r = 0.0, m = 0.0;
        for (std::size_t i = 0;
             static_cast<double>(i) + tau <= static_cast<double>(frame.size() - 1); ++i) {
            const double a = x(static_cast<double>(i)), b = x(static_cast<double>(i) + tau);
            r += a * b;
            m += a * a + b * b;
        }
        n[j] = m > 0.0 ? 2.0 * r / m : 0.0;
    }
    return n;
}

struct Case {
    double rate, fmin, fmax;
    std::size_t oversampling;
};

// Whole lags: the FFT NSDF equals the definition to float precision, noise and DC included.
TEST(NsdfReference, FftNsdfMatchesDirectDefinition) {
    for (const Case c :
         {Case{8000, 40, 2000, 3}, Case{44100, 40, 2000, 1}, Case{48000, 100, 1500, 1},
          Case{22050, 60, 1000, 1}, Case{16000, 50, 2000, 2}}) {
        MpmConfig config;
        config.sample_rate = c.rate;
        config.fmin = c.fmin;
        config.fmax = c.fmax;
        auto detector = MpmDetector::create(config);
        ASSERT_TRUE(detector.has_value());
        ASSERT_EQ(detector->oversampling(), c.oversampling) << "rate " << c.rate;
        const std::size_t size = detector->frame_size();
        auto frame = harmonic_complex(233.0, c.rate, 1.0, {0.6, 0.3, 0.2});
        const auto noise = white_noise(c.rate, 1.0, 0.2, 11);
        frame.resize(size);
        for (std::size_t i = 0; i < size; ++i)
            frame[i] += noise[i] + 0.05f; // with a DC offset
        detector->analyze(frame);
        const auto fast = detector->nsdf();
        const std::size_t u = c.oversampling;
        const auto reference = direct_nsdf(
            frame, [&](double t) { return frame[static_cast<std::size_t>(t)]; },
            (fast.size() - 1) / u, 1);
        double worst = 0.0;
        for (std::size_t tau = 0; tau < reference.size(); ++tau)
            worst = std::max(worst, std::abs(fast[tau * u] - reference[tau]));
        EXPECT_LT(worst, 2e-5) << "rate " << c.rate << ", frame " << size;
        EXPECT_NEAR(fast[0], 1.0, 1e-6);
    }
}

// Between whole lags (8 kHz: thirds of a sample) the oversampled NSDF follows the definition
// applied to the band-limited signal the frame was sampled from: a 1.45 kHz tone whose
// second harmonic is 2.76 samples long.
TEST(NsdfReference, OversampledNsdfMatchesTheSignalBetweenSamples) {
    MpmConfig config;
    config.sample_rate = 8000.0;
    auto detector = MpmDetector::create(config);
    ASSERT_TRUE(detector.has_value());
    const double f0 = 1450.0, w = 2.0 * std::numbers::pi * f0 / config.sample_rate;
    const auto signal = [&](double t) {
        return static_cast<float>(0.1 * std::sin(w * t) + std::sin(2.0 * w * t + 0.7));
    };
    std::vector<float> frame(detector->frame_size());
    for (std::size_t i = 0; i < frame.size(); ++i)
        frame[i] = signal(static_cast<double>(i));
    detector->analyze(frame);
    const auto fast = detector->nsdf();
    const std::size_t u = detector->oversampling();
    const auto reference = direct_nsdf(frame, signal, fast.size() - 1, u);
    double worst = 0.0;
    for (std::size_t j = 0; j < fast.size(); ++j)
        worst = std::max(worst, std::abs(fast[j] - reference[j]));
    EXPECT_LT(worst, 0.01);
    // At the period (5.52 samples) the NSDF is near 1 on the fine grid; the nearest whole
    // lags (5 and 6) read far less, which is what sent 8 kHz high notes an octave down.
    const double period = config.sample_rate / f0;
    EXPECT_GT(fast[static_cast<std::size_t>(std::lround(period * static_cast<double>(u)))], 0.9);
    EXPECT_LT(std::max(fast[5 * u], fast[6 * u]), 0.5);
}

TEST(NsdfReference, FrameAndFftSizesFollowFmin) {
    MpmConfig config; // 44.1 kHz, 40..2000 Hz
    auto detector = MpmDetector::create(config);
    ASSERT_TRUE(detector.has_value());
    // The lag range reaches a quarter tone past fmin and fmax: 44100 / 40 * 2^(1/24).
    EXPECT_EQ(detector->max_lag(), 1135u);
    EXPECT_EQ(detector->min_lag(), 21u);      // floor(44100 / 2000 / 2^(1/24))
    EXPECT_EQ(detector->frame_size(), 2270u); // two of the longest periods
    // No wrap-around: the FFT covers frame + lags (3406). It runs as a complex transform of
    // half the length, at the first size FFTW is fastest at per point (2^a or 5 * 2^a) that is
    // at least 1703: 2048, where 1280 is too short and 2560 longer.
    EXPECT_GE(detector->fft_size(), detector->frame_size() + detector->max_lag() + 1);
    EXPECT_EQ(detector->fft_size(), 4096u);
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

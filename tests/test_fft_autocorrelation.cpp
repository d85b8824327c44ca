// The autocorrelation by half-size complex FFT equals the sum that defines it, at sizes where
// the split runs only its scalar pairs and where it runs whole vector blocks, and with the
// oversampled inverse.
#include "fft_autocorrelation.hpp"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <random>
#include <vector>

namespace pitchscribe::detail {
namespace {

std::vector<double> direct_autocorrelation(const std::vector<float>& x, std::size_t max_lag) {
    std::vector<double> r(max_lag + 1, 0.0);
    for (std::size_t tau = 0; tau <= max_lag; ++tau)
        for (std::size_t i = 0; i + tau < x.size(); ++i)
            r[tau] += static_cast<double>(x[i]) * x[i + tau];
    return r;
}

TEST(FftAutocorrelation, EqualsTheDefinitionAtEverySize) {
    std::minstd_rand rng(5);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    // (frame, max_lag): half sizes 8 (scalar pairs only), 40 = 5 * 8, 512, 1024, 2560.
    for (const auto& [frame, max_lag] : {std::pair<std::size_t, std::size_t>{9, 5},
                                         {50, 28},
                                         {600, 300},
                                         {1135, 570},
                                         {3400, 1700}}) {
        FftAutocorrelation acf(frame, max_lag);
        ASSERT_GE(acf.fft_size(), frame + max_lag) << "frame " << frame;
        std::vector<float> x(frame);
        for (float& v : x)
            v = noise(rng) + 0.3f;
        std::memcpy(acf.input(), x.data(), frame * sizeof(float));
        const float* r = acf.compute();
        const auto expected = direct_autocorrelation(x, max_lag);
        for (std::size_t tau = 0; tau <= max_lag; ++tau)
            ASSERT_NEAR(r[tau], expected[tau], 2e-5 * expected[0])
                << "frame " << frame << ", lag " << tau;
        // The padding stays zero: a second frame gives its own result, not a mix.
        std::vector<float> y(frame, 0.0f);
        y[0] = 1.0f;
        std::memcpy(acf.input(), y.data(), frame * sizeof(float));
        r = acf.compute();
        EXPECT_NEAR(r[0], 1.0f, 1e-6f);
        EXPECT_NEAR(r[max_lag], 0.0f, 1e-6f);
    }
}

TEST(FftAutocorrelation, OversampledLagsFallOnTheWholeOnes) {
    const std::size_t frame = 400, max_lag = 200, u = 3;
    FftAutocorrelation acf(frame, max_lag, u);
    std::vector<float> x(frame);
    for (std::size_t i = 0; i < frame; ++i)
        x[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)) +
                                  0.5 * std::sin(1.1 * static_cast<double>(i)));
    std::memcpy(acf.input(), x.data(), frame * sizeof(float));
    const float* r = acf.compute();
    const auto expected = direct_autocorrelation(x, max_lag);
    for (std::size_t tau = 0; tau <= max_lag; ++tau)
        ASSERT_NEAR(r[u * tau], expected[tau], 2e-5 * expected[0]) << "lag " << tau;
}

} // namespace
} // namespace pitchscribe::detail

// The anti-aliasing decimator: flat passband, >= 60 dB stopband, no delay, chunk-invariant.
#include "decimator.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <string>
#include <vector>

namespace pitchscribe::test {
namespace {

using detail::Decimator;

std::vector<float> decimate(Decimator& d, const std::vector<float>& input, std::size_t chunk) {
    std::vector<float> out;
    std::vector<float> block(37); // small, so the output capacity limit is exercised too
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        const float* p = input.data() + at;
        std::size_t count = std::min(chunk, input.size() - at);
        for (std::size_t n = block.size(); count > 0 || n == block.size();) {
            std::size_t consumed = 0;
            n = d.push(p, count, block.data(), block.size(), consumed);
            out.insert(out.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
            p += consumed;
            count -= consumed;
        }
    }
    return out;
}

std::vector<double> cosine(double frequency, double rate, std::size_t n, double phase = 0.0) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i)
        x[i] = std::cos(2.0 * std::numbers::pi * frequency * static_cast<double>(i) / rate + phase);
    return x;
}

std::vector<float> to_float(const std::vector<double>& x) {
    return {x.begin(), x.end()};
}

// Gain of the decimator on a cosine, in dB, from the RMS of the settled middle of the output.
double gain_db(std::size_t factor, double rate, double frequency) {
    Decimator d(factor);
    const std::size_t n = static_cast<std::size_t>(rate); // one second
    const auto out = decimate(d, to_float(cosine(frequency, rate, n)), 4096);
    const std::size_t skip = d.taps() / factor + 2; // edges: the filter meets the zeros
    double sum = 0.0;
    std::size_t count = 0;
    for (std::size_t m = skip; m + skip < out.size(); ++m) {
        sum += static_cast<double>(out[m]) * out[m];
        ++count;
    }
    return 10.0 * std::log10(std::max(sum / static_cast<double>(count), 1e-30) / 0.5);
}

struct Case {
    std::size_t factor;
    double rate;
};

class DecimatorResponse : public ::testing::TestWithParam<Case> {};

TEST_P(DecimatorResponse, PassbandWithinATenthOfADecibel) {
    const auto [factor, rate] = GetParam();
    const double nyquist = rate / static_cast<double>(factor) / 2.0;
    for (double f : {50.0, 440.0, 0.3 * nyquist, 0.5 * nyquist, 0.7 * nyquist})
        EXPECT_LT(std::abs(gain_db(factor, rate, f)), 0.1) << f << " Hz";
}

TEST_P(DecimatorResponse, AboveTheNewNyquistAttenuatedBy60Db) {
    const auto [factor, rate] = GetParam();
    const double nyquist = rate / static_cast<double>(factor) / 2.0;
    for (double f : {1.02 * nyquist, 1.3 * nyquist, 2.0 * nyquist, 3.1 * nyquist, 0.45 * rate}) {
        if (f >= 0.5 * rate) continue; // above the input's own Nyquist frequency
        EXPECT_LT(gain_db(factor, rate, f), -60.0) << f << " Hz";
    }
}

INSTANTIATE_TEST_SUITE_P(Factors, DecimatorResponse,
                         ::testing::Values(Case{2, 22050.0}, Case{4, 44100.0}, Case{4, 48000.0},
                                           Case{5, 44100.0}, Case{8, 96000.0}, Case{16, 192000.0}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             return "by" + std::to_string(info.param.factor) + "_at" +
                                    std::to_string(static_cast<int>(info.param.rate));
                         });

TEST(Decimator, OutputMIsTheSignalAtInputMTimesTheFactor) {
    const double rate = 44100.0;
    Decimator d(4);
    const auto x = cosine(1000.0, rate, 44100, 0.3);
    const auto out = decimate(d, to_float(x), 1000);
    ASSERT_GE(out.size(), 11000u);
    const std::size_t skip = d.taps() / 4 + 2;
    for (std::size_t m = skip; m + skip < out.size(); ++m)
        ASSERT_NEAR(out[m], x[m * 4], 2e-3) << "output " << m; // no group delay left
}

TEST(Decimator, ChunkSizeDoesNotChangeTheOutput) {
    std::vector<float> x(20000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(std::sin(0.01 * static_cast<double>(i * i % 7919)));
    Decimator whole(5);
    const auto reference = decimate(whole, x, x.size());
    for (std::size_t chunk : {1u, 3u, 64u, 5000u}) {
        Decimator d(5);
        EXPECT_EQ(decimate(d, x, chunk), reference) << "chunk " << chunk;
    }
    // Output m needs input m * 5 + delay: exactly that many outputs so far.
    const auto expected = (x.size() - 1 - whole.delay()) / 5 + 1;
    EXPECT_EQ(reference.size(), expected);
}

TEST(Decimator, FactorOneIsTheIdentity) {
    Decimator d(1);
    const std::vector<float> x = {0.5f, -1.0f, 0.25f, 2.0f};
    EXPECT_EQ(d.taps(), 1u);
    EXPECT_EQ(decimate(d, x, 3), x);
}

} // namespace
} // namespace pitchscribe::test

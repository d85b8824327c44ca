// The anti-aliasing decimator: flat passband, >= 60 dB against aliases into it, no delay, and any
// stretch of output computable on its own.
#include "decimator.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace pitchscribe::test {
namespace {

using detail::Decimator;

// The whole signal decimated, with zeros before and after it: outputs 0 .. (n - 1) / factor.
std::vector<float> decimate(const Decimator& d, const std::vector<float>& input) {
    std::vector<float> padded(d.delay(), 0.0f);
    padded.insert(padded.end(), input.begin(), input.end());
    padded.resize(padded.size() + d.taps(), 0.0f);
    std::vector<float> out((input.size() - 1) / d.factor() + 1);
    std::vector<float> scratch(d.scratch_size(out.size()));
    d.decimate(padded.data(), out.size(), out.data(), scratch.data());
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
    const Decimator d(factor);
    const std::size_t n = static_cast<std::size_t>(rate); // one second
    const auto out = decimate(d, to_float(cosine(frequency, rate, n)));
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

// Everything that would fold onto the passband (0.7 of the new Nyquist frequency): from
// 1.3 x the new Nyquist frequency up. Between 1 and 1.3 it folds above the passband.
TEST_P(DecimatorResponse, WhatWouldAliasIntoThePassbandIsAttenuatedBy60Db) {
    const auto [factor, rate] = GetParam();
    const double nyquist = rate / static_cast<double>(factor) / 2.0;
    for (double f : {1.31 * nyquist, 1.5 * nyquist, 2.0 * nyquist, 3.1 * nyquist, 0.45 * rate}) {
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
    const Decimator d(4);
    const auto x = cosine(1000.0, rate, 44100, 0.3);
    const auto out = decimate(d, to_float(x));
    ASSERT_GE(out.size(), 11000u);
    const std::size_t skip = d.taps() / 4 + 2;
    for (std::size_t m = skip; m + skip < out.size(); ++m)
        ASSERT_NEAR(out[m], x[m * 4], 2e-3) << "output " << m; // no group delay left
}

// What lets batches be analysed apart: any stretch of outputs, made from its own stretch
// of input, has the same bits as the same outputs made in one go.
TEST(Decimator, AnyStretchOfOutputsEqualsTheWhole) {
    std::vector<float> x(20000);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(std::sin(0.01 * static_cast<double>(i * i % 7919)));
    const Decimator d(5);
    const auto whole = decimate(d, x);
    ASSERT_EQ(whole.size(), (x.size() - 1) / 5 + 1);
    std::vector<float> padded(d.delay(), 0.0f);
    padded.insert(padded.end(), x.begin(), x.end());
    padded.resize(padded.size() + d.taps(), 0.0f);
    for (const auto& [first, count] : {std::pair<std::size_t, std::size_t>{0, 1},
                                       {7, 3},
                                       {100, 999},
                                       {3000, whole.size() - 3000}}) {
        std::vector<float> copy(
            padded.begin() + static_cast<std::ptrdiff_t>(first * 5),
            padded.begin() + static_cast<std::ptrdiff_t>((first + count - 1) * 5 + d.taps()));
        std::vector<float> part(count), scratch(d.scratch_size(count));
        d.decimate(copy.data(), count, part.data(), scratch.data());
        for (std::size_t k = 0; k < count; ++k)
            ASSERT_EQ(part[k], whole[first + k]) << "output " << first + k;
    }
}

TEST(Decimator, FactorOneIsTheIdentity) {
    const Decimator d(1);
    const std::vector<float> x = {0.5f, -1.0f, 0.25f, 2.0f};
    EXPECT_EQ(d.taps(), 1u);
    EXPECT_EQ(decimate(d, x), x);
}

} // namespace
} // namespace pitchscribe::test

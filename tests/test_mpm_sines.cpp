// Pure tones across the pitch range and sample rates; silence, DC and noise give no pitch.
#include "track_helpers.hpp"

#include <cmath>

namespace pitchscribe::test {
namespace {

class SineSweep : public ::testing::TestWithParam<double> {};

TEST_P(SineSweep, WithinFiveCentsFrom40To2000Hz) {
    const double rate = GetParam();
    for (double f = 40.0; f <= 2000.0; f *= std::pow(2.0, 5.0 / 12.0)) { // every fourth
        const auto frames = track(sine(f, rate, 0.5), rate);
        const TrackStats s = stats(frames, f);
        EXPECT_LT(std::abs(s.median_cents), 5.0) << f << " Hz at " << rate << " Hz";
        EXPECT_GT(s.voiced_share, 0.95) << f << " Hz at " << rate << " Hz";
        EXPECT_EQ(s.octave_errors, 0u) << f << " Hz at " << rate << " Hz";
    }
    // The top of the range itself.
    const TrackStats top = stats(track(sine(2000.0, rate, 0.5), rate), 2000.0);
    EXPECT_LT(std::abs(top.median_cents), 5.0) << "2000 Hz at " << rate << " Hz";
}

INSTANTIATE_TEST_SUITE_P(Rates, SineSweep,
                         ::testing::Values(8000.0, 16000.0, 22050.0, 44100.0, 48000.0, 96000.0));

std::size_t voiced_count(const std::vector<PitchFrame>& frames) {
    std::size_t n = 0;
    for (const auto& f : frames)
        n += f.voiced ? 1 : 0;
    return n;
}

class Unpitched : public ::testing::TestWithParam<double> {};

TEST_P(Unpitched, SilenceGivesNoVoicedFrames) {
    const double rate = GetParam();
    const std::vector<float> silence(static_cast<std::size_t>(rate), 0.0f);
    const auto frames = track(silence, rate);
    ASSERT_EQ(frames.size(), 100u);
    EXPECT_EQ(voiced_count(frames), 0u);
    for (const auto& f : frames)
        EXPECT_EQ(f.frequency, 0.0);
}

TEST_P(Unpitched, DcGivesNoVoicedFrames) {
    const double rate = GetParam();
    for (float level : {0.5f, -1.0f, 1e-3f}) {
        const std::vector<float> dc(static_cast<std::size_t>(rate), level);
        EXPECT_EQ(voiced_count(track(dc, rate)), 0u) << "DC " << level;
    }
}

TEST_P(Unpitched, WhiteNoiseGivesNoVoicedFrames) {
    const double rate = GetParam();
    for (unsigned seed : {1u, 2u, 3u}) {
        const auto frames = track(white_noise(rate, 1.0, 0.5, seed), rate);
        EXPECT_EQ(voiced_count(frames), 0u) << "seed " << seed;
    }
}

// The gate is -60 dBFS, or 30 dB under the loudest frame so far where that is lower, but
// never below -100 dBFS: a -83 dBFS tone after a -23 dBFS note is silence, and so is a
// -103 dBFS tone alone.
TEST_P(Unpitched, VeryQuietToneIsBelowTheSilenceGate) {
    const double rate = GetParam();
    auto signal = sine(220.0, rate, 0.5, 0.1);       // -23 dBFS RMS
    const auto quiet = sine(440.0, rate, 1.0, 1e-4); // -83 dBFS RMS
    signal.insert(signal.end(), quiet.begin(), quiet.end());
    std::size_t voiced_after = 0;
    for (const auto& f : track(signal, rate))
        voiced_after += f.voiced && f.time > 0.6 ? 1 : 0;
    EXPECT_EQ(voiced_after, 0u);
    EXPECT_EQ(voiced_count(track(sine(440.0, rate, 0.5, 1e-5), rate)), 0u); // -103 dBFS
}

INSTANTIATE_TEST_SUITE_P(Rates, Unpitched, ::testing::Values(8000.0, 22050.0, 44100.0, 96000.0));

} // namespace
} // namespace pitchscribe::test

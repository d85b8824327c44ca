// Voicing in steady noise: the threshold follows the noise floor, so a tone in noise is
// voiced while the noise alone is not.
#include "track_helpers.hpp"

#include <cmath>

namespace pitchscribe::test {
namespace {

double power(const std::vector<float>& x) {
    double sum = 0.0;
    for (float v : x)
        sum += static_cast<double>(v) * v;
    return sum / static_cast<double>(x.size());
}

struct Shares {
    double tone_right = 0.0;   // tone frames voiced within 50 cents of the tone
    double noise_voiced = 0.0; // noise-only frames voiced
};

// 1 s of white noise, 3 s of a 196 Hz harmonic tone in that noise at `snr_db`, 1 s of noise.
Shares run(double snr_db) {
    const double rate = 44100.0;
    auto signal = white_noise(rate, 5.0, 0.1, 7);
    const auto tone = harmonic_complex(196.0, rate, 3.0, {1.0, 0.6, 0.4, 0.3, 0.2});
    const double noise_power = power(signal);
    const double gain = std::sqrt(noise_power * std::pow(10.0, snr_db / 10.0) / power(tone));
    for (std::size_t i = 0; i < tone.size(); ++i)
        signal[static_cast<std::size_t>(rate) + i] += static_cast<float>(gain * tone[i]);
    const auto frames = track(signal, rate);
    std::size_t tone_frames = 0, right = 0, noise_frames = 0, noise_voiced = 0;
    for (const auto& f : frames) {
        if (f.time > 1.1 && f.time < 3.9) {
            ++tone_frames;
            right += f.voiced && std::abs(cents(f.frequency, 196.0)) < 50.0 ? 1 : 0;
        } else if (f.time < 0.9 || f.time > 4.1) {
            ++noise_frames;
            noise_voiced += f.voiced ? 1 : 0;
        }
    }
    return {static_cast<double>(right) / static_cast<double>(tone_frames),
            static_cast<double>(noise_voiced) / static_cast<double>(noise_frames)};
}

TEST(VoicingInNoise, ToneAtZeroDbSnrIsVoicedAndNoiseAloneIsNot) {
    const Shares s = run(0.0);
    EXPECT_GT(s.tone_right, 0.9);
    EXPECT_LT(s.noise_voiced, 0.03);
}

TEST(VoicingInNoise, ToneAtTenDbSnrIsVoicedThroughout) {
    const Shares s = run(10.0);
    EXPECT_GT(s.tone_right, 0.98);
    EXPECT_LT(s.noise_voiced, 0.03);
}

} // namespace
} // namespace pitchscribe::test

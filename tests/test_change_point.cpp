// Pitch changes placed from the signal (src/change_point.cpp): the split where the old
// period stops predicting the signal; frames of the old pitch after it take the new one,
// frames of a sharp attack's pitch before it the old one, a breathy note's soft successor is
// not moved later, noise moves nothing, and every frame comes out once, in order.
#include "change_point.hpp"
#include "test_signals.hpp"
#include "track_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <optional>
#include <random>
#include <vector>

namespace pitchscribe::detail {
namespace {

using test::cents;
constexpr double kRate = 44100.0;
constexpr double kPi = 3.14159265358979323846;

// A note of three harmonics at `f0`, `gain` at each sample (attack and decay shapes).
template <typename Gain>
void add_note(std::vector<float>& x, double f0, double from, double to, Gain gain) {
    for (auto i = static_cast<std::size_t>(from * kRate); i < x.size() && double(i) < to * kRate;
         ++i) {
        const double t = double(i) / kRate;
        const double w = 2.0 * kPi * f0 * t;
        x[i] += static_cast<float>(
            gain(t) * (0.5 * std::sin(w) + 0.25 * std::sin(2.0 * w) + 0.12 * std::sin(3.0 * w)));
    }
}

void add_noise(std::vector<float>& x, double amplitude) {
    std::mt19937 random(7);
    std::normal_distribution<float> normal(0.0f, static_cast<float>(amplitude));
    for (float& v : x)
        v += normal(random);
}

// A legato change at `change` seconds: a 220 Hz note releasing (30 ms) under a 330 Hz one
// swelling in over `attack` seconds, with white noise of this amplitude.
std::vector<float> legato(double change, double attack, double noise) {
    std::vector<float> x(static_cast<std::size_t>(0.5 * kRate), 0.0f);
    add_note(x, 220.0, 0.0, 0.5,
             [=](double t) { return t < change ? 1.0 : std::exp(-(t - change) / 0.03); });
    add_note(x, 330.0, change, 0.5, [=](double t) { return std::min(1.0, (t - change) / attack); });
    add_noise(x, noise);
    return x;
}

// A bowed or breathed attack's gain from `onset`: 60 dB up in 80 ms, straight in dB.
auto swell(double onset) {
    return [onset](double t) {
        return std::pow(10.0, std::min(0.0, -60.0 + 60.0 * (t - onset) / 0.08) / 20.0);
    };
}

// A struck 330 Hz note at `onset` seconds after a quieter, fading 220 Hz one that stops there.
std::vector<float> struck(double onset) {
    std::vector<float> x(static_cast<std::size_t>(0.5 * kRate), 0.0f);
    add_note(x, 220.0, 0.0, onset, [](double t) { return 0.3 * std::exp(-t / 0.3); });
    add_note(x, 330.0, onset, 0.5, [=](double t) { return std::exp(-(t - onset) / 0.3); });
    add_noise(x, 0.0003);
    return x;
}

// The frames a path gave, at these frequencies, through the refiner.
std::vector<PitchFrame> refine(const std::vector<float>& signal,
                               const std::vector<double>& frequencies, double hop = 0.01) {
    ChangeRefiner refiner(kRate, hop, signal.size() + 16);
    refiner.input().write(0, signal.data(), signal.size());
    std::vector<PitchFrame> out;
    const FrameSink sink = [&](const PitchFrame& f) { out.push_back(f); };
    for (std::size_t i = 0; i < frequencies.size(); ++i) {
        PitchFrame f;
        f.time = double(i) * hop;
        f.frequency = frequencies[i];
        f.confidence = 0.95;
        f.voiced = true;
        refiner.push(f, sink);
    }
    refiner.finish(sink);
    return out;
}

// `old_f` up to frame `step`, `new_f` from it.
std::vector<PitchFrame> refine(const std::vector<float>& signal, double old_f, double new_f,
                               std::size_t step, std::size_t count, double hop = 0.01) {
    std::vector<double> frequencies(count, new_f);
    std::fill_n(frequencies.begin(), step, old_f);
    return refine(signal, frequencies, hop);
}

// Where the error's rise begins (rise_start, 2.5 ms bins) in x[lead ..], from the running
// sums find_change left in `sums`.
std::optional<std::size_t> rise_in(const std::vector<float>& x, std::size_t lead,
                                   const std::vector<double>& sums) {
    const auto bin = static_cast<std::size_t>(0.0025 * kRate);
    const std::size_t n = x.size() - lead;
    std::vector<double> levels(rise_start_scratch(n, bin));
    return rise_start(sums, n, bin, levels);
}

// A sharp step: the split is at it, and the error's rise (a ramp of no length) begins there.
TEST(ChangePoint, SplitsWhereTheOldPeriodStopsPredicting) {
    std::vector<float> x(static_cast<std::size_t>(0.3 * kRate), 0.0f);
    add_note(x, 220.0, 0.0, 0.2, [](double) { return 1.0; });
    add_note(x, 330.0, 0.2, 0.3, [](double) { return 1.0; });
    const auto lead = static_cast<std::size_t>(0.1 * kRate);
    std::vector<double> sums(x.size());
    const auto found = find_change(x, lead, kRate / 220.0, sums);
    ASSERT_TRUE(found);
    EXPECT_NEAR(double(lead + found->split) / kRate, 0.2, 0.001);
    EXPECT_GT(found->rise_db, 30.0);
    const auto rise = rise_in(x, lead, sums);
    ASSERT_TRUE(rise);
    EXPECT_NEAR(double(lead + *rise) / kRate, 0.2, 0.003);
}

TEST(ChangePoint, ASteadyNoteInNoiseShowsNoRise) {
    std::vector<float> x(static_cast<std::size_t>(0.3 * kRate), 0.0f);
    add_note(x, 220.0, 0.0, 0.3, [](double) { return 1.0; });
    add_noise(x, 0.1);
    std::vector<double> sums(x.size());
    const auto found = find_change(x, 2000, kRate / 220.0, sums);
    if (found) {
        EXPECT_LT(found->rise_db, 4.0);
    }
}

// The old note sounds on while the new one swells in from 0.2 s, 60 dB in 80 ms (a bow, a
// breath): the error of the old period grows all through the swell. The best split between
// two levels falls in the middle of it; the fitted ramp begins where the new note does
// (within a few 2.5 ms bins).
TEST(ChangePoint, AGradualRiseBeginsWhereTheNewNoteDoes) {
    std::vector<float> x(static_cast<std::size_t>(0.35 * kRate), 0.0f);
    add_note(x, 220.0, 0.0, 0.35, [](double) { return 1.0; });
    add_note(x, 330.0, 0.2, 0.35, swell(0.2));
    add_noise(x, 0.001);
    const auto lead = static_cast<std::size_t>(0.1 * kRate);
    std::vector<double> sums(x.size());
    const auto found = find_change(x, lead, kRate / 220.0, sums);
    ASSERT_TRUE(found);
    const auto rise = rise_in(x, lead, sums);
    ASSERT_TRUE(rise);
    EXPECT_NEAR(double(lead + *rise) / kRate, 0.2, 0.0075);
    EXPECT_GT(double(found->split) - double(*rise), 0.015 * kRate); // the split is later
}

// A legato change heard late: the new note begins at 0.165 s under the old one's release,
// and the path steps at frame 20. Frames 17-19 (centred after the change) take the new
// pitch and keep the one they were heard at.
TEST(ChangeRefiner, AChangeHeardLateBeginsWhereTheSignalChanges) {
    const auto x = legato(0.165, 0.05, 0.001);
    const auto out = refine(x, 220.0, 330.0, 20, 40);
    ASSERT_EQ(out.size(), 40u);
    for (std::size_t i = 0; i < 40; ++i) {
        EXPECT_NEAR(out[i].time, 0.01 * double(i), 1e-12);
        EXPECT_NEAR(out[i].frequency, i < 17 ? 220.0 : 330.0, 1e-6) << i;
        EXPECT_NEAR(out[i].heard_frequency, i >= 17 && i < 20 ? 220.0 : 0.0, 1e-6) << i;
    }
}

// A bowed or breathed change: the new note swells in from 0.165 s (60 dB in 80 ms) under an
// old one ringing on (an organ pipe's release), and the path steps at frame 22. The old
// period's error grows from the onset on; the frames centred 10 ms or more after the onset
// (18-21) take the new pitch, not only those after the middle of the growth (19-21), and
// those before it keep the old one. (Frame 17, 5 ms in, hears the new note 55 dB down.)
TEST(ChangeRefiner, AGradualAttackBeginsWhereItsRiseBegins) {
    std::vector<float> x(static_cast<std::size_t>(0.5 * kRate), 0.0f);
    add_note(x, 220.0, 0.0, 0.5,
             [](double t) { return t < 0.165 ? 1.0 : std::exp(-(t - 0.165) / 1.0); });
    add_note(x, 330.0, 0.165, 0.5, swell(0.165));
    add_noise(x, 0.001);
    const auto out = refine(x, 220.0, 330.0, 22, 40);
    for (std::size_t i = 0; i < 40; ++i) {
        if (i == 17) continue;
        EXPECT_NEAR(out[i].frequency, i < 17 ? 220.0 : 330.0, 1e-6) << i;
    }
}

// A note released where the next begins (a flute's legato in FluidR3): the old one decays
// from 0.165 s (8.7 dB per 20 ms) while the new one's sound only comes in 40 ms later, until
// when the old period still predicts the signal. The path steps at frame 24; the change is
// where the old note began to fall, so frames from 17 (centred 5 ms after it) take the new
// pitch, not only those from 21.
TEST(ChangeRefiner, AReleasedNoteChangesWhereItsFallBegins) {
    std::vector<float> x(static_cast<std::size_t>(0.5 * kRate), 0.0f);
    add_note(x, 880.0, 0.0, 0.5,
             [](double t) { return t < 0.165 ? 1.0 : std::exp(-(t - 0.165) / 0.025); });
    add_note(x, 1320.0, 0.2, 0.5, [](double t) { return 0.2 * std::min(1.0, (t - 0.2) / 0.02); });
    add_noise(x, 0.02);
    const auto out = refine(x, 880.0, 1320.0, 23, 40);
    for (std::size_t i = 0; i < 40; ++i)
        EXPECT_NEAR(out[i].frequency, i < 17 ? 880.0 : 1320.0, 1e-6) << i;
}

// The same change with two frames between the notes at neither pitch (the pair's common
// sub-harmonic): they and the old frames after the change take the new pitch.
TEST(ChangeRefiner, FramesBetweenTheNotesTakeTheNewPitch) {
    const auto x = legato(0.135, 0.05, 0.001);
    std::vector<double> frequencies(40, 330.0);
    std::fill_n(frequencies.begin(), 17, 220.0);
    frequencies[17] = frequencies[18] = 110.0;
    const auto out = refine(x, frequencies);
    for (std::size_t i = 0; i < 40; ++i)
        EXPECT_NEAR(out[i].frequency, i < 14 ? 220.0 : 330.0, 1e-6) << i;
}

// A struck note heard early: its attack at 0.226 s reaches the windows of frames 20-22,
// whose centres are still in the old note; they keep the old pitch.
TEST(ChangeRefiner, ASharpAttackHeardEarlyBeginsAtTheAttack) {
    const auto out = refine(struck(0.226), 220.0, 330.0, 20, 40);
    for (std::size_t i = 0; i < 40; ++i) {
        EXPECT_NEAR(out[i].frequency, i < 23 ? 220.0 : 330.0, 1e-6) << i;
        EXPECT_NEAR(out[i].heard_frequency, i >= 20 && i < 23 ? 330.0 : 0.0, 1e-6) << i;
    }
}

// A struck note beginning 2 ms after frame 20's centre: that frame still belongs to the old
// note (the change is placed within a millisecond or two of the attack, not 3 ms early).
TEST(ChangeRefiner, AFrameJustBeforeASharpAttackKeepsTheOldNote) {
    const auto out = refine(struck(0.202), 220.0, 330.0, 19, 40);
    for (std::size_t i = 0; i < 40; ++i)
        EXPECT_NEAR(out[i].frequency, i < 21 ? 220.0 : 330.0, 1e-6) << i;
}

// A breathy note (noise 15 dB under it) and a successor swelling in: the error rises too
// little for a sharp attack, so the frames at the new pitch stay as the path gave them.
TEST(ChangeRefiner, ASoftAttackIsNotMovedLater) {
    const auto x = legato(0.226, 0.06, 0.07);
    const auto out = refine(x, 220.0, 330.0, 20, 40);
    for (std::size_t i = 20; i < 40; ++i)
        EXPECT_EQ(out[i].frequency, 330.0) << i;
}

TEST(ChangeRefiner, NoiseMovesNothing) {
    std::vector<float> x(static_cast<std::size_t>(0.5 * kRate), 0.0f);
    add_noise(x, 0.1);
    const auto out = refine(x, 220.0, 330.0, 20, 40);
    for (std::size_t i = 0; i < 40; ++i) {
        EXPECT_EQ(out[i].frequency, i < 20 ? 220.0 : 330.0) << i;
        EXPECT_EQ(out[i].heard_frequency, 0.0) << i;
    }
}

TEST(ChangeRefiner, LongHopsPassThrough) {
    std::vector<float> x(static_cast<std::size_t>(2.0 * kRate), 0.0f);
    add_note(x, 220.0, 0.0, 0.9, [](double) { return 1.0; });
    add_note(x, 330.0, 0.9, 2.0, [](double) { return 1.0; });
    EXPECT_EQ(ChangeRefiner(kRate, 0.05, 1000).delay(), 0u);
    EXPECT_EQ(ChangeRefiner(kRate, 0.01, 1000).delay(), 10u); // 0.1 s
    const auto out = refine(x, 220.0, 330.0, 20, 40, 0.05);
    ASSERT_EQ(out.size(), 40u);
    for (std::size_t i = 0; i < 40; ++i)
        EXPECT_EQ(out[i].frequency, i < 20 ? 220.0 : 330.0) << i;
}

TEST(InputHistory, KeepsTheNewestSamplesAndZerosElsewhere) {
    InputHistory history(8);
    const float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {5, 6, 7, 8, 9, 10};
    history.write(-2, a, 6); // samples -2..3
    history.write(2, b, 6);  // 2..7, overlapping: the first two are already held
    float out[12];
    history.copy(-3, 12, out);
    const float expected[12] = {0, 0, 0, 3, 4, 5, 6, 7, 8, 9, 10, 0}; // -1 fell out of the ring
    for (int i = 0; i < 12; ++i)
        EXPECT_EQ(out[i], expected[i]) << i;
}

// End to end: struck notes, each beginning while the one before still rings. A frame's
// window hears a sharp attack a frame or two before the note begins; the frames centred
// before each onset (by more than 3 ms) keep the note before.
TEST(ChangeRefiner, StruckNotesChangeAtTheirOnsetsInTheTrack) {
    const double onsets[] = {0.0, 0.4137, 0.8262, 1.2391, 1.6518};
    const double pitches[] = {196.0, 293.66, 246.94, 392.0, 329.63};
    std::vector<float> x(static_cast<std::size_t>(2.1 * kRate), 0.0f);
    for (int n = 0; n < 5; ++n)
        add_note(x, pitches[n], onsets[n], 2.1,
                 [o = onsets[n]](double t) { return 0.8 * std::exp(-(t - o) / 0.15); });
    const auto frames = test::track(x, kRate);
    int checked = 0;
    for (const auto& f : frames) {
        int note = 0;
        while (note < 4 && f.time >= onsets[note + 1])
            ++note;
        // A frame within 3 ms of an onset may go either way (the change is placed to a few
        // milliseconds).
        const bool near_onset = std::abs(f.time - onsets[note]) < 0.003 ||
                                (note < 4 && onsets[note + 1] - f.time < 0.003);
        if (f.time < 0.05 || f.time > 2.0 || near_onset) continue;
        ++checked;
        EXPECT_LT(std::abs(cents(f.frequency, pitches[note])), 50.0) << "at " << f.time;
    }
    EXPECT_GT(checked, 190);
}

} // namespace
} // namespace pitchscribe::detail

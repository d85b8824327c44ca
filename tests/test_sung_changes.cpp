// What a singer does between two notes, tracked: a portamento is heard as the pitch
// travelling (src/glide_check.cpp), not as two notes crossfading, and the frames follow it
// through its middle; across a consonant the old note keeps its frames. (That a crossfade is
// still handed over in one step is measured on the accuracy corpus: its frames are unchanged.)
// And a note that speaks slowly under the old one's release is heard arriving.
#include "change_point.hpp" // InputHistory
#include "glide_check.hpp"
#include "note_track.hpp"
#include "test_signals.hpp"
#include "track_helpers.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <pitchscribe/notes.hpp>
#include <random>
#include <vector>

namespace pitchscribe::detail {
namespace {

using test::cents;
constexpr double kRate = 44100.0;
constexpr double kWindow = 0.051; // the detector's frame at 44.1 kHz

// A voice-like tone (harmonics falling 6 dB an octave) whose pitch follows semitones(t)
// above `base` Hz, with gain(t).
template <typename Pitch, typename Gain>
void add_voice(std::vector<float>& x, double base, Pitch semitones, Gain gain) {
    double phase = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double t = double(i) / kRate;
        const double f0 = base * std::exp2(semitones(t) / 12.0);
        phase += 2.0 * std::numbers::pi * f0 / kRate;
        double v = 0.0;
        for (int h = 1; h * f0 < 5000.0; ++h)
            v += std::sin(h * phase) / h;
        x[i] += static_cast<float>(0.3 * gain(t) * v);
    }
}

// 220 Hz, then a smooth glide of `interval` semitones over 0.1 s from 0.4 s, held after.
double glide_semitones(double t, double interval) {
    const double u = std::clamp((t - 0.4) / 0.1, 0.0, 1.0);
    return interval * u * u * (3.0 - 2.0 * u);
}

std::vector<float> portamento(double interval) {
    std::vector<float> x(static_cast<std::size_t>(1.0 * kRate), 0.0f);
    add_voice(
        x, 220.0, [=](double t) { return glide_semitones(t, interval); },
        [](double) { return 1.0; });
    return x;
}

// A legato change as a sample player renders it: 220 Hz released at 0.4 s (decaying with a
// 60 ms time constant) while a note `interval` semitones up swells in over 80 ms.
std::vector<float> crossfade(double interval) {
    std::vector<float> x(static_cast<std::size_t>(1.0 * kRate), 0.0f);
    add_voice(
        x, 220.0, [](double) { return 0.0; },
        [](double t) { return t < 0.4 ? 1.0 : std::exp(-(t - 0.4) / 0.06); });
    add_voice(
        x, 220.0, [=](double) { return interval; },
        [](double t) { return std::clamp((t - 0.4) / 0.08, 0.0, 1.0); });
    return x;
}

std::optional<bool> heard_at(const std::vector<float>& x, double time, double between) {
    InputHistory input(x.size());
    input.write(0, x.data(), x.size());
    GlideCheck check(input, kRate, kWindow);
    return check.glides(time, 220.0, between, 220.0 * std::exp2(3.0 / 12.0));
}

TEST(GlideCheck, APortamentoIsAGlide) {
    // At 0.45 s the glide is half way: 1.5 semitones up.
    EXPECT_EQ(heard_at(portamento(3.0), 0.45, 220.0 * std::exp2(1.5 / 12.0)), true);
}

TEST(GlideCheck, TwoNotesCrossfadingAreNoGlide) {
    EXPECT_EQ(heard_at(crossfade(3.0), 0.43, 220.0 * std::exp2(1.5 / 12.0)), false);
}

TEST(GlideCheck, APitchTooCloseToTheNotesCannotBeTold) {
    // 3 cents above the old note: no harmonic under 3 kHz is resolved from both notes'.
    EXPECT_EQ(heard_at(portamento(3.0), 0.45, 220.4), std::nullopt);
}

// The new note's harmonics between the old one's: in the valleys while the old note sounds
// alone, as loud as its own once the new one has swelled in.
TEST(GlideCheck, ANewNotesHarmonicsRiseBetweenTheOldOnes) {
    const auto x = crossfade(1.0);
    InputHistory input(x.size());
    input.write(0, x.data(), x.size());
    GlideCheck check(input, kRate, kWindow);
    const double next = 220.0 * std::exp2(1.0 / 12.0);
    const auto alone = check.harmonics_between(0.3, next, 220.0);
    const auto both = check.harmonics_between(0.45, next, 220.0);
    ASSERT_TRUE(alone && both);
    EXPECT_LT(alone->note, 0.01 * alone->other); // -46 dB
    EXPECT_GT(both->note, 0.5 * both->other);    // +3 dB
}

TEST(GlideCheck, NoInputHeldCannotBeTold) {
    InputHistory none(0);
    GlideCheck check(none, kRate, kWindow);
    EXPECT_EQ(check.glides(0.45, 220.0, 240.0, 261.6), std::nullopt);
    EXPECT_FALSE(check.harmonics_between(0.45, 233.1, 220.0));
}

// The tracker's frames in the middle of a 3-semitone portamento: where the sung pitch is
// between the notes, so is the track (the hand-over used to give them the new note).
TEST(SungChanges, TheTrackFollowsAPortamentoThroughItsMiddle) {
    const auto frames = test::track(portamento(3.0), kRate);
    int checked = 0;
    for (const PitchFrame& f : frames) {
        if (f.time < 0.425 || f.time > 0.475) continue;
        const double truth = 220.0 * std::exp2(glide_semitones(f.time, 3.0) / 12.0);
        ASSERT_TRUE(f.voiced) << f.time;
        EXPECT_LT(std::abs(cents(f.frequency, truth)), 50.0) << f.time;
        ++checked;
    }
    EXPECT_EQ(checked, 5);
}

// Two syllables: an A3 vowel to 0.5 s, a consonant (60 ms of noise 20 dB under the vowel),
// a C4 vowel swelling in over 30 ms; dry or in a room.
std::vector<float> two_syllables() {
    std::vector<float> x(static_cast<std::size_t>(1.0 * kRate), 0.0f);
    add_voice(
        x, 220.0, [](double) { return 0.0; }, [](double t) { return t < 0.5 ? 1.0 : 0.0; });
    add_voice(
        x, 220.0, [](double) { return 3.0; },
        [](double t) { return std::clamp((t - 0.56) / 0.03, 0.0, 1.0); });
    std::mt19937 random(3);
    std::normal_distribution<float> noise(0.0f, 0.03f);
    for (auto i = static_cast<std::size_t>(0.5 * kRate); i < static_cast<std::size_t>(0.56 * kRate);
         ++i)
        x[i] += noise(random);
    return x;
}

// A room: the dry sound plus a tail of sparse random taps (one a millisecond on average)
// decaying 60 dB in 0.8 s, 9 dB under the dry sound, as bench/accuracy/sung_voice.py's.
std::vector<float> in_a_room(const std::vector<float>& dry) {
    std::mt19937 random(5);
    std::uniform_real_distribution<double> spacing(0.0, 2.0e-3), sign(-1.0, 1.0);
    std::vector<std::pair<std::size_t, double>> taps;
    for (double t = 1.0e-3; t < 0.8; t += spacing(random))
        taps.emplace_back(static_cast<std::size_t>(t * kRate),
                          (sign(random) < 0.0 ? -1.0 : 1.0) * std::exp(-6.9 * t / 0.8));
    std::vector<double> wet(dry.size(), 0.0);
    for (const auto& [delay, gain] : taps)
        for (std::size_t i = delay; i < dry.size(); ++i)
            wet[i] += gain * dry[i - delay];
    double dry_power = 0.0, wet_power = 0.0;
    for (std::size_t i = 0; i < dry.size(); ++i) {
        dry_power += double(dry[i]) * dry[i];
        wet_power += wet[i] * wet[i];
    }
    const double gain = 0.35 * std::sqrt(dry_power / wet_power);
    std::vector<float> out(dry.size());
    for (std::size_t i = 0; i < dry.size(); ++i)
        out[i] = static_cast<float>(dry[i] + gain * wet[i]);
    return out;
}

std::vector<Note> notes_of(const std::vector<float>& x) {
    return test::segment(test::track(x, kRate));
}

// The frames that hear the A3 end are no crossfade into the C4 (the A3 ended, it did not
// fade under the C4), so the C4 begins after the consonant.
TEST(SungChanges, ANoteAfterAConsonantBeginsAfterIt) {
    const auto notes = notes_of(two_syllables());
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[1].name, "C4");
    EXPECT_GT(notes[1].onset, 0.53);
}

// In a room the A3's reverberation fills the consonant: its frames are voiced and hear
// neither vowel clearly. They still go to the C4 (the track is unchanged), but heard at the
// A3, so the C4 begins after the consonant here too.
TEST(SungChanges, ANoteAfterAConsonantInARoomBeginsAfterIt) {
    const auto notes = notes_of(in_a_room(two_syllables()));
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[1].name, "C4");
    EXPECT_GT(notes[1].onset, 0.53);
}

// An organ pipe's or a bowed string's legato change: an F3 released at 0.6 s, ringing on
// (decaying with a 0.4 s time constant) while an F#3 swells in over 0.2 s, to half its level.
std::vector<float> slow_attack_under_a_release() {
    std::vector<float> x(static_cast<std::size_t>(1.4 * kRate), 0.0f);
    add_voice(
        x, 175.0, [](double) { return 0.0; },
        [](double t) { return t < 0.6 ? 1.0 : std::exp(-(t - 0.6) / 0.4); });
    add_voice(
        x, 175.0, [](double) { return 1.0; },
        [](double t) { return 0.5 * std::clamp((t - 0.6) / 0.2, 0.0, 1.0); });
    return x;
}

// The F3 stays the clearer period until about 0.87 s; the F#3's harmonics between the F3's
// rise out of the valleys well before (src/path_arrival.cpp), and the frames go to it from
// 0.7 s.
TEST(SlowAttacks, ANoteSpeakingUnderTheOldOnesReleaseIsHeardArriving) {
    const double f_sharp = 175.0 * std::exp2(1.0 / 12.0);
    const auto frames = test::track(slow_attack_under_a_release(), kRate);
    int checked = 0;
    for (const PitchFrame& f : frames) {
        if (f.time < 0.7 || f.time > 1.2) continue;
        EXPECT_LT(std::abs(cents(f.frequency, f_sharp)), 50.0) << f.time;
        ++checked;
    }
    EXPECT_EQ(checked, 51);
    const auto notes = test::segment(frames);
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0].name, "F3");
    EXPECT_EQ(notes[1].name, "F#3");
    EXPECT_LT(notes[1].onset, 0.7);
}

} // namespace
} // namespace pitchscribe::detail

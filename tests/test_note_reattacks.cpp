// Note segmentation where one pitch is begun again: a level that jumps up or climbs out of a
// valley, a clarity notch, a burst of aperiodicity; and the attack times that place onsets.
#include "note_track.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <vector>

namespace {

using namespace pitchscribe;
using namespace pitchscribe::test;

TEST(NoteSegmenter, RepeatedNoteWithALevelDipSplits) {
    // The same pitch struck three times: the level decays, then jumps back up.
    auto level = [](double t) { return -10.0 - 40.0 * std::fmod(t, 0.4); };
    auto notes = segment(track(
        1.2, [](double) { return 330.0; }, level));
    ASSERT_EQ(notes.size(), 3u);
    EXPECT_NEAR(notes[1].onset, 0.4, 0.021);
    EXPECT_NEAR(notes[2].onset, 0.8, 0.021);
}

// A reed or bow begins the same pitch again without a level dip: for a few frames the old
// and new waveforms overlap out of phase and the clarity drops into a notch (FluidR3's
// tenor sax: 0.998 -> 0.74 -> 0.99).
std::vector<PitchFrame> notched(const std::vector<double>& notch, double cents_after = 0.0) {
    auto frames = track(
        1.0, [&](double t) { return t < 0.5 ? 330.0 : 330.0 * std::exp2(cents_after / 1200.0); },
        steady);
    notch_clarity(frames, 48, notch);
    return frames;
}

TEST(NoteSegmenter, RepeatedNoteWithAClarityNotchSplits) {
    const auto notes = segment(notched({0.95, 0.85, 0.74, 0.83, 0.95}));
    ASSERT_EQ(names(notes), (std::vector<std::string>{"E4", "E4"}));
    EXPECT_NEAR(notes[1].onset, 0.5, 0.03);
}

// A note released in a room (FluidSynth's default reverb): where the dry sound stops, the
// clarity notches (0.999 -> 0.90 -> 0.998 on a clarinet) and the reverberation rings on at
// the note's pitch, 16 dB down. The tail is the note's, not a note struck again.
TEST(NoteSegmenter, ANotchIntoAQuieterRoomTailDoesNotSplit) {
    auto frames = notched({0.95, 0.85, 0.74, 0.83, 0.95});
    for (std::size_t i = 49; i < frames.size(); ++i)
        frames[i].level_db -= std::min(16.0, 4.0 * double(i - 48));
    EXPECT_EQ(names(segment(frames)), (std::vector<std::string>{"E4"}));
}

TEST(NoteSegmenter, AShallowNotchOrOneAcrossAPitchChangeDoesNotSplit) {
    // Vibrato and tremolo move the clarity by under 0.01 (1 - clarity: 0.002 -> 0.007).
    EXPECT_EQ(segment(notched({0.997, 0.995, 0.993, 0.995, 0.997})).size(), 1u);
    // A 40-cent bend across the notch: a glide, not a re-attack (nor a step to split at).
    EXPECT_EQ(segment(notched({0.95, 0.85, 0.74, 0.83, 0.95}, 40.0)).size(), 1u);
}

// A voice's legato F3 -> E3 (FluidR3): the old note's release still sounds under the new one,
// and 90 ms after the change their crossfade notches the clarity. A notch that close to a
// change of pitch is part of the change, not a re-attack; later it is one.
TEST(NoteSegmenter, ANotchJustAfterALegatoChangeIsNoRestrike) {
    const auto step = [](std::size_t notch_at) {
        auto frames = track(
            1.2, [](double t) { return t < 0.4 ? 174.6 : 164.8; }, steady);
        notch_clarity(frames, notch_at - 2);
        return frames;
    };
    EXPECT_EQ(names(segment(step(49))), (std::vector<std::string>{"F3", "E3"}));
    EXPECT_EQ(names(segment(step(70))), (std::vector<std::string>{"F3", "E3", "E3"}));
}

// A note struck out of silence: each frame's level is the power its 50 ms window holds, so it
// starts rising 25 ms before the attack; the onset is where the window is half full.
TEST(NoteSegmenter, AnAttackOnsetIsWhereTheWindowHoldsHalfItsPower) {
    auto level = [](double t) {
        const double inside = std::clamp((t + 0.025 - 0.5) / 0.05, 0.0, 1.0);
        return inside > 0.0 ? -20.0 + 10.0 * std::log10(inside) : -120.0;
    };
    const auto notes = segment(track(
        1.0, [](double t) { return t > 0.485 ? 330.0 : 0.0; }, level));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NEAR(notes[0].onset, 0.5, 0.011);
}

// The same window over a note that swells in over 100 ms (a bow, a breath, a low pluck) out
// of a floor 25 dB under it (the note before, released), periodic enough to be voiced only
// 50 ms in: the level nears its peak 50-100 ms after the note began, but the window first
// hears it 25 ms before, so the onset is half a window after the level first climbs out of
// the floor.
TEST(NoteSegmenter, AGradualAttackBeginsHalfAWindowAfterTheLevelFirstClimbs) {
    auto level = [](double t) {
        double power = 0.0;
        for (int i = 0; i < 50; ++i) { // the window's power, 1 ms at a time
            const double amplitude = std::clamp((t - 0.025 + 0.001 * i - 0.5) / 0.1, 0.0, 1.0);
            power += amplitude * amplitude / 50.0;
        }
        return -20.0 + 10.0 * std::log10(power + std::pow(10.0, -2.5));
    };
    const auto notes = segment(track(
        1.0, [](double t) { return t > 0.545 ? 330.0 : 0.0; }, level));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_GT(notes[0].onset, 0.495); // 0.52; timed where the level nears its peak: 0.545
    EXPECT_LT(notes[0].onset, 0.53);
}

// A note released into a gap shorter than max_gap, then a new pitch bowed out of it (FluidR3's
// cello: C4, 40 ms unvoiced, D4 voiced from its first rising frame, 25 dB under the C4): the
// D4 begins at its attack, not where the C4 fell silent 60 ms earlier. The attack is judged
// by its peak, not by the level of its first frame.
TEST(NoteSegmenter, ANoteAfterAShortReleaseStartsAtItsAttack) {
    auto level = [](double t) {
        if (t < 0.705) return t < 0.5 ? -25.0 : -25.0 - 175.0 * (t - 0.5); // -60 dB at 0.7 s
        if (t < 0.725) return -64.0;
        return -28.0 - 24.0 * std::exp(-(t - 0.73) / 0.03); // -52, -45, -40, -37, ...
    };
    const auto notes = segment(track(
        1.4,
        [](double t) {
            if (t < 0.705) return 261.63;
            return t < 0.725 ? 0.0 : 293.66;
        },
        level));
    ASSERT_EQ(names(notes), (std::vector<std::string>{"C4", "D4"}));
    EXPECT_GT(notes[1].onset, 0.73);
    EXPECT_LT(notes[1].onset, 0.78);
}

// A bowed note fading out into a short gap, and the next pitch bowed out of it softly, as
// FluidR3's violin gave them (A5 to G5): the G5's first voiced frame is 6 dB above the gap,
// not yet a level jump, and the change of pitch seen there must not begin the G5 where the
// A5 fell silent, 50 ms before it was heard.
TEST(NoteSegmenter, ANewPitchAfterAGapTheOldNoteDiedIntoBeginsAfterIt) {
    const double gap[] = {-61.8, -62.6, -63.6, -65.2, -64.3}; // 0.47-0.51 s, unvoiced
    const double rise[] = {-58.5, -49.8, -44.9, -42.1, -40.0, -38.6, -37.4, -36.6};
    auto frames = track(
        1.2, [](double t) { return t < 0.465   ? 880.0
                                   : t < 0.515 ? 0.0
                                               : 783.99; },
        [](double t) { return std::max(-60.0, -28.0 - std::max(0.0, t - 0.3) * 190.0); });
    for (std::size_t i = 0; i < frames.size(); ++i) {
        PitchFrame& f = frames[i];
        f.confidence = f.voiced ? 0.996 : 0.0;
        if (i >= 47 && i < 52) f.level_db = gap[i - 47];
        if (i >= 52) { // the G5 grows clear as it grows loud
            f.level_db = i < 60 ? rise[i - 52] : -36.0;
            f.confidence = std::min(0.996, 0.76 + 0.03 * double(i - 52));
        }
    }
    const auto notes = segment(frames);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A5", "G5"}));
    EXPECT_NEAR(notes[1].onset, 0.515, 0.015); // at 0.465 before (where the A5 fell silent)
}

// A note released (still voiced, losing clarity as it fades) and the next one attacked out of
// the valley, slowly (FluidR3's tenor sax: C4 to D4): the D4 begins where the level climbs out
// of the valley, not where the C4 began to fade 150 ms earlier.
TEST(NoteSegmenter, ANoteAfterAValleyStartsWhereTheLevelClimbsOutOfIt) {
    auto level = [](double t) {
        if (t < 0.6) return -20.0;
        if (t < 0.755) return -20.0 - 200.0 * (t - 0.6); // -50 dB at 0.75 s
        return -21.0 - 30.0 * std::exp(-(t - 0.75) / 0.04);
    };
    auto frames = track(
        1.4, [](double t) { return t < 0.765 ? 261.63 : 293.66; }, level);
    for (PitchFrame& f : frames) // clear until the release, murky in the valley, clear again
        f.confidence = 0.999 - 0.2 * std::clamp(1.0 - std::abs(f.time - 0.75) / 0.15, 0.0, 1.0);
    const auto notes = segment(frames);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"C4", "D4"}));
    EXPECT_NEAR(notes[1].onset, 0.76, 0.015); // at 0.605 before (where the C4 began to fade)
}

// A syllable sung again at one pitch in a room: the consonant's gap is filled with the
// reverberation (13 dB down, still voiced, murkier), and the new vowel swells back in too
// gently for an attack (under 8 dB in 50 ms). The second note begins where the level climbs
// out of the valley, not where the first one's clarity began to fall.
TEST(NoteSegmenter, ANoteSwellingGentlyOutOfAValleyStartsWhereItClimbs) {
    auto level = [](double t) {
        if (t < 0.5) return -17.0;
        if (t < 0.58) return -17.0 - 12.0 * std::min(1.0, (t - 0.5) / 0.06);
        return std::min(-19.0, -29.0 + 150.0 * (t - 0.58)); // 1.5 dB a frame
    };
    auto frames = track(
        1.4, [](double) { return 130.81; }, level);
    for (PitchFrame& f : frames) // clear, murky in the valley, clear again
        f.confidence = 0.995 - 0.15 * std::clamp(1.0 - std::abs(f.time - 0.56) / 0.08, 0.0, 1.0);
    const auto notes = segment(frames);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"C3", "C3"}));
    EXPECT_NEAR(notes[1].onset, 0.595, 0.015);
}

// A piccolo's A5 released in a room (FluidSynth's default reverb) rings on 33 dB down, and
// the tail swells by 12 dB as the reverberation builds, losing a little clarity at its
// floor: a valley, but the level never comes back near the note's, so nothing was struck.
TEST(NoteSegmenter, AValleyInARoomTailIsNoRestrike) {
    auto level = [](double t) {
        if (t < 0.5) return -27.0;
        if (t < 0.56) return -27.0 - 550.0 * (t - 0.5);         // -60 dB at 0.56 s
        return -60.0 + 12.0 * std::min(1.0, (t - 0.56) / 0.12); // the tail swells to -48 dB
    };
    auto frames = track(
        1.0, [](double) { return 880.0; }, level);
    for (PitchFrame& f : frames) // 0.9997 clear, 0.972 at the tail's floor
        f.confidence = 0.9997 - 0.028 * std::clamp(1.0 - std::abs(f.time - 0.56) / 0.05, 0.0, 1.0);
    EXPECT_EQ(names(segment(frames)), (std::vector<std::string>{"A5"}));
}

// A sung note out of silence that swells in two steps (FluidR3's voice oohs: -44 dB, a
// plateau at -30 dB 40 ms in, then up to -20 dB) is one note (it was split at the second
// step); a note struck again 90 ms after it began, once its level has fallen, is two.
TEST(NoteSegmenter, ASwellInTwoStepsIsOneNoteAFastRestrikeIsTwo) {
    auto swell = [](double t) {
        if (t < 0.3) return -120.0;
        if (t < 0.34) return -44.0 + 350.0 * (t - 0.3); // to -30
        if (t < 0.36) return -30.0;
        return std::max(-30.0, std::min(-20.0, -30.0 + 250.0 * (t - 0.36)));
    };
    auto sung = segment(track(
        1.2, [](double t) { return t >= 0.3 ? 293.66 : 0.0; }, swell));
    ASSERT_EQ(names(sung), (std::vector<std::string>{"D4"}));
    EXPECT_LT(sung[0].onset, 0.34);

    auto struck = [](double t) { // two strikes 90 ms apart, each decaying 120 dB/s
        if (t < 0.3) return -120.0;
        return -10.0 - 120.0 * (t < 0.39 ? t - 0.3 : t - 0.39);
    };
    auto restruck = segment(track(
        1.2, [](double t) { return t >= 0.3 ? 293.66 : 0.0; }, struck));
    ASSERT_EQ(names(restruck), (std::vector<std::string>{"D4", "D4"}));
    EXPECT_NEAR(restruck[1].onset, 0.39, 0.02);
}

// A flute or a voice begun again at its pitch without a level dip or a clarity notch: for
// about 80 ms the waveform is far less periodic (1 - clarity 0.0005 -> 0.04 -> 0.0005: FluidR3's
// piccolo, 26 dB up and back), which in vibrato's dips of clarity (0.999 <-> 0.99) is not.
std::vector<PitchFrame> burst(double peak_clarity, double level_after_db = -20.0,
                              double cents_after = 0.0) {
    auto frames = track(
        1.2, [&](double t) { return t < 0.6 ? 440.0 : 440.0 * std::exp2(cents_after / 1200.0); },
        [&](double t) { return t < 0.62 ? -20.0 : level_after_db; });
    const double clear = -33.0, top = 10.0 * std::log10(1.0 - peak_clarity); // dB of 1 - c
    for (auto& f : frames) {
        const double x = (f.time - 0.6) / 0.04; // rises from 0.6 s, peaks at 0.64, falls by 0.72
        const double rise = x < 0.0 ? 0.0 : x <= 1.0 ? x : std::max(0.0, 1.0 - (x - 1.0) / 2.0);
        f.confidence = 1.0 - std::pow(10.0, (clear + rise * (top - clear)) / 10.0);
    }
    return frames;
}

TEST(NoteSegmenter, ABurstOfAperiodicityAtOnePitchIsARestrike) {
    const auto notes = segment(burst(0.96));
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A4", "A4"}));
    EXPECT_NEAR(notes[1].onset, 0.62, 0.02);
}

// A vibrato that sets in 0.3 s into a note and stops at 1.0 s: its first dip of clarity
// stands out from the steady start like a burst, but the dips recur every half cycle; its
// last is followed by steady frames, but is no higher than the dips before it.
TEST(NoteSegmenter, VibratosDipsOfClarityAreNoBursts) {
    constexpr double kRate = 5.5, kSetsIn = 0.3, kStops = 1.0;
    auto depth = [](double t) {
        return std::clamp((t - kSetsIn) / 0.05, 0.0, 1.0) *
               std::clamp((kStops - t) / 0.05, 0.0, 1.0);
    };
    auto frames = track(
        1.5,
        [&](double t) {
            const double phase = 2 * std::numbers::pi * kRate * (t - kSetsIn);
            return 440.0 * std::exp2(depth(t) * 0.4 / 12 * std::sin(phase));
        },
        steady);
    for (auto& f : frames) { // least clear where the pitch moves fastest, twice a cycle
        const double swing = std::cos(2 * std::numbers::pi * kRate * (f.time - kSetsIn));
        f.confidence = 1.0 - std::pow(10.0, (-31.0 + 14.0 * depth(f.time) * swing * swing) / 10.0);
    }
    EXPECT_EQ(segment(frames).size(), 1u);
}

TEST(NoteSegmenter, ABurstThatIsShallowFallsSilentOrBendsIsNoRestrike) {
    EXPECT_EQ(segment(burst(0.995)).size(), 1u);             // 1 - c: -33 -> -23 dB, 10 dB up
    EXPECT_EQ(segment(burst(0.96, -35.0)).size(), 1u);       // a release ringing on, 15 dB down
    EXPECT_EQ(segment(burst(0.96, -20.0, 40.0)).size(), 1u); // a 40-cent bend: a glide
}

} // namespace

// Note segmentation on synthetic pitch tracks: what stays one note and what splits.
#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <pitchscribe/notes.hpp>
#include <vector>

namespace {

using namespace pitchscribe;

constexpr double kHop = 0.01;

// Builds a track frame by frame: `hz(t)` gives the pitch (0 = unvoiced), `db(t)` the level.
template <typename Pitch, typename Level>
std::vector<PitchFrame> track(double seconds, Pitch hz, Level db) {
    std::vector<PitchFrame> frames;
    for (int i = 0; i * kHop < seconds; ++i) {
        PitchFrame f;
        f.time = i * kHop;
        f.frequency = hz(f.time);
        f.voiced = f.frequency > 0.0;
        f.confidence = f.voiced ? 0.95 : 0.2;
        f.level_db = db(f.time);
        frames.push_back(f);
    }
    return frames;
}

std::vector<Note> segment(const std::vector<PitchFrame>& frames, const NoteConfig& config = {}) {
    std::vector<Note> notes;
    NoteSegmenter segmenter(config);
    auto sink = [&](const Note& n) { notes.push_back(n); };
    for (const PitchFrame& f : frames)
        segmenter.push(f, sink);
    segmenter.finish(sink);
    return notes;
}

double steady(double) {
    return -20.0;
}

std::vector<std::string> names(const std::vector<Note>& notes) {
    std::vector<std::string> out;
    for (const Note& n : notes)
        out.push_back(n.name);
    return out;
}

TEST(NoteSegmenter, OneHeldNoteWithItsTimesAndName) {
    auto notes = segment(track(
        2.0, [](double t) { return t >= 0.5 && t < 1.5 ? 220.0 : 0.0; }, steady));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].name, "A3");
    EXPECT_EQ(notes[0].midi, 57);
    EXPECT_NEAR(notes[0].onset, 0.5, 0.011);
    EXPECT_NEAR(notes[0].offset, 1.5, 0.011);
    EXPECT_NEAR(notes[0].frequency, 220.0, 1e-9);
    EXPECT_NEAR(notes[0].confidence, 0.95, 1e-9);
    EXPECT_NEAR(notes[0].cents, 0.0, 1e-9);
}

TEST(NoteSegmenter, VibratoOfFiftyCentsAtSixHertzStaysOneNote) {
    auto notes = segment(track(
        3.0,
        [](double t) {
            return 440.0 * std::pow(2.0, 0.5 / 12 * std::sin(2 * std::numbers::pi * 6 * t));
        },
        steady));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].name, "A4");
    EXPECT_LT(std::abs(notes[0].cents), 10.0);
}

TEST(NoteSegmenter, SlowGlideStaysOneNote) {
    // Two semitones up over two seconds, as a pitch bend would.
    auto notes = segment(track(
        2.0, [](double t) { return 220.0 * std::pow(2.0, t / 12.0); }, steady));
    ASSERT_EQ(notes.size(), 1u);
}

// A pitch bend within one note, 1.2 semitones in 120 ms (the accuracy corpus bends 0.5-1.9
// semitones in 0.1-0.3 s): one note, named by the pitch it holds longest.
std::vector<PitchFrame> bent(double clarity_during_bend) {
    auto frames = track(
        1.0,
        [](double t) {
            const double bend = std::clamp((t - 0.3) / 0.12, 0.0, 1.0) * 1.2;
            return 220.0 * std::exp2(bend / 12.0);
        },
        steady);
    for (auto& f : frames)
        f.confidence = f.time > 0.28 && f.time < 0.44 ? clarity_during_bend : 0.99;
    return frames;
}

TEST(NoteSegmenter, AFastBendWithinANoteStaysOneNote) {
    const auto notes = segment(bent(0.99));
    EXPECT_EQ(names(notes), (std::vector<std::string>{"A#3"})); // A3 + 1.2: A#3 + 20 cents
}

// The same movement with the clarity of two notes overlapping is a change of note.
TEST(NoteSegmenter, ASlurThroughOverlappingNotesSplits) {
    EXPECT_EQ(segment(bent(0.85)).size(), 2u);
}

TEST(NoteSegmenter, StepsBetweenNotesSplit) {
    const double hz[] = {261.63, 293.66, 329.63, 261.63, 196.0};
    auto notes = segment(track(
        2.5, [&](double t) { return hz[std::min(4, int(t / 0.5))]; }, steady));
    EXPECT_EQ(names(notes), (std::vector<std::string>{"C4", "D4", "E4", "C4", "G3"}));
    for (std::size_t i = 1; i < notes.size(); ++i)
        EXPECT_NEAR(notes[i].onset, 0.5 * double(i), 0.011) << i;
}

TEST(NoteSegmenter, SemitoneStepSplits) {
    auto notes = segment(track(
        1.0, [](double t) { return t < 0.5 ? 440.0 : 466.16; }, steady));
    EXPECT_EQ(names(notes), (std::vector<std::string>{"A4", "A#4"}));
}

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
    for (auto& f : frames)
        f.confidence = 0.998;
    for (std::size_t i = 0; i < notch.size(); ++i)
        frames[48 + i].confidence = notch[i];
    return frames;
}

TEST(NoteSegmenter, RepeatedNoteWithAClarityNotchSplits) {
    const auto notes = segment(notched({0.95, 0.85, 0.74, 0.83, 0.95}));
    ASSERT_EQ(names(notes), (std::vector<std::string>{"E4", "E4"}));
    EXPECT_NEAR(notes[1].onset, 0.5, 0.03);
}

TEST(NoteSegmenter, AShallowNotchOrOneAcrossAPitchChangeDoesNotSplit) {
    // Vibrato and tremolo move the clarity by under 0.01.
    EXPECT_EQ(segment(notched({0.99, 0.975, 0.97, 0.975, 0.99})).size(), 1u);
    // A 40-cent bend across the notch: a glide, not a re-attack (nor a step to split at).
    EXPECT_EQ(segment(notched({0.95, 0.85, 0.74, 0.83, 0.95}, 40.0)).size(), 1u);
}

TEST(NoteSegmenter, ALateAttackAfterAStepIsTheNewNotesOwn) {
    // A blown note steps up; its level dips as the old note stops and comes up 80 ms later.
    auto level = [](double t) { return t >= 0.5 && t < 0.58 ? -31.0 : -20.0; };
    auto notes = segment(track(
        1.2, [](double t) { return t < 0.5 ? 440.0 : 493.88; }, level));
    EXPECT_EQ(names(notes), (std::vector<std::string>{"A4", "B4"}));
}

// In noise the clarity wanders by a few hundredths from frame to frame; the boundary of a
// change of pitch must not go back to whichever frame was clearest by chance.
TEST(NoteSegmenter, AStepInNoiseIsSplitWhereThePitchChanges) {
    auto frames = track(
        1.0, [](double t) { return t < 0.5 ? 440.0 : 493.88; }, steady);
    for (std::size_t i = 0; i < frames.size(); ++i)
        frames[i].confidence = 0.85 + 0.02 * std::sin(2.3 * double(i));
    frames[40].confidence = 0.88; // 100 ms before the step
    const auto notes = segment(frames);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A4", "B4"}));
    EXPECT_NEAR(notes[1].onset, 0.5, 0.03);
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

// An A4 with a 6 Hz, 40-cent vibrato whose clarity dips where the pitch moves fastest (as
// a bent note's NSDF does), then a C5: the C5 begins at the step, not at the last crest of
// the vibrato's clarity before it.
TEST(NoteSegmenter, AVibratosClarityDipsAreNotTheOldNotesFade) {
    constexpr double kTwoPi = 2.0 * std::numbers::pi;
    auto frames = track(
        1.6,
        [&](double t) {
            return t < 1.0 ? 440.0 * std::exp2(0.4 / 12.0 * std::sin(kTwoPi * 6.0 * t)) : 523.25;
        },
        steady);
    for (PitchFrame& f : frames)
        f.confidence =
            f.time < 1.0 ? 0.99 - 0.08 * std::abs(std::cos(kTwoPi * 6.0 * f.time)) : 0.99;
    const auto notes = segment(frames);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A4", "C5"}));
    EXPECT_NEAR(notes[1].onset, 1.0, 0.015);
}

// A cello's A#4 + 40 cents fades into a G3 through three frames of a sub-harmonic (G2):
// the mean pitch of the A#4's last 170 ms, pulled down by those frames, lay an octave above
// the G3, and the change was taken for the track slipping an octave on a fading note.
TEST(NoteSegmenter, AFewSubharmonicFramesDoNotMakeAStepLookLikeAnOctaveSlip) {
    auto level = [](double t) {
        return t < 0.5 ? -24.0 : std::max(-32.0, -24.0 - 80.0 * (t - 0.5));
    };
    const auto notes = segment(track(
        1.2, [](double t) { return t < 0.52 ? 472.0 : (t < 0.55 ? 99.6 : 196.4); }, level));
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A#4", "G3"}));
}

// A D4 whose level falls 30 dB over a second, its track jumping an octave at 0.6 s (-14 dB
// under its peak) or at 0.9 s (-23 dB).
std::vector<Note> fading_jump(double jump_at, double factor) {
    return segment(track(
        1.2, [&](double t) { return t < jump_at ? 293.66 : 293.66 * factor; },
        [](double t) { return -20.0 - 25.0 * std::max(0.0, t - 0.05); }));
}

// Up an octave on a fading note is the track slipping to the 2nd harmonic: one D4. Down an
// octave is a sub-harmonic only in the note's tail; earlier it is a note sung or bowed an
// octave lower, legato and quieter (a voice's D4 -> D3 was kept as one D4).
TEST(NoteSegmenter, AnOctaveJumpOnAFadingNoteIsASlipUpOrInTheTail) {
    EXPECT_EQ(names(fading_jump(0.6, 2.0)), (std::vector<std::string>{"D4"}));
    EXPECT_EQ(names(fading_jump(0.9, 0.5)), (std::vector<std::string>{"D4"}));
    EXPECT_EQ(names(fading_jump(0.6, 0.5)), (std::vector<std::string>{"D4", "D3"}));
}

TEST(NoteSegmenter, ShortDropOutIsBridgedLongGapIsNot) {
    auto notes = segment(track(
        2.0,
        [](double t) {
            const bool dropout = t >= 0.5 && t < 0.54; // 40 ms
            const bool rest = t >= 1.0 && t < 1.2;     // 200 ms
            return dropout || rest ? 0.0 : 392.0;
        },
        steady));
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_NEAR(notes[0].offset, 1.0, 0.011);
    EXPECT_NEAR(notes[1].onset, 1.2, 0.011);
}

TEST(NoteSegmenter, BlipsAreAbsorbed) {
    // 30 ms of a wrong octave inside a note, and a lone 30 ms chirp in silence.
    auto notes = segment(track(
        2.0,
        [](double t) {
            if (t >= 0.5 && t < 0.53) return 880.0;
            if (t >= 1.5 && t < 1.53) return 1000.0;
            return t < 1.0 ? 440.0 : 0.0;
        },
        steady));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].name, "A4");
    EXPECT_NEAR(notes[0].offset, 1.0, 0.011);
}

// A legato C4 -> G3 whose first `fragment` seconds sound at G4, `clarity` clear (the G3
// after is 0.98): an organ pipe speaking at its octave first.
std::vector<Note> octave_first(double fragment, double clarity) {
    auto frames = track(
        1.6, [&](double t) { return t < 0.6 ? 261.63 : (t < 0.6 + fragment ? 392.0 : 196.0); },
        steady);
    for (PitchFrame& f : frames)
        f.confidence = f.frequency == 392.0 ? clarity : 0.98;
    return segment(frames);
}

TEST(NoteSegmenter, AnAttackThatSpeaksAtTheOctaveFirstIsOneNote) {
    const auto notes = octave_first(0.25, 0.8);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"C4", "G3"}));
    EXPECT_NEAR(notes[1].onset, 0.6, 0.011);
    EXPECT_NEAR(notes[1].frequency, 196.0, 1e-9);
}

// As clear as the note after, or longer than an attack, it is a note of its own.
// The octave is judged on the pitches, not on the note numbers: a D#4 + 40 cents fragment
// (the sub-octave of a sharp E5 - 40 cents, while a C4 fades) is the E5's start.
TEST(NoteSegmenter, AnOctaveOffFragmentBetweenNoteNumbersJoinsTheNote) {
    const auto notes = segment(track(
        1.5, [](double t) { return t < 0.6 ? 261.63 : (t < 0.68 ? 318.0 : 641.6); }, steady));
    ASSERT_EQ(names(notes), (std::vector<std::string>{"C4", "E5"}));
    EXPECT_NEAR(notes[1].onset, 0.6, 0.011);
}

TEST(NoteSegmenter, AClearOrLongOctaveBeforeANoteIsANote) {
    EXPECT_EQ(names(octave_first(0.25, 0.95)), (std::vector<std::string>{"C4", "G4", "G3"}));
    EXPECT_EQ(names(octave_first(0.35, 0.8)), (std::vector<std::string>{"C4", "G4", "G3"}));
}

TEST(NoteSegmenter, TuningReferenceNamesTheNotes) {
    NoteConfig config;
    config.tuning.a4 = 432.0;
    auto notes = segment(track(
                             1.0, [](double) { return 432.0; }, steady),
                         config);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].name, "A4");
    EXPECT_NEAR(notes[0].cents, 0.0, 1e-9);
}

TEST(NoteSegmenter, SilenceAndEmptyTracksGiveNoNotes) {
    EXPECT_TRUE(segment({}).empty());
    EXPECT_TRUE(segment(track(
                            1.0, [](double) { return 0.0; }, steady))
                    .empty());
}

} // namespace

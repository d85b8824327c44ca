// Note segmentation on synthetic pitch tracks: what stays one note and what splits at a
// change of pitch (re-attacks of one pitch: test_note_reattacks.cpp).
#include "note_track.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <pitchscribe/notes.hpp>
#include <vector>

namespace {

using namespace pitchscribe;
using namespace pitchscribe::test;

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

TEST(NoteSegmenter, ALateAttackAfterAStepIsTheNewNotesOwn) {
    // A blown note steps up; its level dips as the old note stops and comes up 80 ms later.
    auto level = [](double t) { return t >= 0.5 && t < 0.58 ? -31.0 : -20.0; };
    auto notes = segment(track(
        1.2, [](double t) { return t < 0.5 ? 440.0 : 493.88; }, level));
    EXPECT_EQ(names(notes), (std::vector<std::string>{"A4", "B4"}));
}

// An A4 to `from` seconds, unvoiced frames to `to`, then `next` Hz to 1.2 s; the level db(t).
template <typename Level>
std::vector<Note> across_unvoiced(double from, double to, double next, Level db) {
    return segment(track(
        1.2, [=](double t) { return t < from ? 440.0
                                    : t < to ? 0.0
                                             : next; }, db));
}

// Two sung syllables: an A4, a consonant (40 ms unvoiced, 7 dB under the vowels), a C5
// whose vowel swells in (too gently for an attack). The C5 begins after the consonant, not
// where the A4's clarity last held.
TEST(NoteSegmenter, ANoteAfterAConsonantBeginsAfterIt) {
    auto level = [](double t) {
        return t < 0.495 ? -20.0 : t < 0.535 ? -27.0 : std::min(-20.0, -26.0 + 200.0 * (t - 0.54));
    };
    const auto notes = across_unvoiced(0.495, 0.535, 523.25, level);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A4", "C5"}));
    EXPECT_NEAR(notes[1].onset, 0.535, 0.006);
}

// Unvoiced frames at the note's own level (a drop-out in noise) are no consonant: the
// boundary goes back across them to where the old note's clarity last held.
TEST(NoteSegmenter, ADropOutAtTheNotesLevelIsNoConsonant) {
    const auto notes = across_unvoiced(0.5, 0.55, 523.25, steady);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A4", "C5"}));
    EXPECT_NEAR(notes[1].onset, 0.495, 0.006);
}

// A sung portamento: A3, then 3 semitones up over 0.1 s from 0.5 s, as clear as the notes.
// The C4 begins where the voice left the A3.
TEST(NoteSegmenter, ANoteReachedByAGlideBeginsWhereTheGlideLeftTheOldOne) {
    auto notes = segment(track(
        1.2,
        [](double t) {
            const double u = std::clamp((t - 0.5) / 0.1, 0.0, 1.0);
            return 220.0 * std::exp2(3.0 * u * u * (3.0 - 2.0 * u) / 12.0);
        },
        steady));
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A3", "C4"}));
    EXPECT_NEAR(notes[1].onset, 0.5, 0.02);
}

// An A4 released into a level valley 16 dB deep, 20 ms unvoiced at its floor (too short for
// a consonant), then a B4 climbing out of it (a sung F5 -> G5 of the synthetic voices): the
// B4 begins where the level climbs out, not where the A4's clarity last held.
TEST(NoteSegmenter, ANoteAfterALevelValleyBeginsWhereTheLevelClimbsOut) {
    const double db[] = {-21.0, -22.6, -24.4, -27.5, -36.0, -35.5, -31.9, -28.7, -25.4, -23.1};
    auto level = [&](double t) {
        const int i = int(std::lround(t / kHop)) - 50;
        return i < 0 ? -20.0 : i < 10 ? db[i] : -20.0;
    };
    const auto notes = across_unvoiced(0.535, 0.555, 493.88, level);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"A4", "B4"}));
    EXPECT_NEAR(notes[1].onset, 0.555, 0.006);
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

// A tenor sax's F#4 out of a rest, read at F#3 for its first 0.17 s (its attack's
// sub-octave series), then at F#4 for 0.6 s: the level settles 5 dB under the attack's peak,
// so the jump looks like a fading note's, but it comes soon after the onset and near the
// peak. One F#4, from the attack.
TEST(NoteSegmenter, ANoteThatBeginsAtItsSubOctaveIsTheOctaveItSettlesOn) {
    auto level = [](double t) {
        if (t < 0.1) return -120.0;
        return t < 0.15 ? -29.0 : -29.0 - std::min(5.0, 50.0 * (t - 0.15));
    };
    auto frames = track(
        0.9, [](double t) { return t < 0.27 ? 185.0 : 370.0; }, level);
    for (PitchFrame& f : frames)
        f.voiced = f.time >= 0.1;
    const auto notes = segment(frames);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"F#4"}));
    EXPECT_NEAR(notes[0].onset, 0.1, 0.015);
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

// A note out of silence whose first frames are heard at its third harmonic while its level
// climbs 12 dB (FluidR3's percussive organ: the percussion stop speaks first; the levels are
// its frames'). The change of pitch ends a 30 ms start, too short to be a note; the note
// begins with it (where its attack began: half a frame window after its level first climbed
// out of the silence, at 0.29 s), not where the fundamental took over (0.355 s). A start at a
// pitch that is no harmonic of the note is dropped as before.
std::vector<Note> attack_heard_at(double blip_hz) {
    return segment(track(
        1.5,
        [=](double t) {
            if (t < 0.295) return 0.0;
            return t < 0.355 ? blip_hz : (t < 1.0 ? 77.7 : 0.0);
        },
        [](double t) {
            const double db[] = {-49.0, -36.7, -33.9, -32.4, -30.6, -28.2, -26.8, -26.0, -25.6};
            const auto i = static_cast<int>(std::lround((t - 0.29) / kHop));
            return i < 0 ? -60.0 : (i < 9 ? db[i] : -25.5);
        }));
}

TEST(NoteSegmenter, ANoteWhoseAttackIsHeardAtAHarmonicBeginsWithIt) {
    for (double blip : {233.1, 155.4}) { // the third harmonic, the octave
        const auto notes = attack_heard_at(blip);
        ASSERT_EQ(names(notes), (std::vector<std::string>{"D#2"})) << blip;
        EXPECT_NEAR(notes[0].onset, 0.31, 0.006) << blip;
        EXPECT_NEAR(notes[0].frequency, 77.7, 1e-9) << blip;
    }
    const auto other = attack_heard_at(98.0); // G2: no harmonic of D#2
    ASSERT_EQ(names(other), (std::vector<std::string>{"D#2"}));
    EXPECT_NEAR(other[0].onset, 0.355, 0.006);
}

// A cello's D#3 then C#2 (FluidR3): the C#2's first 50 ms are clear, the next `murky`
// seconds too murky to be voiced (their pitch guess still C#2), then it holds.
std::vector<Note> low_note_after_murk(double murky) {
    auto frames = track(
        1.4, [](double t) { return t < 0.495 ? 155.6 : 69.3; }, steady);
    for (PitchFrame& f : frames)
        if (f.time > 0.545 && f.time < 0.545 + murky) {
            f.voiced = false;
            f.confidence = 0.5;
        }
    return segment(frames);
}

TEST(NoteSegmenter, ABlipAtTheNextNotesPitchBeforeAShortGapBeginsIt) {
    const auto notes = low_note_after_murk(0.07);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"D#3", "C#2"}));
    EXPECT_NEAR(notes[0].offset, 0.495, 0.006);
    EXPECT_NEAR(notes[1].onset, 0.495, 0.006);
    // After a longer gap the blip stays with the note before, and the C#2 begins after it.
    const auto late = low_note_after_murk(0.15);
    ASSERT_EQ(names(late), (std::vector<std::string>{"D#3", "C#2"}));
    EXPECT_NEAR(late[1].onset, 0.695, 0.006);
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

// A note struck again at its pitch (here a clarity notch at 0.5 s) and left 0.12 s later for
// its lower octave is a repeat, not the next note's attack heard at the octave (TimGM6mb's
// flute: E6, E6 again, E5, was read E6 then an E5 from the second E6's start).
TEST(NoteSegmenter, ARestruckNoteBeforeItsOctaveIsNoOctaveFirstAttack) {
    auto frames = track(
        1.2, [](double t) { return t < 0.62 ? 1318.5 : 659.26; }, steady);
    notch_clarity(frames, 48);
    const auto notes = segment(frames);
    ASSERT_EQ(names(notes), (std::vector<std::string>{"E6", "E6", "E5"}));
    EXPECT_NEAR(notes[1].onset, 0.5, 0.03);
    EXPECT_NEAR(notes[2].onset, 0.62, 0.011);
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

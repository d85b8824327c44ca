// The Viterbi path over MPM candidates: continuity beats a momentary sub-harmonic, voicing
// does not flicker, a period clearly outdone by its double loses, the frames of a change
// between notes go to the new note (a slow fade and a crossfade too, not a glide), and every
// frame comes out once, in order.
#include "path_test_frames.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <initializer_list>
#include <utility>
#include <vector>

namespace pitchscribe::detail {
namespace {

using test::cents;

TEST(PathTracker, ContinuityBeatsAMomentarySubharmonic) {
    std::vector<PitchEstimate> frames;
    for (int i = 0; i < 10; ++i)
        frames.push_back(estimate({{440.0, 0.97}, {220.0, 0.96}}));
    // Five frames where the sub-harmonic is clearest: the key-maximum rule alone drops an octave.
    for (int i = 0; i < 5; ++i)
        frames.push_back(estimate({{440.0, 0.85}, {220.0, 0.97}}));
    for (int i = 0; i < 10; ++i)
        frames.push_back(estimate({{440.0, 0.97}, {220.0, 0.96}}));
    ASSERT_NEAR(frames[12].frequency, 220.0, 1e-9);
    const auto out = run(frames, 20);
    ASSERT_EQ(out.size(), frames.size());
    for (const auto& f : out) {
        EXPECT_TRUE(f.voiced) << f.time;
        EXPECT_NEAR(f.frequency, 440.0, 1e-6) << f.time;
    }
}

TEST(PathTracker, ARealNoteChangeIsFollowed) {
    std::vector<PitchEstimate> frames;
    for (int i = 0; i < 20; ++i)
        frames.push_back(estimate({{440.0, 0.97}}));
    for (int i = 0; i < 20; ++i)
        frames.push_back(estimate({{330.0, 0.97}, {165.0, 0.9}}));
    const auto out = run(frames, 20);
    expect_frequency(out, 0, 20, 440.0);
    expect_frequency(out, 20, 40, 330.0);
}

TEST(PathTracker, VoicingDoesNotFlickerOnAHeldNote) {
    std::vector<PitchEstimate> frames;
    for (int i = 0; i < 30; ++i) // clarity dips just under the threshold every other frame
        frames.push_back(estimate({{262.0, i % 2 ? 0.72 : 0.9}}));
    for (const auto& f : run(frames, 20))
        EXPECT_TRUE(f.voiced) << f.time;
}

// Frames under the silence gate are unvoiced. One whose pitch is as clear as a voiced frame's
// (a note's quiet tail) still reports it as the frame's guess; a less clear one (noise) none.
TEST(PathTracker, SilentFramesAreUnvoicedAndGuessOnlyAClearPitch) {
    PathWindow window = PathWindow::for_hop(0.01, 2268, kRate);
    window.lookahead = 5;
    PathTracker path(kRate, window, 0.75);
    std::vector<PitchFrame> out;
    const FrameSink sink = [&](const PitchFrame& f) { out.push_back(f); };
    for (int i = 0; i < 12; ++i)
        path.push(0.01 * i, estimate({{262.0, i < 3 ? 0.6 : 0.99}}), /*audible=*/i >= 6, sink);
    path.finish(sink);
    ASSERT_EQ(out.size(), 12u);
    for (int i = 0; i < 6; ++i)
        EXPECT_FALSE(out[i].voiced) << i;
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(out[i].frequency, 0.0) << i;
    for (int i = 3; i < 6; ++i)
        EXPECT_NEAR(out[i].frequency, 262.0, 1e-9) << i;
    for (int i = 6; i < 12; ++i)
        EXPECT_TRUE(out[i].voiced) << i;
}

TEST(PathTracker, FramesComeOutOnceInOrderWhateverTheLookahead) {
    std::vector<PitchEstimate> frames(37, estimate({{500.0, 0.9}}));
    for (std::size_t lookahead : {0u, 1u, 5u, 36u, 100u}) {
        const auto out = run(frames, lookahead);
        ASSERT_EQ(out.size(), frames.size()) << lookahead;
        for (std::size_t i = 0; i < out.size(); ++i)
            EXPECT_DOUBLE_EQ(out[i].time, 0.01 * static_cast<double>(i));
    }
}

// FluidR3's steel-guitar low E: the fundamental is so weak that half the period is almost as
// periodic as the period (0.94 against 0.999); the key-maximum rule alone reads E3.
TEST(PathTracker, APeriodClearlyOutdoneByItsDoubleLoses) {
    const std::vector<PitchEstimate> weak(40, estimate({{164.8, 0.94}, {82.4, 0.999}}));
    ASSERT_NEAR(weak[0].frequency, 164.8, 1e-9);
    for (const auto& f : run(weak, 20))
        EXPECT_NEAR(f.frequency, 82.4, 1e-6) << f.time;
    // Within the margin the shorter period stays the pitch, as the key-maximum rule has it.
    const std::vector<PitchEstimate> plain(40, estimate({{164.8, 0.98}, {82.4, 0.999}}));
    for (const auto& f : run(plain, 20))
        EXPECT_NEAR(f.frequency, 164.8, 1e-6) << f.time;
}

// A legato change as a bowed string makes it: the old note fades for four frames, the pair's
// common sub-harmonic wins for three, then the new note holds.
TEST(PathTracker, TheFramesOfAChangeBetweenNotesGoToTheNewNote) {
    std::vector<PitchEstimate> frames(20, estimate({{196.0, 0.98}, {98.0, 0.97}}));
    for (double c : {0.96, 0.91, 0.86, 0.78})
        frames.push_back(estimate({{196.0, c}, {98.0, c - 0.01}}));
    for (int i = 0; i < 3; ++i)
        frames.push_back(estimate({{196.0, 0.55}, {39.2, 0.85}}));
    for (int i = 0; i < 30; ++i)
        frames.push_back(estimate({{235.2, 0.95}, {117.6, 0.94}}));
    const auto out = run(frames, 20);
    ASSERT_EQ(out.size(), frames.size());
    // The first two fading frames (a half window) still hear mostly the old note.
    expect_change_at(out, 22, 196.0, 235.2);
}

// A flute's legato step down, as FluidR3 renders it: the old note's clarity barely moves
// (0.9998 -> 0.9546 over six frames) while the new note's attack grows under it, then for
// three frames the two periods share one NSDF peak, at pitches in between and far less
// periodic than either note; then the new note holds.
std::vector<PitchEstimate> flute_step(std::initializer_list<std::pair<double, double>> between) {
    std::vector<PitchEstimate> frames(20, estimate({{1394.0, 0.9998}}));
    for (double c : {0.9997, 0.9995, 0.9988, 0.9967, 0.9879, 0.9546})
        frames.push_back(estimate({{1394.0, c}}));
    for (auto [f, c] : between)
        frames.push_back(estimate({{f, c}}));
    for (double c : {0.95, 0.975, 0.985})
        frames.push_back(estimate({{1176.6, c}}));
    for (int i = 0; i < 30; ++i)
        frames.push_back(estimate({{1176.6, 0.99}}));
    return frames;
}

TEST(PathTracker, ASlowFadeAndACrossfadeAreHandedOver) {
    const auto frames = flute_step({{1333.0, 0.889}, {1267.0, 0.873}, {1221.0, 0.916}});
    const auto out = run(frames, 20);
    ASSERT_EQ(out.size(), frames.size());
    // The fade starts at frame 20; its first two frames are the lead-in.
    expect_change_at(out, 22, 1394.0, 1176.6);
}

// The same crossfade as clear as the notes: its pitches, between the two, say it is one.
TEST(PathTracker, ACrossfadeAsClearAsTheNotesIsHandedOver) {
    const auto frames = flute_step({{1333.0, 0.99}, {1267.0, 0.99}, {1221.0, 0.99}});
    const auto out = run(frames, 20);
    ASSERT_EQ(out.size(), frames.size());
    expect_change_at(out, 22, 1394.0, 1176.6);
}

// The new note's first frames still hear the old one's release, which pulls their peak
// toward its period: the flute's new note reads 40 cents sharp for two frames, then holds
// at its pitch. The frames handed over report the pitch it holds, not the pulled one.
TEST(PathTracker, AHandedOverFrameReportsThePitchTheNewNoteHolds) {
    auto frames = flute_step({{1333.0, 0.889}, {1267.0, 0.873}, {1221.0, 0.916}});
    const double pulled = 1176.6 * std::pow(2.0, 40.0 / 1200.0);
    for (std::size_t i = 29; i < 31; ++i) // the new note's first two frames
        frames[i] = estimate({{pulled, 0.95}});
    const auto out = run(frames, 20);
    ASSERT_EQ(out.size(), frames.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const double expected = i < 22 ? 1394.0 : (i == 29 || i == 30) ? pulled : 1176.6;
        EXPECT_NEAR(test::cents(out[i].frequency, expected), 0.0, 1.0) << i;
    }
}

// Frames between two notes stay as they are when there are more of them than a half window
// makes (a fast glide), or when the notes themselves are not clear (in noise every frame
// would pass for a crossfade).
TEST(PathTracker, ACrossfadeIsAFewFramesBetweenClearNotes) {
    const auto slow = flute_step(
        {{1333.0, 0.889}, {1300.0, 0.88}, {1267.0, 0.873}, {1245.0, 0.88}, {1221.0, 0.916}});
    auto out = run(slow, 20);
    ASSERT_EQ(out.size(), slow.size());
    for (std::size_t i = 26; i < 31; ++i)
        EXPECT_NEAR(out[i].frequency, slow[i].frequency, 1e-6) << i;

    std::vector<PitchEstimate> noisy(20, estimate({{1394.0, 0.86}}));
    for (double c : {0.85, 0.84}) // fading
        noisy.push_back(estimate({{1394.0, c}}));
    for (auto [f, c] : {std::pair{1333.0, 0.7}, {1267.0, 0.68}, {1221.0, 0.7}})
        noisy.push_back(estimate({{f, c}}));
    for (int i = 0; i < 30; ++i)
        noisy.push_back(estimate({{1176.6, 0.85}}));
    out = run(noisy, 20);
    ASSERT_EQ(out.size(), noisy.size());
    for (std::size_t i = 0; i < out.size(); ++i)
        EXPECT_NEAR(out[i].frequency, noisy[i].frequency, 1e-6) << i;
}

// A violin plays A4, a short clear E6 (whose period's triple is near A4), then A4 again.
// The E6 is a note, not a detour between two A4s.
TEST(PathTracker, AClearNoteBetweenTwoEqualOnesStays) {
    std::vector<PitchEstimate> frames(20, estimate({{441.9, 0.958}}));
    for (int i = 0; i < 14; ++i)
        frames.push_back(estimate({{1330.0, 0.98}, {443.4, 0.969}}));
    for (int i = 0; i < 30; ++i)
        frames.push_back(estimate({{438.5, 0.958}}));
    const auto out = run(frames, 20);
    ASSERT_EQ(out.size(), frames.size());
    for (std::size_t i = 20; i < 34; ++i)
        EXPECT_NEAR(cents(out[i].frequency, 1330.0), 0.0, 1.0) << i;
}

// A clarinet's 120 ms E4 between two G4s, as clear as they are: a note, not a slip below.
// Its sub-octave at the same clarity would be a slip, and goes back to G4.
std::vector<PitchFrame> detour_below(double detour) {
    std::vector<PitchEstimate> frames(20, estimate({{392.0, 0.99}, {196.0, 0.98}}));
    for (int i = 0; i < 12; ++i)
        frames.push_back(estimate({{detour, 0.99}, {detour / 2.0, 0.97}}));
    for (int i = 0; i < 30; ++i)
        frames.push_back(estimate({{392.0, 0.99}, {196.0, 0.98}}));
    return run(frames, 20);
}

TEST(PathTracker, AClearNoteBelowBetweenTwoEqualOnesStays) {
    const auto out = detour_below(329.63);
    ASSERT_EQ(out.size(), 62u);
    for (std::size_t i = 21; i < 32; ++i)
        EXPECT_NEAR(cents(out[i].frequency, 329.63), 0.0, 1.0) << i;
    const auto slip = detour_below(196.0);
    for (std::size_t i = 21; i < 32; ++i)
        EXPECT_NEAR(cents(slip[i].frequency, 392.0), 0.0, 1.0) << i;
}

// A trumpet's F#5, a 70 ms A5 as clear, then a D#4 (FluidR3 renders the A5's first
// frames murky): the A5 is a note between them, not part of the change to the D#4.
TEST(PathTracker, AClearShortNoteAboveBothInAChangeStays) {
    std::vector<PitchEstimate> frames(20, estimate({{740.0, 0.999}, {370.0, 0.998}}));
    for (double c : {0.95, 0.75})
        frames.push_back(estimate({{740.0, c}, {370.0, c - 0.01}}));
    for (int i = 0; i < 7; ++i)
        frames.push_back(estimate({{880.0, 0.99}, {440.0, 0.99}, {293.3, 0.99}}));
    for (double c : {0.8, 0.6})
        frames.push_back(estimate({{880.0, c}, {311.1, c + 0.05}}));
    for (int i = 0; i < 40; ++i)
        frames.push_back(estimate({{311.1, 0.99}, {155.6, 0.98}}));
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    for (std::size_t i = 23; i < 29; ++i)
        EXPECT_NEAR(cents(out[i].frequency, 880.0), 0.0, 1.0) << i;
    EXPECT_NEAR(cents(out[40].frequency, 311.1), 0.0, 1.0);
}

// A tenor sax's C3, a 120 ms A2, then a B2 (FluidR3): the A2 lies below both and is no
// sub-harmonic of either, so it is a note between them, not part of the change to the B2.
TEST(PathTracker, AClearShortNoteBelowBothInAChangeStays) {
    std::vector<PitchEstimate> frames(20, estimate({{130.8, 0.999}, {65.4, 0.998}}));
    for (double c : {0.99, 0.97, 0.89, 0.74, 0.56}) // fading as the A2 begins under it
        frames.push_back(estimate({{130.8, c}, {65.4, c - 0.05}}));
    for (double c : {0.66, 0.85, 0.91, 0.96, 0.98, 0.98, 0.99, 0.99, 0.99, 0.97, 0.8, 0.5})
        frames.push_back(estimate({{110.0, c}, {55.0, c - 0.01}}));
    for (int i = 0; i < 40; ++i)
        frames.push_back(estimate({{123.5, 0.99}, {61.7, 0.98}}));
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    for (std::size_t i = 26; i < 35; ++i)
        EXPECT_NEAR(cents(out[i].frequency, 110.0), 0.0, 1.0) << i;
    EXPECT_NEAR(cents(out[45].frequency, 123.5), 0.0, 1.0);
}

TEST(PathTracker, AGlideIsNotHandedOver) {
    std::vector<PitchEstimate> frames(20, estimate({{440.0, 0.95}}));
    for (int i = 1; i <= 20; ++i) // up 200 cents, 10 a frame
        frames.push_back(estimate({{440.0 * std::exp2(i * 10.0 / 1200.0), 0.95 - 0.005 * i}}));
    for (int i = 0; i < 20; ++i)
        frames.push_back(estimate({{493.9, 0.95}}));
    const auto out = run(frames, 20);
    ASSERT_EQ(out.size(), frames.size());
    for (std::size_t i = 0; i < out.size(); ++i)
        EXPECT_NEAR(out[i].frequency, frames[i].frequency, 1e-6) << i;
}

} // namespace
} // namespace pitchscribe::detail

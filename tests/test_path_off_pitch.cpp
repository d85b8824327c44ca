// A note's start heard off its pitch (src/path_off_pitch.cpp): the common period of the note
// before and it (reverb) and an attack at the octave go to the note it settles on, the
// octave also when it follows a change from another note; an octave as clear as the note is
// a note of its own; a note resuming is no attack. The old note's release heard at its
// sub-octave goes to the note after it, unless as clear as that note.
#include "path_test_frames.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <vector>

namespace pitchscribe::detail {
namespace {

using test::cents;

// A note ringing on in reverb under the next: for `frames_at_period` frames their mix is
// most periodic at `period`, which both notes are whole multiples of, clearer than either;
// then the new note holds. Every frame from the change reports the new note.
void expect_common_period_goes_to_new_note(double old_note, double new_note, double period,
                                           int frames_at_period) {
    const auto frames =
        stretches({{20, estimate({{old_note, 0.996}, {old_note / 2, 0.995}})},
                   {frames_at_period, estimate({{old_note, 0.5}, {new_note, 0.7}, {period, 0.99}})},
                   {40, estimate({{new_note, 0.98}, {new_note / 2, 0.97}})}});
    ASSERT_NEAR(frames[25].frequency, period, 1e-9);
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    for (std::size_t i = 20; i < out.size(); ++i)
        EXPECT_NEAR(cents(out[i].frequency, new_note), 0.0, 1.0) << i;
}

// A flute's D5 then G4 (3:2): their mix read G3 for 0.12 s.
TEST(PathTracker, TheCommonPeriodOfTwoNotesGoesToTheNewOne) {
    expect_common_period_goes_to_new_note(587.3, 392.0, 195.8, 12);
}

// A flute's G5 then B4, a minor sixth down (8:5): their mix read G2 for 0.17 s.
TEST(PathTracker, TheCommonPeriodOfAMinorSixthGoesToTheNewNote) {
    expect_common_period_goes_to_new_note(784.0, 490.0, 98.0, 17);
}

// An organ pipe after a C4: its G3 speaks at the octave for 0.2 s, `clarity` clear, then
// settles on G3 (0.98 clear, its octave 0.86).
std::vector<PitchEstimate> octave_first_attack(double clarity) {
    return stretches({{20, estimate({{261.63, 0.98}, {130.8, 0.97}})},
                      {20, estimate({{392.0, clarity}, {196.0, clarity - 0.02}})},
                      {40, estimate({{392.0, 0.86}, {196.0, 0.98}})}});
}

TEST(PathTracker, AnAttackHeardAtTheOctaveGoesToTheNoteItSettlesOn) {
    const auto frames = octave_first_attack(0.85);
    ASSERT_NEAR(frames[30].frequency, 392.0, 1e-9);
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    expect_change_at(out, 20, 261.63, 196.0);
}

// As clear as the note after it, the octave is a note of its own (a leap down an octave).
TEST(PathTracker, AClearOctaveBeforeANoteStays) {
    const auto frames = octave_first_attack(0.97);
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    expect_frequency(out, 20, 40, 392.0);
    expect_frequency(out, 40, out.size(), 196.0);
}

// An organ's legato G#2 -> A2 (FluidR3's church organ): for 0.2 s the frames read the
// octave, gliding from G#3 to A3, while the old G#2 fades from under them and the new A2
// grows; then A2 holds (0.98 clear, its octave 0.86). The whole glide is the A2's start.
TEST(PathTracker, AnOctaveFirstAttackThatGlidesIntoTheNoteGoesToIt) {
    std::vector<PitchEstimate> frames(20, estimate({{207.65, 0.86}, {103.83, 0.98}}));
    for (int i = 0; i < 20; ++i) {
        const double up = 207.65 * std::exp2(double(i) / 19.0 / 12.0); // G#3 -> A3
        if (i < 8) // the old note's fundamental, fading
            frames.push_back(estimate({{up, 0.88}, {103.83, 0.93 - 0.02 * i}}));
        else // the new note's, growing
            frames.push_back(estimate({{up, 0.88}, {110.0, 0.74 + 0.01 * i}}));
    }
    for (int i = 0; i < 40; ++i)
        frames.push_back(estimate({{220.0, 0.86}, {110.0, 0.98}}));
    ASSERT_NEAR(frames[30].frequency, 207.65 * std::exp2(10.0 / 19.0 / 12.0), 1e-9);
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    for (std::size_t i = 20; i < out.size(); ++i)
        EXPECT_LT(std::abs(cents(out[i].frequency, 110.0)), 50.0) << i;
}

// A C#5 decaying in noise drops out for 0.1 s and is heard again before the C#4 after it:
// the frames where it resumes are not the C#4's attack.
TEST(PathTracker, ANoteResumingBeforeItsOctaveStays) {
    const auto frames = stretches({{20, estimate({{554.37, 0.9}, {277.18, 0.88}})},
                                   {10, estimate({{554.37, 0.3}, {277.18, 0.28}})},
                                   {12, estimate({{554.37, 0.45}, {277.18, 0.43}})},
                                   {40, estimate({{554.37, 0.7}, {277.18, 0.9}})}});
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    ASSERT_FALSE(out[25].voiced);
    expect_frequency(out, 30, 42, 554.37);
    EXPECT_NEAR(out[50].frequency, 277.18, 1e-6);
}

// FluidR3's church organ, D3 -> F#2 legato: the old note fades, for three frames its
// sub-octave is what the frames hold, then the F#2 speaks at its octave for 0.1 s before
// it settles (0.92 clear, its octave 0.78). The change goes to F#2 from the first frame
// after the lead-in, not to the octave the hand-over would otherwise settle on first.
TEST(PathTracker, AChangeIntoAnOctaveFirstAttackGoesToTheNote) {
    std::vector<PitchEstimate> frames(20, estimate({{146.8, 0.996}, {73.4, 0.99}}));
    for (double c : {0.97, 0.94, 0.89})
        frames.push_back(estimate({{146.8, c}, {73.4, c + 0.005}}));
    for (int i = 0; i < 3; ++i)
        frames.push_back(estimate({{146.8, 0.7}, {73.4, 0.85}}));
    for (int i = 0; i < 10; ++i)
        frames.push_back(estimate({{185.0, 0.7}, {92.5, 0.55}}));
    for (int i = 0; i < 40; ++i)
        frames.push_back(estimate({{185.0, 0.78}, {92.5, 0.92}}));
    ASSERT_NEAR(frames[30].frequency, 185.0, 1e-9);
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    // The first two fading frames (a half window) still hear mostly the old note.
    expect_change_at(out, 22, 146.8, 92.5);
}

// FluidR3's church organ, A#3 -> C#4 legato: the A#3's sub-octave rank rings on for 0.18 s
// (`clarity` clear) while its fundamental fades and the C#4 speaks slowly, then the C#4
// holds, 0.9 clear.
std::vector<PitchEstimate> release_at_the_sub_octave(double clarity) {
    return stretches({{20, estimate({{234.4, 0.99}, {117.2, 0.985}})},
                      {18, estimate({{278.6, 0.45}, {234.4, 0.4}, {117.2, clarity}})},
                      {40, estimate({{278.6, 0.9}, {139.3, 0.89}})}});
}

TEST(PathTracker, AnOldNotesReleaseHeardBelowItGoesToTheNextNote) {
    const auto frames = release_at_the_sub_octave(0.78);
    ASSERT_NEAR(frames[25].frequency, 117.2, 1e-9);
    const auto out = run(frames, 40);
    ASSERT_EQ(out.size(), frames.size());
    expect_change_at(out, 20, 234.4, 278.6);
}

// As clear as the note after it, the sub-octave is a note of its own (a leap down).
TEST(PathTracker, AClearNoteBelowTheOldOneStays) {
    const auto out = run(release_at_the_sub_octave(0.92), 40);
    expect_frequency(out, 20, 38, 117.2);
    EXPECT_NEAR(out[50].frequency, 278.6, 1e-6);
}

} // namespace
} // namespace pitchscribe::detail

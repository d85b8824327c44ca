#include <cmath>
#include <gtest/gtest.h>
#include <pitchscribe/note_names.hpp>

namespace pitchscribe {
namespace {

TEST(NoteNames, GuitarStringsHaveTheirNames) {
    const double strings[] = {82.41, 110.0, 146.83, 196.0, 246.94, 329.63};
    const char* names[] = {"E2", "A2", "D3", "G3", "B3", "E4"};
    for (int i = 0; i < 6; ++i) {
        const NearestNote n = nearest_note(strings[i]);
        EXPECT_EQ(n.name, names[i]);
        EXPECT_LT(std::abs(n.cents), 1.0);
    }
}

TEST(NoteNames, MidiNumbersAndOctaves) {
    EXPECT_EQ(note_name(69), "A4");
    EXPECT_EQ(note_name(60), "C4");
    EXPECT_EQ(note_name(61), "C#4");
    EXPECT_EQ(note_name(59), "B3");
    EXPECT_EQ(note_name(0), "C-1");
    EXPECT_EQ(note_name(-1), "B-2");
    EXPECT_EQ(note_name(127), "G9");
}

TEST(NoteNames, CentsAreSignedOffsets) {
    EXPECT_NEAR(nearest_note(445.0).cents, 19.56, 0.01);
    EXPECT_NEAR(nearest_note(435.0).cents, -19.79, 0.01);
    EXPECT_NEAR(midi_from_frequency(440.0), 69.0, 1e-12);
    EXPECT_NEAR(frequency_from_midi(57.0), 220.0, 1e-9);
}

TEST(NoteNames, TuningReferenceMovesTheGrid) {
    const Tuning baroque{415.3};
    const NearestNote n = nearest_note(415.3, baroque);
    EXPECT_EQ(n.name, "A4");
    EXPECT_NEAR(n.cents, 0.0, 1e-9);
    EXPECT_EQ(nearest_note(415.3).name, "G#4"); // the same pitch at A4 = 440
}

} // namespace
} // namespace pitchscribe

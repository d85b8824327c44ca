// Pitch to note: MIDI numbers, note names with octave, and offsets in cents.
#pragma once

#include <string>

namespace pitchscribe {

struct Tuning {
    double a4 = 440.0; // Hz, the reference for MIDI note 69
};

// Fractional MIDI number of `frequency` (Hz > 0): 69 + 12 * log2(f / a4).
double midi_from_frequency(double frequency, const Tuning& tuning = {});
double frequency_from_midi(double midi, const Tuning& tuning = {});

// Name with octave in scientific pitch notation, sharps only: 40 -> "E2", 61 -> "C#4".
std::string note_name(int midi);

struct NearestNote {
    int midi = 0;
    std::string name;
    double cents = 0.0; // signed offset of the frequency from the note, in (-50, 50]
};
NearestNote nearest_note(double frequency, const Tuning& tuning = {});

} // namespace pitchscribe

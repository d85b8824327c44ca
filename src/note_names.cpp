#include "pitchscribe/note_names.hpp"

#include <array>
#include <cmath>

namespace pitchscribe {

double midi_from_frequency(double frequency, const Tuning& tuning) {
    return 69.0 + 12.0 * std::log2(frequency / tuning.a4);
}

double frequency_from_midi(double midi, const Tuning& tuning) {
    return tuning.a4 * std::exp2((midi - 69.0) / 12.0);
}

std::string note_name(int midi) {
    static constexpr std::array<const char*, 12> names = {"C",  "C#", "D",  "D#", "E",  "F",
                                                          "F#", "G",  "G#", "A",  "A#", "B"};
    // Floor division so that negative MIDI numbers still get the right octave.
    const int octave = (midi >= 0 ? midi / 12 : (midi - 11) / 12) - 1;
    const int pitch_class = ((midi % 12) + 12) % 12;
    return std::string(names[static_cast<std::size_t>(pitch_class)]) + std::to_string(octave);
}

NearestNote nearest_note(double frequency, const Tuning& tuning) {
    const double midi = midi_from_frequency(frequency, tuning);
    NearestNote note;
    note.midi = static_cast<int>(std::lround(midi));
    note.cents = 100.0 * (midi - note.midi);
    note.name = note_name(note.midi);
    return note;
}

} // namespace pitchscribe

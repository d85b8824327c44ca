// A Note as the segmenter would make it, for the tests of what is written from notes.
#pragma once

#include <pitchscribe/note_names.hpp>
#include <pitchscribe/notes.hpp>

namespace pitchscribe {

inline Note make_note(int midi, double onset, double offset, double confidence = 1.0,
                      double level_db = -20.0, double cents = 0.0) {
    Note n;
    n.midi = midi;
    n.onset = onset;
    n.offset = offset;
    n.cents = cents;
    n.frequency = frequency_from_midi(midi + cents / 100.0);
    n.name = note_name(midi);
    n.confidence = confidence;
    n.level_db = level_db;
    return n;
}

} // namespace pitchscribe

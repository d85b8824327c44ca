// Notes to a Standard MIDI File (type 1), built in memory so the caller can write it atomically.
#pragma once

#include "pitchscribe/notes.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pitchscribe {

inline constexpr int kMidiTicksPerQuarter = 480;

struct MidiOptions {
    double tempo_bpm = 120.0;          // written as the file's only tempo; clamped to [4, 1000]
    int program = 0;                   // General MIDI program 0..127 (0 = Acoustic Grand Piano)
    int channel = 0;                   // 0..15
    std::string title = "pitchscribe"; // the sequence name (track 0); track 1 is "melody"
};

// Layout: track 0 is the conductor track (title, tempo, 4/4 time signature), track 1 holds
// the notes (name "melody", program change, note on/off pairs), 480 ticks per quarter note, no
// running status. Times are rounded to the nearest tick. Notes of one pitch never overlap
// in the file: a note ends where the next note of its pitch starts, and note-offs come
// before note-ons at the same tick, so every reader pairs them the same way. Notes whose
// times are not finite or whose MIDI number is outside 0..127 are left out.
std::vector<unsigned char> midi_file_bytes(std::span<const Note> notes,
                                           const MidiOptions& options = {});

// Seconds to ticks at `tempo_bpm` (480 per quarter), rounded; negative times give 0.
std::uint32_t midi_ticks(double seconds, double tempo_bpm);

// Velocity from a note's loudness (Note::level_db, RMS in dBFS): linear in dB,
// 0 dBFS -> 127 and -60 dBFS -> 20 (about 1.78 per dB), clamped to 1..127.
// A full-scale sine (-3 dBFS RMS) gives 122, -20 dBFS gives 91. NaN gives 64.
int midi_velocity(double level_db);

} // namespace pitchscribe

// From a frame-level pitch track to notes: onset, offset, pitch, name and confidence.
#pragma once

#include "pitchscribe/note_names.hpp"
#include "pitchscribe/pitch_track.hpp"

#include <functional>
#include <memory>
#include <string>

namespace pitchscribe {

struct Note {
    double onset = 0.0;       // seconds
    double offset = 0.0;      // seconds, > onset
    double frequency = 0.0;   // Hz: the median pitch of the note's voiced frames
    int midi = 0;             // nearest MIDI note number under the tuning
    std::string name;         // with octave, e.g. "E2", "C#4"
    double cents = 0.0;       // frequency relative to `midi`, in (-50, 50]
    double confidence = 0.0;  // mean clarity of the note's voiced frames, [0, 1]
    double level_db = -120.0; // loudness: the loudest frame's RMS in dBFS (for MIDI velocity)
};

struct NoteConfig {
    Tuning tuning;
    double min_duration = 0.06; // seconds; shorter notes are absorbed or dropped
    double max_gap = 0.06;      // seconds; voicing drop-outs this short are bridged
    double split_cents = 60.0;  // a pitch this far from the note's, held, starts a new note
    double onset_rise_db = 8.0; // a level rise this large after a dip re-attacks the same pitch
};

using NoteSink = std::function<void(const Note&)>;

// Streams frames in, notes out (each note once it has ended, in onset order).
// A held note with vibrato or a slow glide stays one note; a change of pitch that holds,
// a re-attack (a level dip followed by a rise, or a sharp clarity notch at one pitch) or
// an unvoiced gap longer than max_gap
// ends it. Notes shorter than min_duration are dropped, gaps shorter than max_gap bridged.
class NoteSegmenter {
public:
    explicit NoteSegmenter(const NoteConfig& config = {});
    NoteSegmenter(NoteSegmenter&&) noexcept;
    NoteSegmenter& operator=(NoteSegmenter&&) noexcept;
    ~NoteSegmenter();

    void push(const PitchFrame& frame, const NoteSink& sink);
    void finish(const NoteSink& sink);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pitchscribe

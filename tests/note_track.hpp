// Synthetic pitch tracks for the note segmenter's tests: frames built from a pitch and a
// level over time, and the notes the segmenter makes of them.
#pragma once

#include <cstddef>
#include <pitchscribe/notes.hpp>
#include <string>
#include <vector>

namespace pitchscribe::test {

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

inline std::vector<Note> segment(const std::vector<PitchFrame>& frames,
                                 const NoteConfig& config = {}) {
    std::vector<Note> notes;
    NoteSegmenter segmenter(config);
    auto sink = [&](const Note& n) { notes.push_back(n); };
    for (const PitchFrame& f : frames)
        segmenter.push(f, sink);
    segmenter.finish(sink);
    return notes;
}

// Every frame `clear`, and a re-attack's clarity notch from frame `first` on (two waveforms
// of one pitch overlapping out of phase: FluidR3's tenor sax 0.998 -> 0.74 -> 0.99).
inline void notch_clarity(std::vector<PitchFrame>& frames, std::size_t first,
                          const std::vector<double>& notch = {0.95, 0.85, 0.74, 0.83, 0.95},
                          double clear = 0.998) {
    for (PitchFrame& f : frames)
        f.confidence = clear;
    for (std::size_t i = 0; i < notch.size(); ++i)
        frames[first + i].confidence = notch[i];
}

inline double steady(double) {
    return -20.0;
}

inline std::vector<std::string> names(const std::vector<Note>& notes) {
    std::vector<std::string> out;
    for (const Note& n : notes)
        out.push_back(n.name);
    return out;
}

} // namespace pitchscribe::test

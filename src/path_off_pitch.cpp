// A note heard first at another pitch, handed over to the note as a change between notes
// is (src/path_handover.cpp); so is an old note's release heard below it (release_below).
#include "path_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace pitchscribe::detail {

namespace {

// An octave-first attack is at least this much less clear, on average, than the note it
// settles on (a note sung or played at the octave is as clear as the one after it).
constexpr double kOctaveFirstDeficit = 0.04;
constexpr double kResumeSeconds = 0.3;      // a pitch heard this recently is not beginning
constexpr double kMultipleTolerance = 0.35; // semitones: a common period's multiples
constexpr double kOctaveDrift = 1.5;        // semitones an octave-first stretch may move
// The most times a common period goes into either note: up to 8 takes intervals such as a
// minor sixth (8:5; a flute's G5 then B4 in reverb read G2, 0.99 clear, for 0.17 s).
constexpr int kMostMultiple = 8;

} // namespace

bool multiple(double semitones, int most, double tolerance) {
    for (int n = 2; n <= most; ++n)
        if (std::abs(semitones - 12.0 * std::log2(double(n))) < tolerance) return true;
    return false;
}

// A note heard first at another pitch: from `frame`, where the path steps onto a pitch, it
// holds it for at most `off_pitch_start` frames, then moves to the note and holds there,
// and the stretch is either
// - the common period of the note before and the note after, both whole multiples of it
//   (2 to kMostMultiple times):
//   the old note ringing on (reverb) under the new one makes the mix periodic there, and
//   clearer than either (a flute's D5 then G4 read G3 for 0.24 s); or
// - an attack heard at the octave (an organ pipe speaks at its octave first; a legato change
//   can sound as the new note's sub-octave while the old one fades): in all but a few of its
//   frames the note, or the frame's own pitch an octave towards it, is a candidate, and the
//   stretch is far less clear than the note. Its pitch may drift by up to kOctaveDrift, a
//   little each frame: in a legato change the octave of the old note can glide into the
//   octave of the new one (an organ's G#2 -> A2 read G#3 -> A3 for 0.2 s).
// Returns where it settles.
std::optional<std::size_t> PathTracker::off_pitch_start(std::size_t frame) const {
    const Slot& here = slot(frame);
    if (!here.chosen || frame == 0) return std::nullopt;
    const double pitch = path_pitch(frame);
    // Not where a pitch begins: the path had it just before (a note resuming after a few
    // unvoiced frames, as a decaying one does in noise).
    const bool after_voiced = here.time - last_voiced_time_ <= kResumeSeconds;
    if (after_voiced && std::abs(last_voiced_semitones_ - pitch) < kMinStep) return std::nullopt;
    const std::size_t reach = std::min(frame + window_.off_pitch_start, pushed_);
    // The stretch [frame, end): at `pitch`, or with `drift` moving from frame to frame.
    const auto stretch_end = [&](bool drift) {
        std::size_t k = frame + 1;
        while (k < reach && slot(k).chosen &&
               std::abs(path_pitch(k) - (drift ? path_pitch(k - 1) : pitch)) < kSame &&
               std::abs(path_pitch(k) - pitch) < (drift ? kOctaveDrift : kSame))
            ++k;
        return k;
    };
    // Where the path settles after the stretch (across a few unvoiced frames), holding, and
    // its mean clarity there.
    struct Settled {
        std::size_t frame;
        double clarity;
    };
    const auto settles = [&](std::size_t k) -> std::optional<Settled> {
        for (std::size_t gap = 0; k < reach && !slot(k).chosen && gap < window_.crossfade; ++gap)
            ++k;
        if (k == reach || k + window_.handover_hold > pushed_ || !slot(k).chosen)
            return std::nullopt;
        const auto clarity = hold_clarity(k);
        if (!clarity) return std::nullopt;
        return Settled{k, *clarity};
    };

    if (const auto k = settles(stretch_end(false))) {
        const double settled = path_pitch(k->frame);
        const bool after_a_note =
            after_voiced && std::abs(last_voiced_semitones_ - settled) >= kMinStep;
        if (after_a_note &&
            multiple(last_voiced_semitones_ - pitch, kMostMultiple, kMultipleTolerance) &&
            multiple(settled - pitch, kMostMultiple, kMultipleTolerance))
            return k->frame; // their common period
    }
    const std::size_t end = stretch_end(true);
    const auto note = settles(end);
    if (!note) return std::nullopt;
    const double octave = path_pitch(note->frame) - path_pitch(end - 1); // +-12 semitones
    if (std::abs(std::abs(octave) - 12.0) >= kSame) return std::nullopt;
    double stretch_clarity = 0.0;
    std::size_t lacking = 0; // frames where neither the note nor their own octave is a candidate
    for (std::size_t g = frame; g < end; ++g) {
        const Slot& s = slot(g);
        if (!candidate_near(s, path_pitch(note->frame)) &&
            !candidate_near(s, path_pitch(g) + octave) && ++lacking > window_.crossfade)
            return std::nullopt;
        stretch_clarity += s.clarity[s.chosen];
    }
    if (stretch_clarity / double(end - frame) > note->clarity - kOctaveFirstDeficit)
        return std::nullopt;
    return note->frame;
}

// The old note's release heard at its sub-harmonic until the next note speaks: a slow attack
// (an organ pipe: 0.2 s) under a release whose sub-octave rank rings on reads, from `frame`,
// the old note's octave, twelfth or two octaves below (as the path's old-note period doubles
// while the note fades) for up to `off_pitch_start` frames, across at most `crossfade` frames
// at other pitches in a row, until a note at least kMinStep from the old one holds. Less clear
// than that note, the stretch is its start; as clear, it is a note of its own (a leap down).
// Returns where the note settles.
std::optional<std::size_t> PathTracker::release_below(std::size_t frame) const {
    const Slot& here = slot(frame);
    if (!here.chosen || here.time - last_voiced_time_ > kResumeSeconds) return std::nullopt;
    const double pitch = path_pitch(frame);
    if (!sub_harmonic(last_voiced_semitones_, pitch)) return std::nullopt;
    const std::size_t reach = std::min(frame + window_.off_pitch_start, pushed_);
    double clarity = 0.0;
    std::size_t count = 0, others = 0;
    for (std::size_t k = frame; k < reach; ++k) {
        const Slot& s = slot(k);
        if (s.chosen && std::abs(path_pitch(k) - pitch) < kSame) {
            clarity += s.clarity[s.chosen];
            ++count;
            others = 0;
            continue;
        }
        const bool away = s.chosen && std::abs(path_pitch(k) - last_voiced_semitones_) >= kMinStep;
        if (away && k + window_.handover_hold <= pushed_) {
            if (const auto note = hold_clarity(k))
                return clarity / double(count) <= *note - kOctaveFirstDeficit ? std::optional(k)
                                                                              : std::nullopt;
        }
        if (++others > window_.crossfade) return std::nullopt;
    }
    return std::nullopt;
}

} // namespace pitchscribe::detail

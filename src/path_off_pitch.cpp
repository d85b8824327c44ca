// A note heard first at another pitch, handed over to the note as a change between notes
// is (src/path_handover.cpp).
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

} // namespace

bool multiple(double semitones, int most, double tolerance) {
    for (int n = 2; n <= most; ++n)
        if (std::abs(semitones - 12.0 * std::log2(double(n))) < tolerance) return true;
    return false;
}

// A note heard first at another pitch: from `frame`, where the path steps onto a pitch, it
// holds it for at most `off_pitch_start` frames, then moves to the note and holds there,
// and the stretch is either
// - an attack heard at the octave (an organ pipe speaks at its octave first; a legato change
//   can sound as the new note's sub-octave while the old one fades): the note is a
//   candidate in all but a few of its frames, which are far less clear than the note; or
// - the common period of the note before and the note after, both whole multiples of it:
//   the old note ringing on (reverb) under the new one makes the mix periodic there, and
//   clearer than either (a flute's D5 then G4 read G3 for 0.24 s).
// Returns where it settles.
std::optional<std::size_t> PathTracker::off_pitch_start(std::size_t frame) const {
    const Slot& here = slot(frame);
    if (!here.chosen || frame == 0) return std::nullopt;
    const double pitch = here.semitones[here.chosen];
    // Not where a pitch begins: the path had it just before (a note resuming after a few
    // unvoiced frames, as a decaying one does in noise).
    const bool after_voiced = here.time - last_voiced_time_ <= kResumeSeconds;
    if (after_voiced && std::abs(last_voiced_semitones_ - pitch) < kMinStep) return std::nullopt;
    const std::size_t reach = std::min(frame + window_.off_pitch_start, pushed_);
    std::size_t k = frame + 1;
    while (k < reach && slot(k).chosen &&
           std::abs(slot(k).semitones[slot(k).chosen] - pitch) < kSame)
        ++k;
    const std::size_t last = k; // the stretch is [frame, last)
    for (std::size_t gap = 0; k < reach && !slot(k).chosen && gap < window_.crossfade; ++gap)
        ++k;
    if (k == reach || k + window_.handover_hold > pushed_ || !slot(k).chosen) return std::nullopt;
    const double settled = slot(k).semitones[slot(k).chosen];
    const auto held_clarity = hold_clarity(k);
    if (!held_clarity) return std::nullopt;
    const bool after_a_note =
        after_voiced && std::abs(last_voiced_semitones_ - settled) >= kMinStep;
    if (after_a_note && multiple(last_voiced_semitones_ - pitch, 6, kMultipleTolerance) &&
        multiple(settled - pitch, 6, kMultipleTolerance))
        return k; // their common period
    if (std::abs(std::abs(settled - pitch) - 12.0) >= kSame) return std::nullopt;
    double first_clarity = 0.0;
    std::size_t lacking = 0; // frames where the settled pitch is not yet a candidate
    for (std::size_t g = frame; g < last; ++g) {
        const Slot& s = slot(g);
        if (!candidate_near(s, settled) && ++lacking > window_.crossfade) return std::nullopt;
        first_clarity += s.clarity[s.chosen];
    }
    if (first_clarity / double(last - frame) > *held_clarity - kOctaveFirstDeficit)
        return std::nullopt;
    return k;
}

} // namespace pitchscribe::detail

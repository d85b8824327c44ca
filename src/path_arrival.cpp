// A note heard arriving under the old one's release. An organ pipe, a bowed string or a
// voice can take 100-300 ms to speak while the old note, released at the new one's start,
// sounds on louder: the NSDF keeps the old period (no choice among a frame's candidates
// reads the new note), and its clarity need not fall frame on frame, so the hand-over's own
// test (src/path_handover.cpp) does not see the change, or sees it beyond its reach.
//
// The spectrum does. The new note's harmonics that a frame resolves from the old note's lie
// in the valleys between them, 30-70 dB under the old note's while it sounds alone (an
// organ's breathy pipes: 5-37 dB); an arriving note lifts them to within 10 dB in 20-60 ms
// (FluidR3's church organ, F3 -> F#3: the path settles 0.3 s after the note-on, the valleys
// pass -10 dB 40 ms after it). So a change to the note the path settles on within
// arrival_reach is handed over from the first frame where
// - the path has held the old note for arrival_held frames before it (an attack's own noise
//   is not an arrival);
// - its clarity is kArrivalClarityDrop under the old note's clearest of those frames (a
//   second periodic sound in the window; this also keeps the spectrum, which costs more,
//   from being read on every frame of a steady note);
// - the new note's resolved harmonics are within kArrivalFloorDb of the old note's nearest
//   ones, and have grown kArrivalRiseDb since the first of the held frames (as the old
//   note decays, noise in the valleys rises against it, but not by itself);
// - and up to where the path settles, every frame is the old note, the new one, unvoiced
//   but audible, or between them for at most a crossfade's frames (not a note of its own),
//   and the old note never as clear again (a same-pitch repeat's burst passes, and the old
//   note is clear again after it; a bass's in the telephone band lifted the valleys 20 dB).
#include "path_tracker.hpp"

#include <cmath>
#include <optional>

namespace pitchscribe::detail {

namespace {

// Frames made right / wrong over the corpus's subsets and the held-out corpus's (now 155 / 0
// and 32 / 0): a floor of -6 dB 125 / 0 and 6 / 0, -15 dB 160 / 5 and 37 / 6 (reverb), -20
// dB 203 / 11 and 40 / 6; a rise of 6 dB 162 / 24 and 36 / 13 (white noise at 0 dB SNR), 15
// dB 140 / 0 and 22 / 0; an old note held 70 ms 145 / 1 and 30 / 0, 150 ms 152 / 7 and
// 28 / 20; a clarity drop of 0.01 155 / 6 and 32 / 7 (pink noise), 0.05 139 / 0 and 32 / 0;
// without the repeat's check 155 / 17 and 32 / 27 (a bass in the telephone band, noise).
constexpr double kArrivalFloorDb = -10.0;
constexpr double kArrivalRiseDb = 10.0;
constexpr double kArrivalClarityDrop = 0.03;

} // namespace

bool PathTracker::arriving(std::size_t from, std::size_t k, double old_note, double new_note) {
    if (!glide_ || from < window_.arrival_held) return false;
    const auto at_old = [&](std::size_t g) {
        const Slot& s = slot(g);
        return s.chosen && std::abs(s.semitones[s.chosen] - old_note) < kSame;
    };
    for (std::size_t g = from - window_.arrival_held; g <= from; ++g)
        if (!at_old(g)) return false;
    std::size_t clearest = from - window_.arrival_held;
    for (std::size_t g = clearest + 1; g < from; ++g)
        if (path_clarity(g) > path_clarity(clearest)) clearest = g;
    const double unclear = path_clarity(clearest) - kArrivalClarityDrop;
    if (path_clarity(from) > unclear) return false;

    std::size_t between = 0;
    for (std::size_t g = from; g < k; ++g) {
        const Slot& s = slot(g);
        if (s.count == 0) return false; // a rest
        if (at_old(g) && path_clarity(g) > unclear) return false;
        const bool either =
            !s.chosen || at_old(g) || std::abs(s.semitones[s.chosen] - new_note) < kSame;
        between = either ? 0 : between + 1;
        if (between > window_.crossfade) return false;
    }

    const auto now = glide_->harmonics_between(slot(from).time, hz(new_note), hz(old_note));
    if (!now || now->note < std::pow(10.0, kArrivalFloorDb / 20.0) * now->other) return false;
    const auto then = glide_->harmonics_between(slot(from - window_.arrival_held).time,
                                                hz(new_note), hz(old_note));
    return then && now->note >= std::pow(10.0, kArrivalRiseDb / 20.0) * then->note;
}

} // namespace pitchscribe::detail

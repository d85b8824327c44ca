// The hand-over between two notes. When one note follows another, the new note's attack is
// often quieter than the old one's release for tens of milliseconds (bowed strings, voices,
// organ pipes, flutes), so the NSDF still shows the old pitch, or the pair's common
// sub-harmonic, after the new note began: the path follows the audio, and the new note is
// heard late.
//
// A frame belongs to the next note when, within `handover_reach` frames, the path settles
// on a new pitch (at least kMinStep semitones away, holding `handover_hold` frames), and every
// frame from `handover_lead` before this one up to there is part of the change: the old
// pitch fading (clarity falling frame on frame), neither pitch (a sub-harmonic, or unvoiced
// but audible), or a crossfade: a frame far less periodic than both notes, whose pitch lies
// anywhere, or one strictly between them (two close periods in one window make one peak
// between them), at most `crossfade` frames in a row. The lead frames are the half window in which
// a frame already hears a note that has not begun, so the first of them stay with the old note. A
// steady pitch between the two (a glide, vibrato), a rest, or an octave (likely a tracking slip)
// stops it. So do a glide the spectrum hears (a singer's portamento: its frames are the pitch
// itself, src/glide_check.hpp) and a gap: unvoiced frames far quieter than both notes (a
// consonant between two sung syllables: the old note ended there, it did not fade into the
// new one). A change the frames do not show within the reach (the old note steady while the
// new one speaks slowly under its release) is handed over where the spectrum hears the new
// note arriving (src/path_arrival.cpp). In a room the reverberation fills the consonant: its
// frames are voiced, murky, and do not hear the new note. They are still handed over (a slow
// attack under the old note's release looks the same, and there the new note has begun), but
// marked as heard at their own pitch, from which the note segmenter places the next note.
//
// A handed-over frame reports its own candidate near the new pitch if it has one, else the
// pitch the new note holds (see handed_over). Its voicing stays the path's: an unvoiced frame
// changes only its pitch guess. Once a change is found, every frame up to the new note takes
// it, so the change is one step. A note's start heard at its octave, or at the common period
// of the note before and it, is handed over the same way (src/path_off_pitch.cpp), and so are
// the frames of a change into such a start, and the old note's release heard at its
// sub-harmonic until the next note speaks.
#include "median.hpp"
#include "path_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace pitchscribe::detail {

namespace {

// A fading note loses clarity frame on frame: at least this much, or its aperiodicity
// (1 - clarity) grows by this factor (a clear flute note fades 0.9998 -> 0.9995 -> 0.9988).
constexpr double kMinFade = 0.003;
constexpr double kFadeGrowth = 1.3;
// A crossfade frame is at least this much less clear than the less clear of the
// two notes, and is only looked for between notes at least this clear (in noise every frame
// would qualify).
constexpr double kCrossfadeDip = 0.05;
constexpr double kClearNotes = 0.9;
constexpr double kAbove = 2.0;     // a note between two others lies this far above or below both
constexpr double kGlideStep = 0.2; // a glide moves less a frame (the segmenter's kGlideMaxStep)
// A gap between two notes: an unvoiced frame this far under both (a sung consonant, 10-20 dB;
// in FluidSynth's legato the new note sounds under the old one's release; at 6 dB, 20 of the
// clean corpus's frames were lost).
constexpr double kGapDb = 10.0;
// A murky gap (see murky_gap): its quietest frame this far under both notes, nothing in it
// this clear, and the new note, if there, less clear than kHeardClarity.
constexpr double kMurkyGapDb = 7.0;
constexpr double kMurkyClarity = 0.8;
constexpr double kHeardClarity = 0.5;

} // namespace

// Whether frame g (its slot s) is part of a change from `old_note` (none: an unvoiced
// start) to `new_note`, both in semitones.
bool PathTracker::in_handover(const Slot& s, std::size_t g, std::optional<double> old_note,
                              double new_note) const {
    if (s.count == 0) return false; // inaudible: a rest, not a hand-over
    if (!s.chosen) return true;
    const double note = s.semitones[s.chosen];
    if (std::abs(note - new_note) < kSame) return true;
    if (old_note && std::abs(note - *old_note) < kSame) {
        const Slot& before = slot(g - 1);
        if (!before.chosen || std::abs(before.semitones[before.chosen] - *old_note) >= kSame)
            return false;
        const double was = before.clarity[before.chosen], is = s.clarity[s.chosen];
        return is < was - kMinFade || 1.0 - is > kFadeGrowth * (1.0 - was);
    }
    const double low = std::min(old_note.value_or(new_note), new_note);
    const double high = std::max(old_note.value_or(new_note), new_note);
    return note < low - kSame || note > high + kSame; // between them: a glide
}

// The clarity of the path's state at a frame (0 when unvoiced).
double PathTracker::path_clarity(std::size_t frame) const {
    const Slot& s = slot(frame);
    return s.chosen ? s.clarity[s.chosen] : 0.0;
}

// The pitch (semitones) of the path's state at a voiced frame.
double PathTracker::path_pitch(std::size_t frame) const {
    const Slot& s = slot(frame);
    return s.semitones[s.chosen];
}

// Whether voiced frame s (after `before`) is a crossfade frame of a change between two clear
// notes (`ends`, the less clear of them): far less periodic than both (two notes sounding in
// one window), or strictly between their pitches, having jumped there (two close periods
// make one NSDF peak between them, which can be as clear as the notes and moves with their
// balance: a piccolo's C#6 -> D#6 read D6 + 40 cents; a glide moves less per frame).
bool PathTracker::in_crossfade(const Slot& s, const Slot& before, double ends,
                               std::optional<double> old_note, double new_note) {
    if (!s.chosen || ends < kClearNotes) return false;
    const double pitch = s.semitones[s.chosen];
    const bool jumped =
        !before.chosen || std::abs(pitch - before.semitones[before.chosen]) >= kGlideStep;
    const bool between = old_note && pitch > std::min(*old_note, new_note) + kSame &&
                         pitch < std::max(*old_note, new_note) - kSame;
    return (between && jumped) || s.clarity[s.chosen] < ends - kCrossfadeDip;
}

// Whether `needed` frames in a row in [from, to) are voiced, at least as clear as both ends
// of the change, and at a pitch `away` (in semitones) accepts: a note of their own.
template <typename Away>
bool PathTracker::clear_run(std::size_t from, std::size_t to, double ends, std::size_t needed,
                            Away away) const {
    std::size_t run = 0;
    for (std::size_t g = from; g < to; ++g) {
        const Slot& s = slot(g);
        const bool clear = s.chosen && s.clarity[s.chosen] >= ends && away(s.semitones[s.chosen]);
        run = clear ? run + 1 : 0;
        if (run >= needed) return true;
    }
    return false;
}

// The state of `s` within kSame of `pitch` (semitones), if it has one.
std::optional<std::size_t> PathTracker::candidate_near(const Slot& s, double pitch) {
    for (std::size_t c = 1; c <= s.count; ++c)
        if (std::abs(s.semitones[c] - pitch) < kSame) return c;
    return std::nullopt;
}

// The path's mean clarity over handover_hold frames from frame k, when it holds k's pitch
// (within kSame) throughout; else none. The frames must have been pushed.
std::optional<double> PathTracker::hold_clarity(std::size_t k) const {
    const Slot& at = slot(k);
    if (!at.chosen) return std::nullopt;
    double sum = 0.0;
    for (std::size_t h = k; h < k + window_.handover_hold; ++h) {
        const Slot& s = slot(h);
        if (!s.chosen || std::abs(s.semitones[s.chosen] - at.semitones[at.chosen]) >= kSame)
            return std::nullopt;
        sum += s.clarity[s.chosen];
    }
    return sum / double(window_.handover_hold);
}

// The new note's pitch as frame `here` reports it (the path settled on `state` of frame k):
// the frame's own candidate within kSame of the note's pitch if it has one, else that pitch;
// `unheard` across a murky gap. The note's pitch is where it holds: the median over its hold
// of the frames' candidates near the settled state. The hold's first frame is often still in
// the crossfade, its peak pulled toward the old note's period (a piccolo's B5 after an A5
// read 53 cents flat there, 10 cents over the hold), and frames reported at it were wrong.
PathTracker::Handover PathTracker::handed_over(const Slot& here, std::size_t k, std::size_t state,
                                               bool unheard) {
    const Slot& settled = slot(k);
    std::size_t n = 0;
    for (std::size_t h = k; h < std::min(k + window_.handover_hold, pushed_); ++h)
        if (const auto c = candidate_near(slot(h), settled.semitones[state]))
            held_[n++] = slot(h).frequency[*c];
    const double note = n > 0 ? median({held_.data(), n}) : settled.frequency[state];
    if (const auto c = candidate_near(here, 12.0 * std::log2(note)))
        return {here.frequency[*c], here.clarity[*c], unheard};
    return {note, settled.clarity[state], unheard};
}

// The new note after `frame`: the first frame within `within` frames whose pitch is at least
// kMinStep from `own` (the frame's pitch, if voiced) and that the path holds (within kSame)
// for handover_hold frames, all among the frames pushed so far.
std::optional<std::size_t> PathTracker::settled_frame(std::size_t frame, std::optional<double> own,
                                                      std::size_t within) const {
    if (pushed_ < window_.handover_hold) return std::nullopt;
    const std::size_t reach = std::min(frame + within, pushed_ - window_.handover_hold);
    for (std::size_t k = frame + 1; k <= reach; ++k) {
        const Slot& at = slot(k);
        if (!at.chosen || (own && std::abs(at.semitones[at.chosen] - *own) < kMinStep)) continue;
        if (hold_clarity(k)) return k;
    }
    return std::nullopt;
}

std::optional<PathTracker::Handover> PathTracker::handover(std::size_t frame) {
    const Slot& here = slot(frame);
    if (frame < handover_end_)
        return handed_over(here, handover_end_, handover_state_, handover_unheard_);
    handover_unheard_ = false;
    // The frames from here up to note k go to it.
    const auto follow = [&](std::size_t k) {
        handover_end_ = k;
        handover_state_ = slot(k).chosen;
        return handed_over(here, k, handover_state_);
    };
    if (const auto k = off_pitch_start(frame)) return follow(*k);
    if (const auto h = change_to_next(frame)) return h;
    if (const auto k = release_below(frame)) return follow(*k);
    return std::nullopt;
}

// A change from one note to the next through `frame` (see the top of this file).
std::optional<PathTracker::Handover> PathTracker::change_to_next(std::size_t frame) {
    const Slot& here = slot(frame);
    const std::optional<double> own =
        here.chosen ? std::optional(here.semitones[here.chosen]) : std::nullopt;
    // As far as a note heard arriving (path_arrival.cpp) may lie; the frames' own change
    // within handover_reach.
    const std::optional<std::size_t> found = settled_frame(frame, own, window_.arrival_reach);
    if (!found) return std::nullopt;
    const std::size_t k = *found;
    const Slot& settled = slot(k);
    const double new_note = settled.semitones[settled.chosen];

    // The old note: the path just before the lead-in (or this frame's own pitch).
    const std::size_t lead = here.chosen ? window_.handover_lead : 0;
    if (frame < lead + 1) return std::nullopt;
    const Slot& before = slot(frame - lead - 1);
    const std::optional<double> old_note =
        before.chosen ? std::optional(before.semitones[before.chosen]) : own;
    if (old_note && std::abs(std::abs(new_note - *old_note) - 12.0) < kSame) return std::nullopt;
    // The less clear of the two ends: the path before the lead-in and the new note at the
    // end of its hold.
    const double ends =
        std::min(path_clarity(frame - lead - 1), path_clarity(k + window_.handover_hold - 1));
    // Back to the pitch it came from: across a sub-harmonic (a tracking slip: an octave, a
    // twelfth or two octaves down), or a detour less periodic than both ends (noise); another
    // clear pitch is a note of its own (a violin's 130 ms E6 between two A4s was reported as
    // A4, a clarinet's E4 between G4s as G4).
    const auto detour = [&](double pitch) {
        const double below = new_note - pitch;
        return below < -kSame || (below > kSame && !sub_harmonic(new_note, pitch));
    };
    if (old_note && std::abs(new_note - *old_note) < kMinStep &&
        clear_run(frame - lead, k, ends, 1, detour))
        return std::nullopt;
    // A clear pitch well above both, held for a short note, is a note between them (a
    // trumpet's 120 ms A5 between an F#5 and a D#4 went to the D#4); so is one well below
    // both that is no sub-harmonic of either (a tenor sax's 140 ms A2 between a C3 and a B2).
    const double top = std::max(old_note.value_or(new_note), new_note) + kAbove;
    if (old_note && clear_run(frame - lead, k, ends, window_.detour_note,
                              [top](double pitch) { return pitch >= top; }))
        return std::nullopt;
    const double bottom = std::min(old_note.value_or(new_note), new_note) - kAbove;
    const auto below_both = [&](double pitch) {
        return pitch <= bottom && !sub_harmonic(new_note, pitch) && !sub_harmonic(*old_note, pitch);
    };
    if (old_note && clear_run(frame - lead, k, ends, window_.detour_note, below_both))
        return std::nullopt;
    const bool heard_changing =
        k <= frame + window_.handover_reach && changing(frame - lead, k, ends, old_note, new_note);
    if (!heard_changing &&
        !(old_note && lead > 0 && arriving(frame - lead, k, *old_note, new_note)))
        return std::nullopt;
    // Last, as they cost most: a glide or a gap is no change to hand over.
    if (old_note && (gap_between(frame - lead, k, before.level_db) ||
                     glide_between(frame - lead, k, *old_note, new_note)))
        return std::nullopt;
    const bool unheard = old_note && murky_gap(frame - lead, k, new_note);

    // The new pitch may be the next note's attack at its octave (an organ pipe speaking at
    // its octave first while the old note fades): the frames then go to the note it settles
    // on, as the octave-first stretch itself does.
    std::size_t target = k;
    if (const auto note = off_pitch_start(k)) target = *note;
    const Slot& to = slot(target);
    if (here.chosen) { // the frames up to the new note follow this one
        handover_end_ = target;
        handover_state_ = to.chosen;
        handover_unheard_ = unheard;
    }
    return handed_over(here, target, to.chosen, unheard);
}

// Whether every frame in [from, k) is part of the change (in_handover), or a crossfade frame
// (at most window_.crossfade in a row).
bool PathTracker::changing(std::size_t from, std::size_t k, double ends,
                           std::optional<double> old_note, double new_note) const {
    std::size_t crossfade_run = 0;
    for (std::size_t g = from; g < k; ++g) {
        if (in_handover(slot(g), g, old_note, new_note)) {
            crossfade_run = 0;
        } else if (!in_crossfade(slot(g), slot(g - 1), ends, old_note, new_note) ||
                   ++crossfade_run > window_.crossfade) {
            return false;
        }
    }
    return true;
}

// Whether the frames [from, to) pass from old_note to new_note through a glide (the pitch
// itself travelling) rather than a crossfade, judged at the frame between them farthest from
// both (at least kSame from each; none: a step).
bool PathTracker::glide_between(std::size_t from, std::size_t to, double old_note,
                                double new_note) {
    if (!glide_) return false;
    const double low = std::min(old_note, new_note), high = std::max(old_note, new_note);
    std::optional<std::size_t> middle;
    double apart = kSame;
    for (std::size_t g = from; g < to; ++g) {
        const Slot& s = slot(g);
        if (!s.chosen) continue;
        const double pitch = s.semitones[s.chosen];
        if (const double d = std::min(pitch - low, high - pitch); d >= apart) {
            apart = d;
            middle = g;
        }
    }
    if (!middle) return false;
    const Slot& s = slot(*middle);
    return glide_->glides(s.time, hz(old_note), hz(s.semitones[s.chosen]), hz(new_note))
        .value_or(false);
}

// Whether an unvoiced frame in [from, k) is kGapDb under both the old note (old_level) and
// the new one at its loudest over its hold.
bool PathTracker::gap_between(std::size_t from, std::size_t k, double old_level) const {
    const double floor = std::min(old_level, loudest(k, k + window_.handover_hold)) - kGapDb;
    for (std::size_t g = from; g < k; ++g)
        if (!slot(g).chosen && slot(g).level_db < floor) return true;
    return false;
}

// Whether the quietest frame in [from, k) is kMurkyGapDb under both the old note (its loudest
// of the kOldLevelFrames before `from`: a decaying note is not judged against its own tail)
// and the new one at its loudest over its hold, with nothing in it kMurkyClarity clear and
// the new note not heard there (no candidate near it kHeardClarity clear). A consonant's
// reverberation reads 0.3-0.8 there; a sample player's legato crossfade keeps a note clear
// (0.9-1.0), but a slow attack under a release can be as murky (so the frames are handed
// over all the same).
bool PathTracker::murky_gap(std::size_t from, std::size_t k, double new_note) const {
    if (from >= k) return false;
    const double old_level = loudest(from - std::min(from, kOldLevelFrames), from);
    const double new_level = loudest(k, k + window_.handover_hold);
    std::size_t floor = from;
    for (std::size_t g = from; g < k; ++g)
        if (slot(g).level_db < slot(floor).level_db) floor = g;
    const Slot& s = slot(floor);
    if (s.level_db >= std::min(old_level, new_level) - kMurkyGapDb || s.highest >= kMurkyClarity)
        return false;
    const auto near = candidate_near(s, new_note);
    return !near || s.clarity[*near] < kHeardClarity;
}

// The loudest level of frames [from, to) (-120 dB when there are none).
double PathTracker::loudest(std::size_t from, std::size_t to) const {
    double level = -120.0;
    for (std::size_t g = from; g < to; ++g)
        level = std::max(level, slot(g).level_db);
    return level;
}

} // namespace pitchscribe::detail

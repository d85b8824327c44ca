// The hand-over between two notes. When one note follows another, the new note's attack is
// often quieter than the old one's release for tens of milliseconds (bowed strings, voices,
// organ pipes), so the NSDF still shows the old pitch, or the pair's common sub-harmonic,
// after the new note began: the path follows the audio, and the new note is heard late.
//
// A frame belongs to the next note when, within `handover_reach` frames, the path settles
// on a new pitch (at least kMinStepCents away, holding `handover_hold` frames), and every
// frame from `handover_lead` before this one up to there is part of the change: the old
// pitch fading (clarity falling frame on frame), or neither pitch (a sub-harmonic, or
// unvoiced but audible). The lead frames are the half window in which a frame already hears
// a note that has not begun, so the first of them stay with the old note. A pitch between
// the two (a glide, vibrato), a rest, or an octave (likely a tracking slip) stops it.
//
// A handed-over frame reports its own candidate near the new pitch if it has one, else the
// pitch where the path settled. Its voicing stays the path's: an unvoiced frame changes only
// its pitch guess. Once a change is found, every frame up to the new note takes it, so the
// change is one step.
#include "path_tracker.hpp"

#include <algorithm>
#include <cmath>

namespace pitchscribe::detail {

namespace {

constexpr double kMinStepCents = 80.0; // smaller moves are vibrato or intonation
constexpr double kSameCents = 50.0;    // within this, two pitches are the same note
constexpr double kMinFade = 0.01;      // clarity lost per frame by a fading note

double cents_apart(double a, double b) {
    return 1200.0 * std::abs(std::log2(a / b));
}

double path_pitch(const auto& slot) {
    return slot.chosen ? slot.frequency[slot.chosen] : 0.0;
}

} // namespace

// Whether frame g (its slot s) is part of a change from old_pitch (0: none) to new_pitch.
bool PathTracker::in_handover(const Slot& s, std::size_t g, double old_pitch,
                              double new_pitch) const {
    if (s.count == 0) return false; // inaudible: a rest, not a hand-over
    if (!s.chosen) return true;
    const double f = s.frequency[s.chosen];
    if (cents_apart(f, new_pitch) < kSameCents) return true;
    if (old_pitch > 0.0 && cents_apart(f, old_pitch) < kSameCents) {
        const Slot& before = ring_[(g - 1) % ring_.size()];
        const double previous = path_pitch(before);
        return previous > 0.0 && cents_apart(previous, old_pitch) < kSameCents &&
               s.clarity[s.chosen] < before.clarity[before.chosen] - kMinFade;
    }
    const double low = old_pitch > 0.0 ? std::min(old_pitch, new_pitch) : new_pitch;
    const double high = std::max(old_pitch, new_pitch);
    const double quarter_tone = std::exp2(50.0 / 1200.0);
    return f < low / quarter_tone || f > high * quarter_tone; // between them: a glide
}

bool PathTracker::handover(std::size_t frame, Handover& out) {
    const Slot& here = slot(frame);
    auto report = [&](double pitch, double clarity) {
        out.frequency = pitch;
        out.clarity = clarity;
        for (std::size_t c = 1; c <= here.count; ++c) {
            if (cents_apart(here.frequency[c], pitch) < kSameCents) {
                out.frequency = here.frequency[c];
                out.clarity = here.clarity[c];
                break;
            }
        }
        return true;
    };
    if (frame < handover_end_) return report(handover_pitch_, handover_clarity_);

    // The new note: the first pitch, within reach, that the path holds.
    const double own = path_pitch(here);
    const std::size_t last = pushed_ - 1;
    std::size_t k = frame + 1;
    double pitch = 0.0;
    for (; k <= frame + window_.handover_reach && k + window_.handover_hold - 1 <= last; ++k) {
        pitch = path_pitch(slot(k));
        if (pitch == 0.0 || (own > 0.0 && cents_apart(pitch, own) < kMinStepCents)) continue;
        bool holds = true;
        for (std::size_t h = k + 1; h < k + window_.handover_hold && holds; ++h) {
            const double next = path_pitch(slot(h));
            holds = next > 0.0 && cents_apart(next, pitch) < kSameCents;
        }
        if (holds) break;
    }
    if (k > frame + window_.handover_reach || k + window_.handover_hold - 1 > last) return false;

    // The old note: the path just before the lead-in (or this frame's own pitch).
    const std::size_t lead = here.chosen ? window_.handover_lead : 0;
    if (frame < lead + 1) return false;
    const double before = path_pitch(slot(frame - lead - 1));
    const double old_pitch = before > 0.0 ? before : own;
    if (old_pitch > 0.0 && std::abs(cents_apart(pitch, old_pitch) - 1200.0) < kSameCents)
        return false;
    for (std::size_t g = frame - lead; g < k; ++g)
        if (!in_handover(slot(g), g, old_pitch, pitch)) return false;

    const Slot& settled = slot(k);
    if (here.chosen) { // the frames up to the new note follow this one
        handover_end_ = k;
        handover_pitch_ = pitch;
        handover_clarity_ = settled.clarity[settled.chosen];
    }
    return report(pitch, settled.clarity[settled.chosen]);
}

} // namespace pitchscribe::detail

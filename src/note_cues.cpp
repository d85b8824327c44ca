// What the frames around the one being decided show about pitch: a step to a new pitch or a
// glide, an octave slip, and where a change of pitch began (re-attacks of one pitch:
// note_reattacks.cpp).
#include "note_segmenter.hpp"

namespace pitchscribe {

using namespace note_detail;

// A change of pitch that holds (not a blip), from a pitch that had not been moving away
// (not a glide or a vibrato).
bool NoteSegmenter::Impl::pitch_step(std::size_t k, std::size_t w) {
    const double split = config.split_cents / 100.0, ref = reference();
    const double after = median_pitch(k, k + w);
    const double before = median_pitch(k > w ? k - w : 0, k);
    const double here = midi(context[k]);
    const bool step = std::abs(after - ref) >= split &&
                      (std::isnan(before) || std::abs(before - ref) < split / 2 ||
                       std::abs(after - before) >= split) &&
                      std::abs(here - after) < std::abs(here - ref) && holds(k, w, after) &&
                      !gliding(k);
    // Up to a harmonic as the fundamental fades; down only in a tail far under the note's
    // peak (a reverberant tail's sub-harmonic): a note sung or bowed an octave lower, legato
    // and quieter, is a new note. Up an octave soon after the onset and still near the
    // note's peak level is no fading note but one that began at its sub-octave (a tenor
    // sax's F#4 read F#3 for its first 0.17 s): the note takes the octave it settles on.
    const double held_pitch = step ? recent_median() : 0.0;
    const bool slip_down = context[k].level_db < peak_db - kTailDb;
    if (step && (after > held_pitch || slip_down) && octave_apart(after, held_pitch) &&
        fading(k, w)) {
        const bool sub_octave_start = after > held_pitch &&
                                      context[k].time - onset < kUnstruckFragmentSeconds &&
                                      context[k].level_db >= peak_db - kRingingOnDb;
        if (sub_octave_start) {
            forget_pitches(); // its pitch from here on
        } else {
            octaves_off = true; // a tracking error: keep the note, and the pitch it began at
        }
        recent.clear(); // follow the track in its new octave from here
        recent_sum = 0.0;
        initial_reference = after;
        return false;
    }
    return step;
}

// The median pitch of the note's last kReferenceSeconds (its opening pitch before that):
// unlike their mean, it is not pulled an octave off by a few frames of a sub-harmonic.
double NoteSegmenter::Impl::recent_median() {
    if (double(recent.size()) * hop < kReferenceSeconds - 1e-9) return initial_reference;
    scratch.assign(recent.begin(), recent.end());
    return median(scratch);
}

// A glide (a pitch bend or a slide within one note) moves the pitch a little every
// frame; a change of note jumps (the path hands a legato change over in one step, and
// two notes overlapping lower the clarity). So: every frame within kGlideSpanSeconds
// either side clear and within kGlideMaxStep semitones of the one before.
bool NoteSegmenter::Impl::gliding(std::size_t k) const {
    const std::size_t span = std::max<std::size_t>(1, std::lround(kGlideSpanSeconds / hop));
    if (k < span || k + span >= context.size()) return false;
    double previous = 0.0;
    for (std::size_t i = k - span; i <= k + span; ++i) {
        if (!context[i].voiced || context[i].confidence < kGlideClarity) return false;
        const double pitch = midi(context[i]);
        if (i > k - span && std::abs(pitch - previous) >= kGlideMaxStep) return false;
        previous = pitch;
    }
    return true;
}

bool NoteSegmenter::Impl::octave_apart(double a, double b) {
    const double d = std::abs(a - b);
    return std::abs(d - 12.0) < 0.5 || std::abs(d - 24.0) < 0.5;
}

// A string or struck note dying away cannot jump an octave: when the level only falls
// across a change of exactly one or two octaves, the tracker has slipped to a harmonic.
bool NoteSegmenter::Impl::fading(std::size_t k, std::size_t w) const {
    double before = -120.0, after = -120.0;
    for (std::size_t i = (k > w ? k - w : 0); i < k; ++i)
        before = std::max(before, context[i].level_db);
    for (std::size_t i = k; i < std::min(context.size(), k + w); ++i)
        after = std::max(after, context[i].level_db);
    return after <= before + 1.0 && after <= peak_db - 2.0; // and past its attack
}

// True when all but one of the voiced frames in [k, k + w) are near `pitch`.
bool NoteSegmenter::Impl::holds(std::size_t k, std::size_t w, double pitch) const {
    std::size_t near = 0, count = 0;
    for (std::size_t i = k; i < k + w && i < context.size(); ++i) {
        if (!context[i].voiced) continue;
        ++count;
        near += std::abs(midi(context[i]) - pitch) < config.split_cents / 200.0 ? 1 : 0;
    }
    return count > 0 && near + 1 >= std::max<std::size_t>(count, 2);
}

// The pitch a new note starts at: the median of its frames up to the first abrupt jump.
double NoteSegmenter::Impl::opening_pitch(std::size_t k) {
    const double jump = 0.8 * config.split_cents / 100.0;
    scratch.clear();
    double previous = midi(context[k]);
    for (std::size_t i = k; i < context.size() && i < k + reach(); ++i) {
        if (!context[i].voiced) continue;
        const double p = midi(context[i]);
        if (std::abs(p - previous) >= jump && scratch.size() >= window()) break;
        scratch.push_back(p);
        previous = p;
    }
    return median(scratch);
}

// The lowest clarity over the vibrato period before the `back` frames preceding frame k,
// when the note has gone on that long past its attack and its pitch moves there by
// kVibratoSemitones or more; else none.
std::optional<double> NoteSegmenter::Impl::vibrato_low(std::size_t k, std::size_t back) const {
    const std::size_t cycle = std::size_t(std::lround(kReferenceSeconds / hop));
    const std::size_t settle = std::size_t(std::lround(kVibratoSettleSeconds / hop));
    const std::size_t from = k - back;
    if (from < cycle || since_split < back + cycle + settle) return std::nullopt;
    double lowest = 1.0, low_pitch = 1e9, high_pitch = -1e9;
    std::size_t count = 0;
    for (std::size_t j = from - cycle; j < from; ++j) {
        if (!context[j].voiced) continue;
        lowest = std::min(lowest, context[j].confidence);
        low_pitch = std::min(low_pitch, midi(context[j]));
        high_pitch = std::max(high_pitch, midi(context[j]));
        ++count;
    }
    if (count * 2 < cycle || high_pitch - low_pitch < kVibratoSemitones) return std::nullopt;
    return lowest;
}

// The boundary between a note and the next at a change of pitch: the new pitch is heard
// late (the old one rings on, a bowed or blown attack is slow), but the old note starts
// to lose its clarity at once. So: just after the last frame, up to 150 ms back, that is
// as clear as the old note was at its clearest there; or earlier, where a glide into the
// new pitch began. After a gap or a level valley the new note begins where it is heard.
double NoteSegmenter::Impl::transition_start(std::size_t k) const {
    if (const auto after_gap = gap_before(k)) return *after_gap;
    const std::size_t back = std::min({k, std::size_t(std::lround(0.15 / hop)), since_split});
    if (const auto out_of_valley = valley_before(k, back)) return *out_of_valley;
    const double glide = glide_start(k, back).value_or(context[k].time);
    double clearest = 0.0;
    for (std::size_t j = k - back; j < k; ++j)
        if (context[j].voiced) clearest = std::max(clearest, context[j].confidence);
    // Clarity wanders from frame to frame by about (1 - clarity) in noise (white noise at
    // 10 dB: 0.85 +- 0.03); with a fixed 0.01 the boundary went back to whichever frame
    // was clearest by chance, up to 150 ms early.
    double floor = clearest - std::max(0.01, kClarityWander * (1.0 - clearest));
    // A vibrato lowers the clarity where the pitch moves fastest: the note's own low points
    // in the vibrato period before are not yet its fade (with the clearest frame alone, a
    // vibrato's swing put a sax's boundary 70 ms early).
    if (const auto low = vibrato_low(k, back)) floor = std::min(floor, *low - kVibratoMargin);
    std::size_t last = k - 1;
    while (last > k - back && !(context[last].voiced && context[last].confidence >= floor))
        --last;
    return std::min({context[last].time + hop / 2, context[k].time - hop / 2, glide});
}

// After a gap the old note died away into (its tail), or a gap of articulation (a sung
// consonant: unvoiced for kGapSeconds, kGapUnderPeakDb under the note), the new note begins
// where it is heard: the boundary does not go back across the gap.
std::optional<double> NoteSegmenter::Impl::gap_before(std::size_t k) const {
    if (k > 0 && !context[k - 1].voiced && context[k - 1].level_db < peak_db - kTailDb)
        return context[k].time - hop / 2;
    const auto span = static_cast<std::size_t>(std::lround(kGapSeconds / hop));
    if (span == 0 || k < span) return std::nullopt;
    for (std::size_t j = k - span; j < k; ++j)
        if (context[j].voiced || context[j].level_db >= peak_db - kGapUnderPeakDb)
            return std::nullopt;
    return context[k].time - hop / 2;
}

// Where a glide into the pitch of frame k began: the voiced frames before k moving towards
// it from the note's reference, by at most kGlideRunMaxStep each, at least two of them
// kGlideRunApart from both (a singer's portamento leaves the old note where the pitch starts
// to move; its clarity may stay high throughout). None when the pitch stepped.
std::optional<double> NoteSegmenter::Impl::glide_start(std::size_t k, std::size_t back) const {
    if (back < 2) return std::nullopt;
    const double from = reference(), to = midi(context[k]);
    const double low = std::min(from, to), high = std::max(from, to);
    std::size_t j = k, between = 0;
    while (j > k - back && context[j - 1].voiced) {
        const double p = midi(context[j - 1]), q = midi(context[j]);
        if ((to - from) * (q - p) <= 0.0 || std::abs(q - p) > kGlideRunMaxStep) break;
        if (p > low + kGlideRunApart && p < high - kGlideRunApart) ++between;
        if (!(p > low - kGlideRunOvershoot && p < high + kGlideRunOvershoot)) break;
        --j;
    }
    if (between < 2) return std::nullopt;
    return context[j].time - hop / 2;
}

// A level valley in the `back` frames before k, onset_rise_db + 1 dB under the old note
// before it and the new one at k: the new note begins where the level climbs kValleyRiseDb
// out of it (as after a valley at one pitch, see attack_after).
std::optional<double> NoteSegmenter::Impl::valley_before(std::size_t k, std::size_t back) const {
    if (back == 0) return std::nullopt;
    std::size_t floor = k;
    for (std::size_t j = k - back; j <= k; ++j)
        if (context[j].level_db < context[floor].level_db) floor = j;
    double before = -120.0, after = context[k].level_db;
    for (std::size_t j = k - back; j < floor; ++j)
        before = std::max(before, context[j].level_db);
    for (std::size_t j = k; j < std::min(context.size(), k + 3); ++j)
        after = std::max(after, context[j].level_db);
    const double depth = config.onset_rise_db + 1.0;
    if (floor == k || !(context[floor].level_db < std::min(before, after) - depth))
        return std::nullopt;
    return context[climb(floor, k)].time - hop / 2;
}

} // namespace pitchscribe

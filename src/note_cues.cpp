// What the frames around the one being decided show: where the level jumps (an attack) or
// sinks into a valley, a clarity notch at one pitch (both re-attacks of the same pitch), a
// step to a new pitch or a glide, an octave slip, and where a change of pitch began.
#include "note_segmenter.hpp"

namespace pitchscribe {

using namespace note_detail;

// True when frame i's level has risen onset_rise_db over the last five frames (the 50 ms
// the frame window smears an attack over).
bool NoteSegmenter::Impl::rising(std::size_t i) const {
    double dip = context[i].level_db;
    for (std::size_t j = (i >= 5 ? i - 5 : 0); j < i; ++j)
        dip = std::min(dip, context[j].level_db);
    return context[i].level_db - dip >= config.onset_rise_db;
}

// Remembers the frame where the level starts to jump up after a dip (any frame, voiced
// or not): the first of a run of rising frames.
void NoteSegmenter::Impl::note_attack(std::size_t k) {
    if (!rising(k) || (k > 0 && rising(k - 1))) {
        if (attack_time >= 0.0) attack_db = std::max(attack_db, context[k].level_db);
        return;
    }
    const std::size_t end = std::min(
        context.size(), k + std::max<std::size_t>(1, std::lround(kAttackPeakSeconds / hop)));
    double peak = -120.0;
    for (std::size_t j = k; j < end; ++j)
        peak = std::max(peak, context[j].level_db);
    std::size_t at = k;
    while (context[at].level_db < peak - kAttackPeakDb)
        ++at;
    attack_time = context[at].time;
    attack_db = peak; // not frame k's level: a bowed attack out of a release starts 25 dB down
}

// Where the note after a level valley at frame k begins, when an attack climbs out of it
// within the look-ahead: the first frame kValleyRiseDb above the valley's floor. (A note
// released, then the next one struck: the old note's fading clarity, which places the
// boundary of a legato change, says nothing about when the new note came; nor, for a slow
// attack out of a non-silent floor, does the time the level reaches its peak.) Else -1.
double NoteSegmenter::Impl::attack_after(std::size_t k) const {
    for (std::size_t i = k + 1; i < context.size(); ++i) {
        if (!rising(i)) continue;
        std::size_t j = k + 1;
        while (j < i && context[j].level_db < context[k].level_db + kValleyRiseDb)
            ++j;
        return context[j].time - hop / 2;
    }
    return -1.0;
}

// A soft re-attack: the level falls well below the note on both sides of frame k and
// the waveform loses clarity there (two notes overlap). Tremolo dips are shallower and
// keep their clarity.
bool NoteSegmenter::Impl::valley(std::size_t k) const {
    const std::size_t r = reach(), near = 5;
    const double floor = context[k].level_db;
    double left = floor, right = floor, clearest = 0.0, murkiest = 1.0;
    for (std::size_t i = (k >= r ? k - r : 0); i < std::min(context.size(), k + r + 1); ++i) {
        const std::size_t distance = i > k ? i - k : k - i;
        if (distance <= near && context[i].level_db < floor) return false;
        (i < k ? left : right) = std::max(i < k ? left : right, context[i].level_db);
        clearest = std::max(clearest, context[i].confidence);
        if (distance <= 3) murkiest = std::min(murkiest, context[i].confidence);
    }
    const double depth = std::min(left, right) - floor, murk = clearest - murkiest;
    return depth >= config.onset_rise_db + 1.0 && murk >= 0.02;
}

// A re-attack without a level valley: a sustained note (reed, bow, voice) begun again
// at the same pitch overlaps its own release, out of phase, for a few frames, and the
// clarity drops (0.998 -> 0.74 -> 0.99 for FluidR3's tenor sax) between two clear
// stretches of one pitch. Vibrato and tremolo move the clarity by under 0.01; a glide
// changes the pitch from one side to the other.
bool NoteSegmenter::Impl::clarity_notch(std::size_t k) {
    if (!context[k].voiced) return false;
    const std::size_t span = std::max<std::size_t>(2, std::lround(kNotchSpanSeconds / hop));
    const double here = context[k].confidence;
    double left = 0.0, right = 0.0;
    for (std::size_t i = (k >= span ? k - span : 0); i < std::min(context.size(), k + span + 1);
         ++i) {
        if (i == k || !context[i].voiced) continue;
        const std::size_t distance = i > k ? i - k : k - i;
        if (2 * distance <= span && context[i].confidence < here) return false; // not its floor
        (i < k ? left : right) = std::max(i < k ? left : right, context[i].confidence);
    }
    const double sides = std::min(left, right);
    if (!(sides >= kNotchSides && sides - here >= kNotchDepth)) return false;
    const double before = median_pitch(k >= span ? k - span : 0, k);
    const double after = median_pitch(k + 1, k + span + 1);
    return std::abs(before - after) < kNotchSamePitch;
}

// A re-attack heard in the waveform alone: a sustained note begun again at its pitch (a new
// bow stroke, breath or tongue) overlaps its own release, so the level need not dip, but
// for 50-100 ms the sound is far less periodic: 1 - clarity rises tens of times over, then
// falls back (a piccolo's 0.9994 -> 0.95 -> 0.9994). Measured in dB, so a note as clear as
// 0.9995 and one of 0.99 are judged alike; vibrato moves it by a few dB. Frame k is the
// burst's peak; the new note begins where the burst came within kBurstStartDb of it.
std::optional<double> NoteSegmenter::Impl::aperiodicity_burst(std::size_t k) {
    const auto aperiodicity = [this](std::size_t i) {
        return 10.0 * std::log10(std::max(1.0 - context[i].confidence, 1e-6));
    };
    const std::size_t side = std::size_t(std::lround(kBurstSeconds / hop));
    const std::size_t settle = std::size_t(std::lround(kBurstSettleSeconds / hop));
    if (k + 3 >= context.size() || !context[k].voiced) return std::nullopt;
    const double peak = aperiodicity(k);
    if (peak < kBurstPeakDb) return std::nullopt;
    // The note's own frames before the burst, past its attack.
    const std::size_t first =
        std::max(k - std::min(k, side), k - std::min(k, since_split) + settle);
    std::size_t start = k;
    while (start > first && aperiodicity(start - 1) >= peak - kBurstStartDb)
        --start;
    if (start < first + settle) return std::nullopt;
    double lowest = peak, highest = -120.0;
    for (std::size_t i = first; i < k; ++i) {
        if (!context[i].voiced) return std::nullopt;
        if (i + 3 >= k && aperiodicity(i) >= peak) return std::nullopt; // not the peak yet
        lowest = std::min(lowest, aperiodicity(i));
        if (i < start) highest = std::max(highest, aperiodicity(i));
    }
    double loudest = -120.0;
    for (std::size_t i = first; i < start; ++i)
        loudest = std::max(loudest, context[i].level_db);
    // After the burst: it falls back, and for the next kBurstSettleSeconds x 2 the note is
    // settled: neither as aperiodic again (a vibrato's next swing) nor far quieter than
    // before (a release ringing on in a room).
    std::size_t fallen = k + 1;
    while (fallen < context.size() &&
           !(context[fallen].voiced && aperiodicity(fallen) <= peak - kBurstFallDb))
        ++fallen;
    if (fallen == context.size()) return std::nullopt;
    for (std::size_t i = k + 1; i <= k + 3; ++i)
        if (aperiodicity(i) > peak) return std::nullopt;
    double relapse = -120.0, level = -120.0;
    for (std::size_t i = fallen + 1; i < std::min(context.size(), fallen + 1 + 2 * settle); ++i) {
        if (context[i].voiced) relapse = std::max(relapse, aperiodicity(i));
        level = std::max(level, context[i].level_db);
    }
    if (peak - lowest < kBurstRiseDb || peak - highest < kBurstAboveDb ||
        peak - relapse < kBurstRelapseDb ||
        level < std::max(loudest - kBurstQuieterDb, peak_db - kTailDb))
        return std::nullopt;
    const double before_pitch = median_pitch(first, start);
    const double after_pitch =
        median_pitch(k + 3, std::min(context.size(), fallen + 1 + 2 * settle));
    if (!(std::abs(before_pitch - after_pitch) < kNotchSamePitch)) return std::nullopt;
    return context[start].time - hop / 2;
}

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
    // and quieter, is a new note.
    const double held_pitch = step ? recent_median() : 0.0;
    const bool slip_down = context[k].level_db < peak_db - kTailDb;
    if (step && (after > held_pitch || slip_down) && octave_apart(after, held_pitch) &&
        fading(k, w)) {
        octaves_off = true; // a tracking error: keep the note, and the pitch it began at
        recent.clear();     // follow the track in its new octave from here
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
// as clear as the old note was at its clearest there.
double NoteSegmenter::Impl::transition_start(std::size_t k) const {
    const std::size_t back = std::min({k, std::size_t(std::lround(0.15 / hop)), since_split});
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
    return std::min(context[last].time + hop / 2, context[k].time - hop / 2);
}

} // namespace pitchscribe

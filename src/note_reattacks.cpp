// What the frames around the one being decided show about re-attacks of one pitch: where the
// level jumps (an attack) or sinks into a valley, a clarity notch, a burst of aperiodicity.
#include "note_segmenter.hpp"

namespace pitchscribe {

using namespace note_detail;

// The quietest of frame i and the five before it (the 50 ms the frame window smears an
// attack over).
std::size_t NoteSegmenter::Impl::dip_before(std::size_t i) const {
    std::size_t dip = i;
    for (std::size_t j = (i >= 5 ? i - 5 : 0); j < i; ++j)
        if (context[j].level_db < context[dip].level_db) dip = j;
    return dip;
}

// True when frame i's level has risen onset_rise_db over the last five frames.
bool NoteSegmenter::Impl::rising(std::size_t i) const {
    return context[i].level_db - context[dip_before(i)].level_db >= config.onset_rise_db;
}

// Remembers the frame where the level starts to jump up after a dip (any frame, voiced
// or not): the first of a run of rising frames. The attack is timed where the level comes
// within kAttackPeakDb of its peak; its note begins there or, if earlier, half a frame
// window after the level first climbs out of the dip: a gradual rise (a bowed or blown
// attack, a low pluck) nears its peak 40-50 ms after the note began, and a frame's window
// hears an attack from half a window before it.
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
    attack_start =
        std::min(attack_time, context[climb(dip_before(k), at)].time + kAttackLeadSeconds);
    attack_db = peak; // not frame k's level: a bowed attack out of a release starts 25 dB down
}

// Where the note after a level valley at frame k begins: the first frame kValleyRiseDb
// above the valley's floor, before the attack that climbs out of it if one does within the
// look-ahead, else wherever it is (a sung vowel swelling in under a room's reverberation
// climbs too gently for an attack). (A note released, then the next one struck: the old
// note's fading clarity, which places the boundary of a legato change, says nothing about
// when the new note came; nor, for a slow attack out of a non-silent floor, does the time
// the level reaches its peak.) -1 when the level never climbs.
double NoteSegmenter::Impl::attack_after(std::size_t k) const {
    std::size_t attack = k + 1;
    while (attack < context.size() && !rising(attack))
        ++attack;
    const std::size_t j = climb(k, attack);
    return j < context.size() ? context[j].time - hop / 2 : -1.0;
}

// The first frame after `floor` kValleyRiseDb above it, before `limit` (else `limit`).
std::size_t NoteSegmenter::Impl::climb(std::size_t floor, std::size_t limit) const {
    std::size_t j = floor + 1;
    while (j < limit && context[j].level_db < context[floor].level_db + kValleyRiseDb)
        ++j;
    return j;
}

// A soft re-attack: the level falls well below the note on both sides of frame k and
// the waveform loses clarity there (two notes overlap). Tremolo dips are shallower and
// keep their clarity; a release ringing on in a room swells back up, but stays
// kRingingOnDb or more under the note.
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
    if (right < left - kRingingOnDb) return false; // a release ringing on in a room
    return depth >= config.onset_rise_db + 1.0 && murk >= 0.02;
}

// A re-attack without a level valley: a sustained note (reed, bow, voice) begun again
// at the same pitch overlaps its own release, out of phase, for a few frames, and the
// clarity drops (0.998 -> 0.74 -> 0.99 for FluidR3's tenor sax) between two clear
// stretches of one pitch. Vibrato and tremolo move the clarity by under 0.01; a glide
// changes the pitch from one side to the other. A note released in a room notches the
// clarity too, where the dry sound stops and the reverberation rings on, clear, but with
// its clear frames kRingingOnDb or more under the note's: that tail is no new note.
bool NoteSegmenter::Impl::clarity_notch(std::size_t k) {
    if (!context[k].voiced) return false;
    const std::size_t span = std::max<std::size_t>(2, std::lround(kNotchSpanSeconds / hop));
    const double here = context[k].confidence;
    double left = 0.0, right = 0.0, loud_left = -120.0, loud_right = -120.0;
    for (std::size_t i = (k >= span ? k - span : 0); i < std::min(context.size(), k + span + 1);
         ++i) {
        if (i == k || !context[i].voiced) continue;
        const std::size_t distance = i > k ? i - k : k - i;
        if (2 * distance <= span && context[i].confidence < here) return false; // not its floor
        double& clearest = i < k ? left : right;
        double& loudest_clear = i < k ? loud_left : loud_right; // the clear sides' level
        clearest = std::max(clearest, context[i].confidence);
        if (context[i].confidence >= kNotchSides)
            loudest_clear = std::max(loudest_clear, context[i].level_db);
    }
    const double sides = std::min(left, right);
    if (!(sides >= kNotchSides && sides - here >= kNotchDepth)) return false;
    if (loud_right < loud_left - kRingingOnDb) return false; // a release ringing on in a room
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
    // The peak: no frame up to 3 before is as aperiodic, none up to 3 after more (checked
    // first: most frames are not a peak).
    for (std::size_t i = std::max(first, k - std::min<std::size_t>(k, 3)); i < k; ++i)
        if (aperiodicity(i) >= peak) return std::nullopt;
    for (std::size_t i = k + 1; i <= k + 3; ++i)
        if (aperiodicity(i) > peak) return std::nullopt;
    std::size_t start = k;
    while (start > first && aperiodicity(start - 1) >= peak - kBurstStartDb)
        --start;
    if (start < first + settle) return std::nullopt;
    double lowest = peak, highest = -120.0;
    for (std::size_t i = first; i < k; ++i) {
        if (!context[i].voiced) return std::nullopt;
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
    const std::size_t settled_end = std::min(context.size(), fallen + 1 + 2 * settle);
    double relapse = -120.0, level = -120.0;
    for (std::size_t i = fallen + 1; i < settled_end; ++i) {
        if (context[i].voiced) relapse = std::max(relapse, aperiodicity(i));
        level = std::max(level, context[i].level_db);
    }
    if (peak - lowest < kBurstRiseDb || peak - highest < kBurstAboveDb ||
        peak - relapse < kBurstRelapseDb ||
        level < std::max(loudest - kRingingOnDb, peak_db - kTailDb))
        return std::nullopt;
    const double before_pitch = median_pitch(first, start);
    const double after_pitch = median_pitch(k + 3, settled_end);
    if (!(std::abs(before_pitch - after_pitch) < kNotchSamePitch)) return std::nullopt;
    return context[start].time - hop / 2;
}

} // namespace pitchscribe

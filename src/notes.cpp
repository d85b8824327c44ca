// Note segmentation. Each frame is decided with context either side: a note splits where
// the pitch after the frame holds away from the note's reference while the pitch before it
// had not moved (a step, not a glide or vibrato), or at a re-attack of the same pitch: the
// level jumps up after a dip, or falls into a valley, or the clarity drops into a sharp
// notch. The reference is the mean pitch of the note's last vibrato period (~170 ms), so it
// sits at the centre of a vibrato and follows a slow glide.
#include "pitchscribe/notes.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <vector>

namespace pitchscribe {
namespace {

constexpr std::size_t kMaxStoredPitches = 4096; // per note; longer notes are subsampled
constexpr double kReferenceSeconds = 0.17;      // one period of a 6 Hz vibrato
constexpr double kFragmentSeconds = 0.15;       // an octave-off start of a note, at most
// A blown or bowed note's level keeps rising after its pitch has taken over: a level jump
// this soon after a change of pitch is the new note's own attack, not another note.
constexpr double kLateAttackSeconds = 0.1;
constexpr double kClarityWander = 2.0; // see transition_start
// A glide (see gliding): this clear, and moving less than this per frame, this long either side.
constexpr double kGlideClarity = 0.95;
constexpr double kGlideMaxStep = 0.2;
constexpr double kGlideSpanSeconds = 0.05;
// A level jump is heard by a frame as soon as its window reaches it, half a window (~25 ms)
// early; the frame centred on a sudden attack is the one at half its power, so the attack
// time is the first frame within this many dB of the peak of the next kAttackPeakSeconds.
constexpr double kAttackPeakDb = 3.0;
constexpr double kAttackPeakSeconds = 0.06;
// A clarity notch (see clarity_notch): this deep below both sides, which are this clear and
// within this many semitones of each other, over this span either side.
constexpr double kNotchDepth = 0.05;
constexpr double kNotchSides = 0.97;
constexpr double kNotchSamePitch = 0.3;
constexpr double kNotchSpanSeconds = 0.06;

double median(std::vector<double>& values) {
    if (values.empty()) return 0.0;
    const auto mid = values.begin() + std::ptrdiff_t(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end());
    if (values.size() % 2 == 1) return *mid;
    return (*mid + *std::max_element(values.begin(), mid)) / 2.0;
}

} // namespace

struct NoteSegmenter::Impl {
    NoteConfig config;
    double hop = 0.0;               // seconds between frames, learnt from the first two frames
    std::deque<PitchFrame> context; // frames [k - reach, k + reach] around the frame k
    std::size_t behind = 0;         // frames of `context` before the one being decided

    // The note being built.
    bool in_note = false;
    double onset = 0.0, last_voiced = 0.0;
    double initial_reference = 0.0; // MIDI: median of the note's first frames (look-ahead)
    std::deque<double> recent;      // MIDI pitches of the note's last kReferenceSeconds
    double recent_sum = 0.0;
    bool attacked = false;    // this note began with a re-attack, not a change of pitch
    bool octaves_off = false; // the track slipped an octave as the note faded: pitch frozen
    double attack_time = -1.0, attack_db = -120.0; // the last level jump not yet used
    std::vector<double> pitches;
    std::size_t stride = 1, seen = 0; // keep every stride-th pitch once the store is full
    double clarity_sum = 0.0, peak_db = -120.0;
    std::size_t voiced = 0, since_split = 0;
    std::vector<double> scratch;

    std::optional<Note> held; // the last finished note, kept to absorb a short successor

    explicit Impl(const NoteConfig& c) : config(c) { pitches.reserve(kMaxStoredPitches); }

    std::size_t window() const {
        return hop > 0.0
                   ? std::max<std::size_t>(2, std::size_t(std::lround(config.min_duration / hop)))
                   : 2;
    }
    std::size_t reach() const {
        return std::max(window(), std::size_t(std::lround(kReferenceSeconds / hop)));
    }
    double midi(const PitchFrame& f) const {
        return midi_from_frequency(f.frequency, config.tuning);
    }
    double reference() const {
        return double(recent.size()) * hop >= kReferenceSeconds - 1e-9
                   ? recent_sum / double(recent.size())
                   : initial_reference;
    }

    // Median MIDI pitch of the voiced frames context[from, to); NaN when there are none.
    double median_pitch(std::size_t from, std::size_t to) {
        scratch.clear();
        for (std::size_t i = from; i < to && i < context.size(); ++i)
            if (context[i].voiced) scratch.push_back(midi(context[i]));
        return scratch.empty() ? std::nan("") : median(scratch);
    }

    void push(const PitchFrame& frame, const NoteSink& sink) {
        if (hop == 0.0 && !context.empty()) hop = frame.time - context.back().time;
        context.push_back(frame);
        if (hop <= 0.0) return; // the window is not known until the second frame
        while (context.size() > behind + reach())
            decide(sink);
    }

    void finish(const NoteSink& sink) {
        if (hop <= 0.0) hop = config.min_duration; // a single frame: no note can be long enough
        while (behind < context.size())
            decide(sink);
        end_note(sink);
        if (held) sink(*held);
        held.reset();
    }

    // Decides the frame at context[behind], then slides the window.
    void decide(const NoteSink& sink) {
        const std::size_t w = window(), k = behind, r = reach();
        const PitchFrame& f = context[k];
        if (in_note && (f.time - last_voiced) > config.max_gap + hop / 2) end_note(sink);
        note_attack(k);
        if (f.voiced) {
            // A re-attack counts when heard since the note's last voiced frame (a pluck's
            // first frames are often unvoiced) and as loud as the note was, give or take.
            const bool late_attack = in_note && !attacked && f.time - onset < kLateAttackSeconds;
            const bool attack =
                attack_time > last_voiced - 1e-9 && attack_db >= peak_db - 20.0 && !late_attack;
            const bool may_split = in_note && since_split >= w;
            double boundary = -1.0; // where a change of pitch began, when there is one
            bool restruck = false;  // the same pitch, sung or bowed again: a valley in level
            if (may_split && !attack &&
                (pitch_step(k, w) || (restruck = valley(k) || clarity_notch(k))))
                boundary = transition_start(k);
            if (may_split && (attack || boundary >= 0.0)) end_note(sink, boundary);
            if (!in_note) start_note(k, attack || restruck, boundary);
            attack_time = -1.0;
            add_to_note(f);
            ++since_split;
        }
        if (behind < r) {
            ++behind;
        } else {
            context.pop_front();
        }
    }

    // Remembers the frame where the level starts to jump up after a dip (any frame, voiced
    // or not): the first of a run of frames rising onset_rise_db over the last five (the
    // 50 ms the frame window smears an attack over).
    void note_attack(std::size_t k) {
        auto rise = [&](std::size_t i) {
            double dip = context[i].level_db;
            for (std::size_t j = (i >= 5 ? i - 5 : 0); j < i; ++j)
                dip = std::min(dip, context[j].level_db);
            return context[i].level_db - dip >= config.onset_rise_db;
        };
        if (!rise(k) || (k > 0 && rise(k - 1))) {
            if (attack_time >= 0.0) attack_db = std::max(attack_db, context[k].level_db);
            return;
        }
        attack_db = context[k].level_db;
        const std::size_t end = std::min(
            context.size(), k + std::max<std::size_t>(1, std::lround(kAttackPeakSeconds / hop)));
        double peak = -120.0;
        for (std::size_t j = k; j < end; ++j)
            peak = std::max(peak, context[j].level_db);
        std::size_t at = k;
        while (context[at].level_db < peak - kAttackPeakDb)
            ++at;
        attack_time = context[at].time;
    }

    // A soft re-attack: the level falls well below the note on both sides of frame k and
    // the waveform loses clarity there (two notes overlap). Tremolo dips are shallower and
    // keep their clarity.
    bool valley(std::size_t k) const {
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
    bool clarity_notch(std::size_t k) {
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

    // A change of pitch that holds (not a blip), from a pitch that had not been moving away
    // (not a glide or a vibrato).
    bool pitch_step(std::size_t k, std::size_t w) {
        const double split = config.split_cents / 100.0, ref = reference();
        const double after = median_pitch(k, k + w);
        const double before = median_pitch(k > w ? k - w : 0, k);
        const double here = midi(context[k]);
        const bool step = std::abs(after - ref) >= split &&
                          (std::isnan(before) || std::abs(before - ref) < split / 2 ||
                           std::abs(after - before) >= split) &&
                          std::abs(here - after) < std::abs(here - ref) && holds(k, w, after) &&
                          !gliding(k);
        if (step && octave_apart(after, ref) && fading(k, w)) {
            octaves_off = true; // a tracking error: keep the note, and the pitch it began at
            recent.clear();     // follow the track in its new octave from here
            recent_sum = 0.0;
            initial_reference = after;
            return false;
        }
        return step;
    }

    // A glide (a pitch bend or a slide within one note) moves the pitch a little every
    // frame; a change of note jumps (the path hands a legato change over in one step, and
    // two notes overlapping lower the clarity). So: every frame within kGlideSpanSeconds
    // either side clear and within kGlideMaxStep semitones of the one before.
    bool gliding(std::size_t k) const {
        const std::size_t span = std::max<std::size_t>(1, std::lround(kGlideSpanSeconds / hop));
        if (k < span || k + span >= context.size()) return false;
        for (std::size_t i = k - span; i <= k + span; ++i) {
            if (!context[i].voiced || context[i].confidence < kGlideClarity) return false;
            if (i > k - span && std::abs(midi(context[i]) - midi(context[i - 1])) >= kGlideMaxStep)
                return false;
        }
        return true;
    }

    static bool octave_apart(double a, double b) {
        const double d = std::abs(a - b);
        return std::abs(d - 12.0) < 0.5 || std::abs(d - 24.0) < 0.5;
    }

    // A string or struck note dying away cannot jump an octave: when the level only falls
    // across a change of exactly one or two octaves, the tracker has slipped to a harmonic.
    bool fading(std::size_t k, std::size_t w) const {
        double before = -120.0, after = -120.0;
        for (std::size_t i = (k > w ? k - w : 0); i < k; ++i)
            before = std::max(before, context[i].level_db);
        for (std::size_t i = k; i < std::min(context.size(), k + w); ++i)
            after = std::max(after, context[i].level_db);
        return after <= before + 1.0 && after <= peak_db - 2.0; // and past its attack
    }

    // True when all but one of the voiced frames in [k, k + w) are near `pitch`.
    bool holds(std::size_t k, std::size_t w, double pitch) const {
        std::size_t near = 0, count = 0;
        for (std::size_t i = k; i < k + w && i < context.size(); ++i) {
            if (!context[i].voiced) continue;
            ++count;
            near += std::abs(midi(context[i]) - pitch) < config.split_cents / 200.0 ? 1 : 0;
        }
        return count > 0 && near + 1 >= std::max<std::size_t>(count, 2);
    }

    // The pitch a new note starts at: the median of its frames up to the first abrupt jump.
    double opening_pitch(std::size_t k) {
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

    // The boundary between a note and the next at a change of pitch: the new pitch is heard
    // late (the old one rings on, a bowed or blown attack is slow), but the old note starts
    // to lose its clarity at once. So: just after the last frame, up to 150 ms back, that is
    // as clear as the old note was at its clearest there.
    double transition_start(std::size_t k) const {
        const std::size_t back = std::min({k, std::size_t(std::lround(0.15 / hop)), since_split});
        double clearest = 0.0;
        for (std::size_t j = k - back; j < k; ++j)
            if (context[j].voiced) clearest = std::max(clearest, context[j].confidence);
        // Clarity wanders from frame to frame by about (1 - clarity) in noise (white noise at
        // 10 dB: 0.85 +- 0.03); with a fixed 0.01 the boundary went back to whichever frame
        // was clearest by chance, up to 150 ms early.
        const double tolerance = std::max(0.01, kClarityWander * (1.0 - clearest));
        std::size_t last = k - 1;
        while (last > k - back &&
               !(context[last].voiced && context[last].confidence >= clearest - tolerance))
            --last;
        return std::min(context[last].time + hop / 2, context[k].time - hop / 2);
    }

    void start_note(std::size_t k, bool attack, double boundary) {
        in_note = true;
        attacked = attack;
        octaves_off = false;
        // A note struck in silence or over a ringing one starts where its level jumped.
        const bool recent_attack = attack_time >= 0.0 && context[k].time - attack_time <= 0.1;
        onset =
            boundary >= 0.0 ? boundary : (recent_attack ? attack_time : context[k].time) - hop / 2;
        initial_reference = opening_pitch(k);
        recent.clear();
        recent_sum = 0.0;
        pitches.clear();
        stride = 1;
        seen = 0;
        clarity_sum = 0.0;
        peak_db = -120.0;
        voiced = 0;
        since_split = 0;
    }

    void add_to_note(const PitchFrame& f) {
        last_voiced = f.time;
        recent.push_back(midi(f));
        recent_sum += recent.back();
        if (double(recent.size()) * hop > kReferenceSeconds + 1e-9) {
            recent_sum -= recent.front();
            recent.pop_front();
        }
        if (!octaves_off && seen++ % stride == 0) {
            if (pitches.size() == kMaxStoredPitches) { // halve the store, double the stride
                for (std::size_t i = 0; i < pitches.size() / 2; ++i)
                    pitches[i] = pitches[2 * i];
                pitches.resize(pitches.size() / 2);
                stride *= 2;
            }
            pitches.push_back(f.frequency);
        }
        clarity_sum += f.confidence;
        peak_db = std::max(peak_db, f.level_db);
        ++voiced;
    }

    // Ends the note being built; `boundary` >= 0 is where the next one starts.
    void end_note(const NoteSink& sink, double boundary = -1.0) {
        if (!in_note) return;
        in_note = false;
        Note note;
        note.onset = std::max(0.0, onset);
        note.offset = last_voiced + hop / 2;
        if (boundary >= 0.0)
            note.offset = std::max(note.onset + hop, std::min(note.offset, boundary));
        note.frequency = median(pitches);
        const NearestNote nearest = nearest_note(note.frequency, config.tuning);
        note.midi = nearest.midi;
        note.name = nearest.name;
        note.cents = nearest.cents;
        note.confidence = clarity_sum / double(voiced);
        note.level_db = peak_db;
        const bool too_short = note.offset - note.onset < config.min_duration - 1e-9;
        const bool touches = held && note.onset - held->offset <= hop;
        // An attack sometimes sounds an octave off for its first frames (a sub-harmonic
        // before the fundamental settles): such a fragment is the start of the next note.
        if (touches && held->offset - held->onset < kFragmentSeconds &&
            std::abs(held->midi - note.midi) % 12 == 0 && held->midi != note.midi) {
            note.onset = held->onset;
            held.reset();
        }
        // A blip right after a note belongs to it, and so does the same pitch resuming after
        // a blip (unless struck again); a lone blip is dropped.
        if (too_short || (touches && note.midi == held->midi && !attacked)) {
            if (touches) held->offset = note.offset;
            return;
        }
        if (held) sink(*held);
        held = std::move(note);
    }
};

NoteSegmenter::NoteSegmenter(const NoteConfig& config) : impl_(std::make_unique<Impl>(config)) {}
NoteSegmenter::NoteSegmenter(NoteSegmenter&&) noexcept = default;
NoteSegmenter& NoteSegmenter::operator=(NoteSegmenter&&) noexcept = default;
NoteSegmenter::~NoteSegmenter() = default;

void NoteSegmenter::push(const PitchFrame& frame, const NoteSink& sink) {
    impl_->push(frame, sink);
}
void NoteSegmenter::finish(const NoteSink& sink) {
    impl_->finish(sink);
}

} // namespace pitchscribe

// Note segmentation. Each frame is decided with context either side: a note splits where
// the pitch after the frame holds away from the note's reference while the pitch before it
// had not moved (a step, not a glide or vibrato), or at a re-attack of the same pitch: the
// level jumps up after a dip, or falls into a valley, or the clarity drops into a sharp
// notch. The reference is the mean pitch of the note's last vibrato period (~170 ms), so it
// sits at the centre of a vibrato and follows a slow glide.
#include "note_segmenter.hpp"
#include "path_tracker.hpp" // sub_harmonic

namespace pitchscribe {

using namespace note_detail;

// Median MIDI pitch of the voiced frames context[from, to); NaN when there are none.
double NoteSegmenter::Impl::median_pitch(std::size_t from, std::size_t to) {
    scratch.clear();
    for (std::size_t i = from; i < to && i < context.size(); ++i)
        if (context[i].voiced) scratch.push_back(midi(context[i]));
    return scratch.empty() ? std::nan("") : median(scratch);
}

void NoteSegmenter::Impl::push(const PitchFrame& frame, const NoteSink& sink) {
    if (hop == 0.0 && !context.empty()) hop = frame.time - context.back().time;
    context.push_back(frame);
    if (hop <= 0.0) return; // the window is not known until the second frame
    while (context.size() > behind + reach())
        decide(sink);
}

void NoteSegmenter::Impl::finish(const NoteSink& sink) {
    if (hop <= 0.0) hop = config.min_duration; // a single frame: no note can be long enough
    while (behind < context.size())
        decide(sink);
    end_note(sink);
    if (held) sink(*held);
    held.reset();
}

// Decides the frame at context[behind], then slides the window.
void NoteSegmenter::Impl::decide(const NoteSink& sink) {
    const std::size_t w = window(), k = behind;
    const PitchFrame& f = context[k];
    if (in_note && (f.time - last_voiced) > config.max_gap + hop / 2) end_note(sink);
    note_attack(k);
    if (f.voiced) {
        // A re-attack counts when heard since the note's last voiced frame (a pluck's
        // first frames are often unvoiced) and as loud as the note was, give or take.
        // A level jump soon after a note began is still its attack when the note began at
        // a change of pitch, or began with an attack and has only grown since (a voice
        // swelling in two steps); a note struck again after some decay is a new one. A
        // clarity notch soon after a change of pitch is no re-attack either: it is the old
        // note's release crossfading with the new one (a voice's F3 -> E3, 90 ms after).
        const bool soon = in_note && f.time - onset < kLateAttackSeconds;
        const bool late_attack = soon && (!attacked || !level_fell);
        const bool late_notch = soon && !attacked;
        const bool attack =
            attack_time > last_voiced - 1e-9 && attack_db >= peak_db - 20.0 && !late_attack;
        const bool may_split = in_note && since_split >= w;
        double boundary = -1.0; // where the next note begins, when a cue splits here
        bool restruck = false;  // begun again: a level valley, a clarity notch or burst
        if (may_split && !attack) {
            if (pitch_step(k, w)) {
                boundary = transition_start(k);
            } else if (valley(k)) { // the next note begins where its attack climbs out
                restruck = true;
                boundary = std::max(transition_start(k), attack_after(k));
            } else if (!late_notch && clarity_notch(k)) {
                restruck = true;
                boundary = transition_start(k);
            } else if (const auto start = aperiodicity_burst(k)) {
                restruck = true;
                boundary = *start;
            }
        }
        if (may_split && (attack || boundary >= 0.0))
            end_note(sink, boundary >= 0.0 ? boundary : unbounded_onset(k));
        if (!in_note) start_note(k, attack || restruck, boundary);
        attack_time = -1.0;
        add_to_note(f);
        ++since_split;
    }
    if (behind < history()) {
        ++behind;
    } else {
        context.pop_front();
    }
}

// Where a note that frame k starts begins when no cue placed its boundary: a note struck in
// silence or over a ringing one starts where its level jumped.
double NoteSegmenter::Impl::unbounded_onset(std::size_t k) const {
    const bool recent_attack = attack_time >= 0.0 && context[k].time - attack_time <= 0.1;
    return (recent_attack ? attack_start : context[k].time) - hop / 2;
}

void NoteSegmenter::Impl::start_note(std::size_t k, bool attack, double boundary) {
    in_note = true;
    attacked = attack;
    octaves_off = false;
    onset = boundary >= 0.0 ? boundary : unbounded_onset(k);
    initial_reference = opening_pitch(k);
    recent.clear();
    recent_sum = 0.0;
    forget_pitches();
    clarity_sum = 0.0;
    peak_db = -120.0;
    level_fell = false;
    voiced = 0;
    since_split = 0;
}

void NoteSegmenter::Impl::add_to_note(const PitchFrame& f) {
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
        pitches.push_back(heard(f));
    }
    clarity_sum += f.confidence;
    level_fell = level_fell || f.level_db < peak_db - kLevelFallDb;
    peak_db = std::max(peak_db, f.level_db);
    ++voiced;
}

// Ends the note being built; `boundary` >= 0 is where the next one starts.
void NoteSegmenter::Impl::end_note(const NoteSink& sink, double boundary) {
    if (!in_note) return;
    in_note = false;
    Note note;
    note.onset = std::max(0.0, onset);
    note.offset = last_voiced + hop / 2;
    if (boundary >= 0.0) note.offset = std::max(note.onset + hop, std::min(note.offset, boundary));
    note.frequency = median(pitches);
    const NearestNote nearest = nearest_note(note.frequency, config.tuning);
    note.midi = nearest.midi;
    note.name = nearest.name;
    note.cents = nearest.cents;
    note.confidence = clarity_sum / double(voiced);
    note.level_db = peak_db;
    const bool too_short = note.offset - note.onset < config.min_duration - 1e-9;
    bool touches = held && note.onset - held->offset <= hop;
    // An attack sometimes sounds an octave off for its first frames (a sub-harmonic
    // before the fundamental settles): such a fragment is the start of the next note. A
    // longer one counts too when neither began with an attack and it is far less periodic
    // than the note (a transient, not a note sung an octave off): an organ pipe speaks at
    // its octave for up to 0.25 s, and in a legato change the new note's sub-octave can
    // outlast the crossfade. Not a fragment that is the note before it struck again: that
    // is a repeat (a flute's E6, E6 again, E5).
    const double fragment = touches ? held->offset - held->onset : 0.0;
    if (touches && !held_repeats &&
        (fragment < kFragmentSeconds ||
         (fragment < kUnstruckFragmentSeconds && !held_attacked && !attacked &&
          held->confidence <= note.confidence - kFragmentClarityDeficit)) &&
        octave_apart(midi_from_frequency(held->frequency, config.tuning),
                     midi_from_frequency(note.frequency, config.tuning))) {
        note.onset = held->onset;
        held.reset();
        touches = false; // nothing before the note now (the note before the fragment is out)
    }
    // A blip right after a note belongs to it, and so does the same pitch resuming after
    // a blip (unless struck again); a lone blip is dropped, and a note right after it at a
    // harmonic of the blip's pitch began with it (its attack heard at the octave or the
    // third harmonic: FluidR3's percussive organ speaks its percussion first). A blip at a
    // new pitch right after a note, with that pitch back within kBlipLeadSeconds (unless
    // struck), is the start of the note after: a low note's first frames are clear, the next
    // few too murky to be voiced (a cello's C#2 after a D#3: 0.11 s late).
    const double after_blip = blip ? note.onset - blip->offset : 0.0;
    if (blip && !too_short && blip_joined) {
        if (held && !attacked && note.midi == blip->midi && after_blip <= kBlipLeadSeconds + 1e-9) {
            held->offset = *blip_joined;
            note.onset = blip->onset;
        }
    } else if (blip && !too_short && after_blip <= hop + 1e-9) {
        const double blip_midi = midi_from_frequency(blip->frequency, config.tuning);
        const double note_midi = midi_from_frequency(note.frequency, config.tuning);
        if (octave_apart(blip_midi, note_midi) || detail::sub_harmonic(blip_midi, note_midi))
            note.onset = std::min(note.onset, blip->onset);
    }
    blip.reset();
    blip_joined.reset();
    if (too_short || (touches && note.midi == held->midi && !attacked)) {
        if (touches) {
            if (too_short && note.midi != held->midi) {
                blip = note;
                blip_joined = held->offset;
            }
            held->offset = note.offset;
        } else {
            blip = note;
        }
        return;
    }
    const bool repeats = touches && note.midi == held->midi;
    if (held) sink(*held);
    held = std::move(note);
    held_attacked = attacked;
    held_repeats = repeats;
}

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

// Internal: the note segmenter's state and its tuning constants, shared by notes.cpp (the
// state machine that builds notes), note_reattacks.cpp and note_cues.cpp (what the frames
// around the one being decided show: re-attacks of one pitch; steps, glides, boundaries).
#pragma once

#include "median.hpp"
#include "pitchscribe/notes.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <vector>

namespace pitchscribe {
namespace note_detail {

constexpr std::size_t kMaxStoredPitches = 4096;  // per note; longer notes are subsampled
constexpr double kReferenceSeconds = 0.17;       // one period of a 6 Hz vibrato
constexpr double kFragmentSeconds = 0.15;        // an octave-off start of a note, at most ...
constexpr double kUnstruckFragmentSeconds = 0.3; // ... or this when no attack is heard
constexpr double kFragmentClarityDeficit = 0.1;  // and it is this much less clear
constexpr double kBlipLeadSeconds = 0.1; // a blip begins the note of its pitch this soon after
// A blown or bowed note's level keeps rising after its pitch has taken over: a level jump
// this soon after a change of pitch is the new note's own attack, not another note.
constexpr double kLateAttackSeconds = 0.1;
constexpr double kLevelFallDb = 1.0;   // a note's level has fallen once this far under its peak
constexpr double kTailDb = 20.0;       // a note's tail: this far under its peak
constexpr double kClarityWander = 2.0; // see transition_start
// A vibrato (see vibrato_low): the pitch moving this much over one vibrato period, this long
// after the note's attack; the boundary may go this far under its lowest clarity.
constexpr double kVibratoSemitones = 0.2;
constexpr double kVibratoSettleSeconds = 0.05;
constexpr double kVibratoMargin = 0.01;
// A glide (see gliding): this clear, and moving less than this per frame, this long either side.
constexpr double kGlideClarity = 0.95;
constexpr double kGlideMaxStep = 0.2;
constexpr double kGlideSpanSeconds = 0.05;
// A level jump is heard by a frame as soon as its window reaches it, half a window (~25 ms)
// early; the frame centred on a sudden attack is the one at half its power, so the attack
// time is the first frame within this many dB of the peak of the next kAttackPeakSeconds.
constexpr double kAttackPeakDb = 3.0;
constexpr double kAttackPeakSeconds = 0.06;
// A note struck begins there, or half the detector's frame (51 ms at the default 40 Hz floor)
// after the level first climbs kValleyRiseDb out of the dip before the attack, if earlier.
constexpr double kAttackLeadSeconds = 0.025;
// The note after a level valley begins where the level has risen this far off its floor.
constexpr double kValleyRiseDb = 3.0;
// An articulation gap before a change of pitch (see transition_start): unvoiced this long,
// this far under the note's peak (a sung consonant; voicing drop-outs in noise stay near
// the note's level).
constexpr double kGapSeconds = 0.03;
constexpr double kGapUnderPeakDb = 6.0;
// A glide into a change of pitch (see glide_start): frames moving towards the new pitch by at
// most this much each (a jump to the new note's sub-octave is no glide), at least two of them
// this far from both notes, none beyond either by more than kGlideRunOvershoot.
constexpr double kGlideRunMaxStep = 2.0;
constexpr double kGlideRunApart = 0.5;
constexpr double kGlideRunOvershoot = 0.25;
// A re-attack (a level valley, a clarity notch or an aperiodicity burst) is followed by the
// note at about its level; this much quieter, it is the note's release ringing on in a room.
constexpr double kRingingOnDb = 10.0;
// A clarity notch (see clarity_notch): this deep below both sides, which are this clear and
// within this many semitones of each other, over this span either side.
constexpr double kNotchDepth = 0.05;
constexpr double kNotchSides = 0.97;
constexpr double kNotchSamePitch = 0.3;
constexpr double kNotchSpanSeconds = 0.06;
// An aperiodicity burst (see aperiodicity_burst), in dB of 1 - clarity: a peak at least
// kBurstPeakDb, kBurstRiseDb above the lowest of the note's last kBurstSeconds (from
// kBurstSettleSeconds past its start) and kBurstAboveDb above their highest; it begins where
// it comes within kBurstStartDb of its peak and ends where it has fallen kBurstFallDb. The
// next 2 x kBurstSettleSeconds stay kBurstRelapseDb under the peak and at most
// kRingingOnDb quieter than the note before it.
constexpr double kBurstPeakDb = -26.0;
constexpr double kBurstRiseDb = 11.0;
constexpr double kBurstAboveDb = 4.0;
constexpr double kBurstStartDb = 6.0;
constexpr double kBurstFallDb = 8.0;
constexpr double kBurstRelapseDb = 1.0;
constexpr double kBurstSeconds = 0.15;
constexpr double kBurstSettleSeconds = 0.05;

using detail::median; // median.hpp

} // namespace note_detail

struct NoteSegmenter::Impl {
    NoteConfig config;
    double hop = 0.0;               // seconds between frames, learnt from the first two frames
    std::deque<PitchFrame> context; // frames [k - history, k + reach] around the frame k
    std::size_t behind = 0;         // frames of `context` before the one being decided

    // The note being built.
    bool in_note = false;
    double onset = 0.0, last_voiced = 0.0;
    double initial_reference = 0.0; // MIDI: median of the note's first frames (look-ahead)
    std::deque<double> recent;      // MIDI pitches of the note's last kReferenceSeconds
    double recent_sum = 0.0;
    bool attacked = false;    // this note began with a re-attack, not a change of pitch
    bool octaves_off = false; // the track slipped an octave as the note faded: pitch frozen
    double attack_time = -1.0, attack_db = -120.0; // the last level jump not yet used, its peak
    double attack_start = -1.0; // where that attack's note begins (see note_attack)
    std::vector<double> pitches;
    std::size_t stride = 1, seen = 0; // keep every stride-th pitch once the store is full
    double clarity_sum = 0.0, peak_db = -120.0;
    bool level_fell = false; // some frame of the note was kLevelFallDb under the peak before it
    std::size_t voiced = 0, since_split = 0;
    std::vector<double> scratch;

    std::optional<Note> held;          // the last finished note, kept to absorb a short successor
    bool held_attacked = false;        // it began with a re-attack
    bool held_repeats = false;         // it is the note before it struck again
    std::optional<Note> blip;          // a blip just dropped with no note before it to join, or ...
    std::optional<double> blip_joined; // ... one joined to it: that note's offset before

    explicit Impl(const NoteConfig& c) : config(c) {
        pitches.reserve(note_detail::kMaxStoredPitches);
    }

    std::size_t window() const {
        return hop > 0.0
                   ? std::max<std::size_t>(2, std::size_t(std::lround(config.min_duration / hop)))
                   : 2;
    }
    std::size_t reach() const {
        return std::max(window(), std::size_t(std::lround(note_detail::kReferenceSeconds / hop)));
    }
    // Frames kept before the one being decided: transition_start's look-back and a vibrato
    // period before it.
    std::size_t history() const { return 2 * reach(); }
    double midi(const PitchFrame& f) const { return midi_from_frequency(heard(f), config.tuning); }
    double reference() const {
        return double(recent.size()) * hop >= note_detail::kReferenceSeconds - 1e-9
                   ? recent_sum / double(recent.size())
                   : initial_reference;
    }
    // The note's pitch store emptied: it takes its pitch from the frames after this.
    void forget_pitches() {
        pitches.clear();
        stride = 1;
        seen = 0;
    }

    // The state machine (notes.cpp).
    double median_pitch(std::size_t from, std::size_t to);
    void push(const PitchFrame& frame, const NoteSink& sink);
    void finish(const NoteSink& sink);
    void decide(const NoteSink& sink);
    void start_note(std::size_t k, bool attack, double boundary);
    double unbounded_onset(std::size_t k) const;
    void add_to_note(const PitchFrame& f);
    void end_note(const NoteSink& sink, double boundary = -1.0);

    // What the frames around frame k show: re-attacks (note_reattacks.cpp) ...
    std::size_t dip_before(std::size_t i) const;
    bool rising(std::size_t i) const;
    void note_attack(std::size_t k);
    double attack_after(std::size_t k) const;
    bool valley(std::size_t k) const;
    bool clarity_notch(std::size_t k);
    std::optional<double> aperiodicity_burst(std::size_t k);
    // ... and changes of pitch (note_cues.cpp).
    bool pitch_step(std::size_t k, std::size_t w);
    bool gliding(std::size_t k) const;
    double recent_median();
    static bool octave_apart(double a, double b);
    bool fading(std::size_t k, std::size_t w) const;
    bool holds(std::size_t k, std::size_t w, double pitch) const;
    double opening_pitch(std::size_t k);
    std::optional<double> vibrato_low(std::size_t k, std::size_t back) const;
    double transition_start(std::size_t k) const;
    std::size_t climb(std::size_t floor, std::size_t limit) const;
    std::optional<double> gap_before(std::size_t k) const;
    std::optional<double> glide_start(std::size_t k, std::size_t back) const;
    std::optional<double> valley_before(std::size_t k, std::size_t back) const;
};

} // namespace pitchscribe

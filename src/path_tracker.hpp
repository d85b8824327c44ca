// Chooses one pitch per frame from the detector's candidates by the cheapest path over time
// (Viterbi with a fixed look-ahead), so that a frame where two notes overlap does not jump to
// their common sub-harmonic, and voicing does not flicker; then hands the frames of a change
// between two notes to the note that follows (src/path_handover.cpp). Internal to the library.
#pragma once

#include "glide_check.hpp"
#include "pitchscribe/mpm.hpp"
#include "pitchscribe/pitch_track.hpp"
#include "sliding_extreme.hpp"

#include <cmath>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace pitchscribe::detail {

// Pitch distances of the hand-overs, in semitones (the slots keep each state's pitch as
// 12 log2 f for the transition costs).
inline constexpr double kMinStep = 0.8; // smaller moves are vibrato or intonation
inline constexpr double kSame = 0.5;    // within this, two pitches are the same note
// A murky gap (src/path_handover.cpp) judges the old note by its loudest of this many frames
// before the change: the ring keeps them.
inline constexpr std::size_t kOldLevelFrames = 5;

// Whether `semitones` up from a pitch is a whole multiple of it, 2 to `most` times.
bool multiple(double semitones, int most, double tolerance);
// Whether `pitch` is a sub-harmonic of `note` (semitones): an octave, a twelfth or two
// octaves under it, where a tracker slips.
inline bool sub_harmonic(double note, double pitch) {
    return multiple(note - pitch, 4, kSame);
}
// The frequency (Hz) of a pitch in the slots' semitones (12 log2 f).
inline double hz(double semitones) {
    return std::exp2(semitones / 12.0);
}

struct PathCosts {
    double clarity = 10.0;          // per unit of (1 - clarity) of the frame's clearest peak
    double choice = 1.5;            // times -ln(prior) of the chosen candidate
    double min_key_threshold = 0.8; // the key-maximum rule's k is drawn from [this, 1]
    double per_semitone = 0.3;      // pitch change between consecutive frames
    double voicing_change = 1.0;    // a switch between voiced and unvoiced
    // In steady noise a pitch's clarity is capped near (P - N) / P (frame power P, noise
    // power N), so the voicing threshold is scaled by that share, down to this floor, which
    // stays above what noise alone scores.
    double min_voicing_threshold = 0.35;
};

// The tracker's spans, in frames, and the detector's frame length, from the hop.
struct PathWindow {
    std::size_t lookahead = 40;       // frames held back before a frame's choice is final
    std::size_t noise_floor = 150;    // the noise power is the quietest of this many frames
    std::size_t handover_reach = 13;  // a note change is looked for this far ahead ...
    std::size_t handover_hold = 8;    // ... and the new pitch must hold this long
    std::size_t arrival_reach = 32;   // a note heard arriving in the spectrum, this far ahead
    std::size_t arrival_held = 10;    // ... under an old note held at least this long
    std::size_t handover_lead = 2;    // frames that hear a note before it begins: half a frame
    std::size_t crossfade = 3;        // frames between two notes' pitches in a change: half a frame
    std::size_t off_pitch_start = 30; // a note heard first at another pitch, at most (see there)
    std::size_t detour_note = 5;      // a note between two others in a change, at least
    std::size_t frame_size = 1134;    // detector frame, in samples

    // 0.4 s look-ahead, 1.5 s noise window, a change within 0.13 s holding 80 ms (heard
    // arriving: within 0.32 s, after 0.1 s of the old note), an
    // octave-first attack of up to 0.3 s (with the hold, it fills the look-ahead), a note
    // of 50 ms between two in a change.
    static PathWindow for_hop(double hop, std::size_t frame_size, double sample_rate);
};

class PathTracker {
public:
    PathTracker(double sample_rate, const PathWindow& window, double voicing_threshold,
                const PathCosts& costs = {});

    // Adds a frame; emits the frame `lookahead` frames back once it is final. No allocation.
    void push(double time, const PitchEstimate& estimate, bool audible, const FrameSink& sink);
    // Emits every frame still held back.
    void finish(const FrameSink& sink);
    // The check that tells a glide from a crossfade in the input the frames were read from
    // (src/glide_check.hpp). Without it a change through pitches between two notes is always
    // taken for a crossfade.
    void hear(GlideCheck* glide) { glide_ = glide; }

private:
    static constexpr std::size_t kStates = PitchEstimate::max_candidates + 1; // 0 = unvoiced

    struct Slot {
        double time = 0.0;
        double level_db = -120.0;
        std::size_t count = 0; // voiced states in use: 1..count
        double frequency[kStates] = {};
        double clarity[kStates] = {};
        double semitones[kStates] = {};   // 12 log2(frequency), for transition costs
        unsigned char back[kStates] = {}; // best predecessor of each state
        double prior[kStates] = {};       // how likely the key-maximum rule picks each state
        double highest = 0.0;             // clearest candidate
        double unvoiced_cost = 0.0;       // from the frame's voicing threshold
        unsigned char chosen = 0;         // the path's state, traced back from the newest frame
    };

    // A frame's output when it lies in the hand-over from one note to the next (see emit()).
    struct Handover {
        double frequency = 0.0;
        double clarity = 0.0;
        bool unheard = false; // given across a murky gap: it does not hear the new note
    };

    Slot& slot(std::size_t frame) { return ring_[frame % ring_.size()]; }
    const Slot& slot(std::size_t frame) const { return ring_[frame % ring_.size()]; }
    void assign_priors(Slot& s) const;
    bool outdone(const Slot& s, std::size_t i) const;
    bool in_handover(const Slot& s, std::size_t g, std::optional<double> old_note,
                     double new_note) const;
    double path_clarity(std::size_t frame) const;
    double path_pitch(std::size_t frame) const;
    static bool in_crossfade(const Slot& s, const Slot& before, double ends,
                             std::optional<double> old_note, double new_note);
    template <typename Away>
    bool clear_run(std::size_t from, std::size_t to, double ends, std::size_t needed,
                   Away away) const;
    static std::optional<std::size_t> candidate_near(const Slot& s, double pitch);
    std::optional<double> hold_clarity(std::size_t k) const;
    Handover handed_over(const Slot& here, std::size_t settled, std::size_t state,
                         bool unheard = false);
    double emission(const Slot& s, std::size_t state) const;
    double transition(const Slot& from, std::size_t i, const Slot& to, std::size_t j) const;
    std::size_t best_final_state() const;
    void trace_back();
    std::optional<std::size_t> settled_frame(std::size_t frame, std::optional<double> own,
                                             std::size_t within) const;
    bool changing(std::size_t from, std::size_t k, double ends, std::optional<double> old_note,
                  double new_note) const;
    bool arriving(std::size_t from, std::size_t k, double old_note, double new_note);
    std::optional<Handover> handover(std::size_t frame);
    std::optional<std::size_t> off_pitch_start(std::size_t frame) const;
    std::optional<std::size_t> release_below(std::size_t frame) const;
    std::optional<Handover> change_to_next(std::size_t frame);
    bool glide_between(std::size_t from, std::size_t to, double old_note, double new_note);
    bool gap_between(std::size_t from, std::size_t k, double old_level) const;
    bool murky_gap(std::size_t from, std::size_t k, double new_note) const;
    double loudest(std::size_t from, std::size_t to) const;
    void emit(std::size_t frame, const FrameSink& sink);

    double voicing_threshold(double power);

    double sample_rate_;
    PathWindow window_;
    double voicing_threshold_;
    SlidingMinimum noise_; // frame powers, see voicing_threshold
    PathCosts costs_;
    std::size_t handover_end_ = 0;     // frames before this belong to the hand-over under way,
    unsigned char handover_state_ = 0; // to this state of frame handover_end_
    bool handover_unheard_ = false;    // across a murky gap (see murky_gap)
    double last_voiced_time_ = -1e9;   // the path's last voiced frame emitted, and its pitch
    double last_voiced_semitones_ = 0.0;
    GlideCheck* glide_ = nullptr;

    std::vector<Slot> ring_;
    std::vector<double> held_; // the new note's pitches over its hold (handed_over)
    double cost_[kStates] = {};
    double next_cost_[kStates] = {};
    std::size_t pushed_ = 0;
    std::size_t emitted_ = 0;
};

} // namespace pitchscribe::detail

#include "path_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pitchscribe::detail {

PathTracker::PathTracker(double sample_rate, std::size_t lookahead, double voicing_threshold,
                         std::size_t floor_frames, const PathCosts& costs)
    : sample_rate_(sample_rate), lookahead_(lookahead), voicing_threshold_(voicing_threshold),
      floor_frames_(std::max<std::size_t>(floor_frames, 1)), minima_(floor_frames_), costs_(costs),
      ring_(lookahead + 1) {}

// The threshold for a frame of this power: the configured one where the noise floor is far
// below (clean audio is unchanged), lower where noise takes a share of the power that a
// pitch cannot make periodic, never below min_voicing_threshold.
// The floor is a sliding-window minimum: a ring used as a deque of (frame, power) with
// rising powers, so each frame costs O(1) however long the window.
double PathTracker::voicing_threshold(double power) {
    auto at = [&](std::size_t k) -> std::pair<std::size_t, double>& {
        return minima_[(minima_head_ + k) % minima_.size()];
    };
    while (minima_count_ > 0 && at(minima_count_ - 1).second >= power)
        --minima_count_;
    if (minima_count_ > 0 && at(0).first + floor_frames_ <= pushed_) { // left the window
        minima_head_ = (minima_head_ + 1) % minima_.size();
        --minima_count_;
    }
    at(minima_count_++) = {pushed_, power};
    const double noise = at(0).second;
    const double pitched_share = power > 0.0 ? 1.0 - noise / power : 1.0;
    return std::max(costs_.min_voicing_threshold, voicing_threshold_ * pitched_share);
}

// Voicing pays for the frame's best clarity; the choice among candidates pays for how
// unlikely the key-maximum rule is to pick it when its threshold k is drawn uniformly from
// [min_key_threshold, 1] (the spirit of pYIN's threshold distribution, on NSDF peaks).
double PathTracker::emission(const Slot& s, std::size_t state) const {
    if (state == 0) return s.count == 0 ? 0.0 : s.unvoiced_cost;
    return costs_.clarity * (1.0 - s.highest) - costs_.choice * std::log(s.prior[state] + 0.02);
}

// Candidate i is the rule's choice for k in (max_{j<i} c_j / h, c_i / h]: its prior is the
// share of [min_key_threshold, 1] that interval covers.
void PathTracker::assign_priors(Slot& s) const {
    s.highest = 0.0;
    for (std::size_t i = 1; i <= s.count; ++i)
        s.highest = std::max(s.highest, s.clarity[i]);
    const double span = 1.0 - costs_.min_key_threshold;
    double earlier = costs_.min_key_threshold; // the k below which an earlier peak wins
    for (std::size_t i = 1; i <= s.count; ++i) {
        const double k = s.clarity[i] / s.highest;
        s.prior[i] = std::max(0.0, k - earlier) / span;
        earlier = std::max(earlier, k);
    }
}

double PathTracker::transition(const Slot& from, std::size_t i, const Slot& to,
                               std::size_t j) const {
    if ((i == 0) != (j == 0)) return costs_.voicing_change;
    if (i == 0) return 0.0;
    return costs_.per_semitone * std::abs(to.semitones[j] - from.semitones[i]);
}

void PathTracker::push(double time, const PitchEstimate& estimate, bool audible,
                       const FrameSink& sink) {
    Slot& s = slot(pushed_);
    s.time = time;
    s.level_db = estimate.rms > 0.0 ? std::max(-120.0, 20.0 * std::log10(estimate.rms)) : -120.0;
    s.count = 0;
    // Unvoiced costs what a candidate at the voicing threshold costs: clearer ones win.
    s.unvoiced_cost = costs_.clarity * (1.0 - voicing_threshold(estimate.rms * estimate.rms));
    // State 0 keeps the key-maximum choice, reported (unvoiced) for frames the path skips.
    s.frequency[0] = audible ? estimate.frequency : 0.0;
    s.clarity[0] = audible ? estimate.clarity : 0.0;
    if (audible && estimate.frequency > 0.0) {
        for (std::size_t c = 0; c < estimate.candidate_count; ++c) {
            ++s.count;
            s.frequency[s.count] = sample_rate_ / estimate.candidates[c].period;
            s.clarity[s.count] = estimate.candidates[c].clarity;
            s.semitones[s.count] = 12.0 * std::log2(s.frequency[s.count]);
        }
        assign_priors(s);
    }

    if (pushed_ == 0) {
        for (std::size_t j = 0; j <= s.count; ++j)
            cost_[j] = emission(s, j);
    } else {
        const Slot& prev = slot(pushed_ - 1);
        double lowest = std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j <= s.count; ++j) {
            double best = std::numeric_limits<double>::infinity();
            for (std::size_t i = 0; i <= prev.count; ++i) {
                const double c = cost_[i] + transition(prev, i, s, j);
                if (c < best) {
                    best = c;
                    s.back[j] = static_cast<unsigned char>(i);
                }
            }
            next_cost_[j] = best + emission(s, j);
            lowest = std::min(lowest, next_cost_[j]);
        }
        for (std::size_t j = 0; j <= s.count; ++j)
            cost_[j] = next_cost_[j] - lowest;
    }
    ++pushed_;
    if (pushed_ > lookahead_) {
        // Trace the best path back from the newest frame to the one leaving the window.
        std::size_t state = best_final_state();
        for (std::size_t f = pushed_ - 1; f > emitted_; --f)
            state = slot(f).back[state];
        emit(emitted_, state, sink);
    }
}

std::size_t PathTracker::best_final_state() const {
    const Slot& last = ring_[(pushed_ - 1) % ring_.size()];
    std::size_t best = 0;
    for (std::size_t j = 1; j <= last.count; ++j)
        if (cost_[j] < cost_[best]) best = j;
    return best;
}

void PathTracker::emit(std::size_t frame, std::size_t state, const FrameSink& sink) {
    const Slot& s = slot(frame);
    PitchFrame out;
    out.time = s.time;
    out.frequency = s.frequency[state];
    out.confidence = s.clarity[state];
    out.voiced = state != 0;
    out.level_db = s.level_db;
    sink(out);
    ++emitted_;
}

void PathTracker::finish(const FrameSink& sink) {
    if (emitted_ == pushed_) return;
    // Trace the final path once, marking each held-back frame's state, then emit in order.
    std::size_t state = best_final_state();
    for (std::size_t f = pushed_ - 1;; --f) {
        Slot& s = slot(f);
        s.chosen = static_cast<unsigned char>(state);
        if (f == emitted_) break;
        state = s.back[state];
    }
    while (emitted_ < pushed_)
        emit(emitted_, slot(emitted_).chosen, sink);
}

} // namespace pitchscribe::detail

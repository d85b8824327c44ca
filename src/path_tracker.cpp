#include "path_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pitchscribe::detail {

namespace {
// A shorter period loses to a multiple of it (outdone()) only in frames this periodic, by
// this margin, when the shorter period is long enough (in samples) for its clarity not to
// be lowered by the lag grid, and the longer one short enough (a share of the frame) for
// the NSDF there to sum over enough samples. 95 samples reaches FluidR3's church organ at
// A2 (its octave, 220.7 Hz, is 99.9 samples at 22.05 kHz: 0.92 against 0.98); below 90 the
// rule began to misfire in reverb.
constexpr double kOutdoneClarity = 0.97;
constexpr double kOutdoneMargin = 0.045;
constexpr double kOutdoneMinPeriod = 95.0;
constexpr double kOutdoneMaxShareOfFrame = 0.25;
} // namespace

// The look-ahead sees past two notes' overlap; the noise window reaches past a held note to
// the noise between notes (minimum statistics).
PathWindow PathWindow::for_hop(double hop, std::size_t frame_size, double sample_rate) {
    auto frames = [hop](double seconds) {
        return static_cast<std::size_t>(std::ceil(seconds / hop));
    };
    PathWindow w;
    w.lookahead = frames(0.4);
    w.noise_floor = frames(1.5);
    w.handover_reach = frames(0.13);
    w.handover_hold = frames(0.08);
    w.arrival_reach = frames(0.32);
    w.arrival_held = frames(0.1);
    const double half_frame = 0.5 * double(frame_size) / sample_rate / hop;
    w.handover_lead = static_cast<std::size_t>(std::floor(half_frame));
    w.crossfade = static_cast<std::size_t>(std::ceil(half_frame));
    w.off_pitch_start = frames(0.3);
    w.detour_note = frames(0.05);
    w.frame_size = frame_size;
    return w;
}

PathTracker::PathTracker(double sample_rate, const PathWindow& window, double voicing_threshold,
                         const PathCosts& costs)
    : sample_rate_(sample_rate), window_(window), voicing_threshold_(voicing_threshold),
      noise_(window.noise_floor), costs_(costs),
      // The frames not yet emitted, the lead-in before the one being emitted, and the old
      // note's frames before that (kOldLevelFrames, the last of them the frame before it;
      // arrival_held for a note heard arriving).
      ring_(window.lookahead + window.handover_lead + 1 +
            std::max(kOldLevelFrames, window.arrival_held)) {
    window_.handover_hold = std::max<std::size_t>(window_.handover_hold, 1);
    held_.resize(window_.handover_hold);
}

// The threshold for a frame of this power: the configured one where the noise floor is far
// below (clean audio is unchanged), lower where noise takes a share of the power that a
// pitch cannot make periodic, never below min_voicing_threshold. The floor is the quietest
// frame of the noise window (minimum statistics).
double PathTracker::voicing_threshold(double power) {
    const double noise = noise_.push(power);
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
        if (outdone(s, i)) {
            s.prior[i] = 0.0;
            continue;
        }
        const double k = s.clarity[i] / s.highest;
        s.prior[i] = std::max(0.0, k - earlier) / span;
        earlier = std::max(earlier, k);
    }
}

// True when a multiple of candidate i's period (2, 3 or 4 times) is a candidate clearly more
// periodic, in a frame clear enough that the difference is not noise: the shorter period
// then misses real partials (odd ones, for twice the period), however weak the fundamental.
bool PathTracker::outdone(const Slot& s, std::size_t i) const {
    if (sample_rate_ / s.frequency[i] < kOutdoneMinPeriod) return false;
    const double longest = kOutdoneMaxShareOfFrame * double(window_.frame_size);
    for (std::size_t j = i + 1; j <= s.count; ++j) {
        const double ratio = s.frequency[i] / s.frequency[j];
        const double n = std::round(ratio);
        if (n < 2.0 || n > 4.0 || std::abs(ratio / n - 1.0) > 0.015) continue;
        if (sample_rate_ / s.frequency[j] > longest) continue;
        if (s.clarity[j] >= kOutdoneClarity && s.clarity[j] - s.clarity[i] >= kOutdoneMargin)
            return true;
    }
    return false;
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
    // Under the silence gate it is kept only when as clear as a voiced frame: a note's quiet
    // tail (a marimba's decay under -60 dBFS) still tells its pitch, noise does not.
    const bool guess = audible || estimate.clarity >= voicing_threshold_;
    s.frequency[0] = guess ? estimate.frequency : 0.0;
    s.clarity[0] = guess ? estimate.clarity : 0.0;
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
    if (pushed_ > window_.lookahead) {
        trace_back();
        emit(emitted_, sink);
    }
}

std::size_t PathTracker::best_final_state() const {
    const Slot& last = ring_[(pushed_ - 1) % ring_.size()];
    std::size_t best = 0;
    for (std::size_t j = 1; j <= last.count; ++j)
        if (cost_[j] < cost_[best]) best = j;
    return best;
}

// Marks each frame not yet emitted with its state on the best path to the newest frame.
void PathTracker::trace_back() {
    std::size_t state = best_final_state();
    for (std::size_t f = pushed_ - 1;; --f) {
        Slot& s = slot(f);
        s.chosen = static_cast<unsigned char>(state);
        if (f == emitted_) break;
        state = s.back[state];
    }
}

void PathTracker::emit(std::size_t frame, const FrameSink& sink) {
    const Slot& s = slot(frame);
    PitchFrame out;
    out.time = s.time;
    out.frequency = s.frequency[s.chosen];
    out.confidence = s.clarity[s.chosen];
    out.voiced = s.chosen != 0;
    out.level_db = s.level_db;
    if (const auto h = handover(frame)) { // the voicing stays the path's
        if (h->unheard && s.chosen) out.heard_frequency = out.frequency;
        out.frequency = h->frequency;
        out.confidence = h->clarity;
    }
    sink(out);
    if (s.chosen) {
        last_voiced_time_ = s.time;
        last_voiced_semitones_ = s.semitones[s.chosen];
    }
    ++emitted_;
}

void PathTracker::finish(const FrameSink& sink) {
    if (emitted_ == pushed_) return;
    trace_back();
    while (emitted_ < pushed_)
        emit(emitted_, sink);
}

} // namespace pitchscribe::detail

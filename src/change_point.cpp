#include "change_point.hpp"

#include "level_fall.hpp"
#include "median.hpp"
#include "path_tracker.hpp" // kSame

#include <algorithm>
#include <cmath>
#include <limits>

namespace pitchscribe::detail {

namespace {

constexpr double kStep = 0.7;   // semitones: a smaller step is vibrato or a glide
constexpr double kSteady = 0.4; // semitones each side's frames may spread
constexpr double kSteadySeconds = 0.03;
constexpr double kReachSeconds = 0.08; // how far before the path's step a change may begin
constexpr double kSearchBack = 0.12;   // seconds of signal searched before the frame ...
constexpr double kSearchAhead = 0.04;  // ... and after it
// The split falls a little after the note's first sample, where the error has built up
// (1 ms: against the truth of the clean melodies, 3 ms put sharp attacks' changes early).
constexpr double kLag = 0.001;
// A change is moved later only for a sharp attack: the error jumps at least this much at
// once (plucked and struck notes, whose attack a frame hears before it begins). A soft
// legato attack makes the error grow gradually, and the split falls late in the growth
// (20 dB: at 22, clarinet, sax and trumpet changes rising 20-22 dB were left a frame early;
// at 16 more soft attacks moved late than early frames were saved).
constexpr double kLaterRiseDb = 20.0;
// Earlier, the error must have risen at least this much: noise alone does not.
constexpr double kEarlierRiseDb = 4.0;
// rise_start: bins of 2.5 ms; the levels either side of the ramp span at least 4 bins, the
// ramp at most 40 (0.1 s: an organ pipe's or a bow's attack).
constexpr double kRiseBinSeconds = 0.0025;
constexpr std::size_t kLevelBins = 4;
constexpr std::size_t kMostRampBins = 40;
// The ramp's first bin is where the fit leaves the old level; the new note begins about
// 5 ms later (on both clean corpora 4 and 5 ms give the same frames; 2.5, 6, 7.5 fewer).
constexpr double kRampLead = 0.005;
// Split points keep this many samples on each side, so that neither stretch is a few
// samples' accident.
constexpr std::size_t kMinStretch = 16;
constexpr std::size_t kCoarseStep = 8; // samples between the splits tried first
// The longest old period looked at (a pitch under 20 Hz is no note).
constexpr double kLongestPeriodSeconds = 0.05;
// Frames at neither pitch between the two notes of a change, at most (30 ms: a crossfade,
// an organ's pipes speaking at a common sub-harmonic).
constexpr double kBetweenSeconds = 0.03;
// The largest hop the refiner works at: a longer frame step is coarser than what it moves.
constexpr double kLongestHop = 0.025;

std::size_t search_samples(double rate) {
    return static_cast<std::size_t>(std::ceil((kSearchBack + kSearchAhead) * rate)) + 2;
}

std::size_t frames_for(double seconds, double hop) {
    return static_cast<std::size_t>(std::ceil(seconds / hop - 1e-9));
}

} // namespace

void InputHistory::write(std::int64_t begin, const float* samples, std::size_t count) {
    const auto size = static_cast<std::int64_t>(ring_.size());
    if (size == 0) return;
    const std::int64_t stop = begin + static_cast<std::int64_t>(count);
    // Samples no frame read (a hop longer than a frame) are held as zeros.
    for (std::int64_t i = std::max(end_, stop - size); i < begin; ++i)
        ring_[static_cast<std::size_t>(((i % size) + size) % size)] = 0.0f;
    std::int64_t i = std::max({begin, end_, stop - size});
    while (i < stop) { // in runs up to the end of the ring's storage
        const auto at = static_cast<std::size_t>(((i % size) + size) % size);
        const auto run = static_cast<std::size_t>(
            std::min<std::int64_t>(stop - i, size - static_cast<std::int64_t>(at)));
        std::copy_n(samples + (i - begin), run, ring_.begin() + static_cast<std::ptrdiff_t>(at));
        i += static_cast<std::int64_t>(run);
    }
    end_ = std::max(end_, stop);
}

void InputHistory::copy(std::int64_t from, std::size_t count, float* out) const {
    const auto size = static_cast<std::int64_t>(ring_.size());
    for (std::size_t i = 0; i < count;) {
        const std::int64_t index = from + static_cast<std::int64_t>(i);
        if (index >= end_ || index < end_ - size) {
            out[i++] = 0.0f;
            continue;
        }
        // A run up to the end of what is held or of the ring's storage, whichever is first.
        const auto at = static_cast<std::size_t>(((index % size) + size) % size);
        const std::size_t run =
            std::min({count - i, ring_.size() - at, static_cast<std::size_t>(end_ - index)});
        std::copy_n(ring_.begin() + static_cast<std::ptrdiff_t>(at), run, out + i);
        i += run;
    }
}

std::optional<ChangeFound> find_change(std::span<const float> signal, std::size_t lead,
                                       double period, std::vector<double>& sums) {
    if (period + 1.0 > double(lead) || signal.size() <= lead) return std::nullopt;
    const std::size_t n = signal.size() - lead;
    if (n < 4 * kMinStretch || n + 1 > sums.size()) return std::nullopt;
    // Running sums of the prediction error, and the signal's energy for a floor under it.
    const double whole = std::floor(period);
    const auto back = static_cast<std::size_t>(whole);
    const auto frac = static_cast<float>(period - whole);
    double energy = 0.0;
    sums[0] = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const float x = signal[lead + i];
        const float* p = &signal[lead + i - back - 1]; // x one period before, between p[0..1]
        const double e = x - (p[1] * (1.0f - frac) + p[0] * frac);
        sums[i + 1] = sums[i] + e * e;
        energy += double(x) * x;
    }
    const double floor = 1e-9 * (energy / double(n) + 1e-12);
    const double total = sums[n];
    const auto cost = [&](std::size_t k, double& before, double& after) {
        before = sums[k] / double(k) + floor;
        after = (total - sums[k]) / double(n - k) + floor;
        return double(k) * std::log(before) + double(n - k) * std::log(after);
    };
    // The best split on a coarse grid, then every sample around it.
    double best = std::numeric_limits<double>::infinity(), before = 0.0, after = 0.0;
    std::size_t split = 0;
    const auto search = [&](std::size_t from, std::size_t to, std::size_t step) {
        for (std::size_t k = from; k < to; k += step) {
            double b = 0.0, a = 0.0;
            const double c = cost(k, b, a);
            if (c < best) {
                best = c;
                split = k;
                before = b;
                after = a;
            }
        }
    };
    search(kMinStretch, n - kMinStretch, kCoarseStep);
    search(std::max(kMinStretch, split - std::min(split, kCoarseStep)),
           std::min(n - kMinStretch, split + kCoarseStep + 1), 1);
    if (!(after > before)) return std::nullopt;
    return ChangeFound{split, 10.0 * std::log10(after / before)};
}

std::size_t rise_start_scratch(std::size_t n, std::size_t bin) {
    return bin == 0 ? 0 : 4 * (n / bin + 1);
}

std::optional<std::size_t> rise_start(std::span<const double> sums, std::size_t n, std::size_t bin,
                                      std::span<double> levels) {
    const std::size_t m = bin == 0 ? 0 : n / bin;
    if (m < 2 * kLevelBins + 1 || sums.size() < n + 1 || levels.size() < rise_start_scratch(n, bin))
        return std::nullopt;
    // The error per bin in dB, and running sums of it, of its square and of i times it.
    double* y = levels.data();
    double* sum = y + m;
    double* square = sum + m + 1;
    double* moment = square + m + 1;
    const double floor = 1e-12 * (sums[n] / double(n)) + 1e-30;
    sum[0] = square[0] = moment[0] = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
        y[i] = 10.0 * std::log10((sums[(i + 1) * bin] - sums[i * bin]) / double(bin) + floor);
        sum[i + 1] = sum[i] + y[i];
        square[i + 1] = square[i] + y[i] * y[i];
        moment[i + 1] = moment[i] + double(i) * y[i];
    }
    // Levels a (bins before t1) and b (from t2 on), a ramp from a to b between: least squares.
    // Over the ramp's L bins, r_i = a + (b - a) u_i with u_i = (i - t1 + 0.5) / L, whose sums
    // are L / 2 and, squared, L / 3 - 1 / (12 L): each cost is a few running sums.
    double best = std::numeric_limits<double>::infinity();
    std::size_t start = 0;
    for (std::size_t t1 = kLevelBins; t1 + kLevelBins < m; ++t1) {
        const double a = sum[t1] / double(t1);
        const double before = square[t1] - sum[t1] * a;
        for (std::size_t t2 = t1; t2 <= std::min(m - kLevelBins, t1 + kMostRampBins); ++t2) {
            const double after_sum = sum[m] - sum[t2];
            const double b = after_sum / double(m - t2);
            if (!(b > a)) continue;
            double cost = before + (square[m] - square[t2]) - after_sum * b;
            if (t2 > t1) {
                const double l = double(t2 - t1), d = b - a;
                const double sy = sum[t2] - sum[t1];
                const double suy = (moment[t2] - moment[t1] - (double(t1) - 0.5) * sy) / l;
                cost += (square[t2] - square[t1]) - 2.0 * a * sy - 2.0 * d * suy + l * a * a +
                        a * d * l + d * d * (l / 3.0 - 1.0 / (12.0 * l));
            }
            if (cost < best) {
                best = cost;
                start = t1;
            }
        }
    }
    if (!std::isfinite(best)) return std::nullopt;
    return start * bin;
}

ChangeRefiner::ChangeRefiner(double input_rate, double hop, std::size_t history)
    : rate_(input_rate), side_(std::max<std::size_t>(2, frames_for(kSteadySeconds, hop))),
      reach_(frames_for(kReachSeconds, hop)), ahead_(frames_for(kSearchAhead, hop)),
      between_(frames_for(kBetweenSeconds, hop)), input_(hop <= kLongestHop ? history : 0),
      frames_(hop <= kLongestHop ? reach_ + side_ + 1 : 1),
      signal_(hop <= kLongestHop ? search_samples(input_rate) +
                                       static_cast<std::size_t>(kLongestPeriodSeconds * input_rate)
                                 : 0),
      sums_(hop <= kLongestHop ? search_samples(input_rate) + 1 : 0), steady_scratch_(side_),
      rise_bin_(static_cast<std::size_t>(std::lround(kRiseBinSeconds * input_rate))),
      levels_(hop <= kLongestHop ? rise_start_scratch(search_samples(input_rate), rise_bin_) : 0) {}

void ChangeRefiner::push(const PitchFrame& frame, const FrameSink& sink) {
    if (input_.capacity() == 0) return sink(frame); // off: hops longer than kLongestHop
    Held& h = held(pushed_);
    h.frame = frame;
    h.semitones = frame.frequency > 0.0 ? 12.0 * std::log2(frame.frequency)
                                        : std::numeric_limits<double>::quiet_NaN();
    apply_pending(h, pushed_);
    ++pushed_;
    if (pushed_ >= 2 * side_) refine(pushed_ - side_);
    while (pushed_ - emitted_ >= reach_ + side_)
        emit(sink);
}

void ChangeRefiner::finish(const FrameSink& sink) {
    while (emitted_ < pushed_)
        emit(sink);
}

void ChangeRefiner::emit(const FrameSink& sink) {
    sink(held(emitted_).frame);
    ++emitted_;
}

void ChangeRefiner::move(Held& h, double frequency) {
    h.frame.heard_frequency = heard(h.frame);
    h.frame.frequency = frequency;
}

void ChangeRefiner::apply_pending(Held& h, std::size_t index) {
    if (index < pending_begin_ || index >= pending_end_) return;
    if (h.frame.time < pending_time_ && std::abs(h.semitones - pending_new_) < kSame)
        move(h, pending_old_frequency_);
}

// The median frequency of frames [first, first + count), and whether their pitches lie
// within kSteady of each other.
std::optional<double> ChangeRefiner::steady(std::size_t first, std::size_t count) {
    double low = std::numeric_limits<double>::infinity(), high = -low;
    std::vector<double>& f = steady_scratch_; // sized side_ at construction
    for (std::size_t i = 0; i < count; ++i) {
        const Held& h = held(first + i);
        if (std::isnan(h.semitones)) return std::nullopt;
        low = std::min(low, h.semitones);
        high = std::max(high, h.semitones);
        f[i] = heard(h.frame);
    }
    if (high - low > kSteady) return std::nullopt;
    return median({f.data(), count});
}

// A change whose new pitch holds from frame k: `side_` frames steady at the old pitch, then
// up to between_ frames at neither pitch (a sub-harmonic, a crossfade), then `side_` at
// the new one.
void ChangeRefiner::refine(std::size_t k) {
    // Most frames continue the one before: the new pitch's steady frames lie within kSteady
    // of it, so a frame before them at neither pitch (kSame away) is at least this far off.
    if (k == 0 || !(std::abs(held(k).semitones - held(k - 1).semitones) >= kSame - kSteady)) return;
    const auto new_f = steady(k, side_);
    if (!new_f) return;
    const double new_pitch = 12.0 * std::log2(*new_f);
    for (std::size_t between = 0; between <= between_ && k >= side_ + between; ++between) {
        const std::size_t first = k - between; // the first frame after the old note
        const auto old_f = steady(first - side_, side_);
        if (!old_f) continue;
        const double old_pitch = 12.0 * std::log2(*old_f);
        // The path's own step, or the notes' across the frames between.
        const double last = between == 0 ? held(k - 1).semitones : old_pitch;
        const double next = between == 0 ? held(k).semitones : new_pitch;
        if (std::abs(next - last) < kStep) return;
        bool neither = true;
        for (std::size_t j = first; j < k; ++j)
            neither = neither && std::abs(held(j).semitones - old_pitch) >= kSame &&
                      std::abs(held(j).semitones - new_pitch) >= kSame;
        if (!neither) continue; // NaN (no estimate) fails too
        place(k, first, *old_f, *new_f);
        return;
    }
}

// Finds where the change from old_f, which the path left at frame `first`, to new_f, which it
// holds from frame k, begins in the signal, and moves the frames between there and the path's.
void ChangeRefiner::place(std::size_t k, std::size_t first, double old_f, double new_f) {
    const double t = held(first).frame.time;
    const auto from = static_cast<std::int64_t>(std::floor((t - kSearchBack) * rate_));
    const auto to = static_cast<std::int64_t>(std::floor((t + kSearchAhead) * rate_));
    const double period = rate_ / old_f;
    const auto lead = static_cast<std::size_t>(std::ceil(period)) + 1;
    const auto count = static_cast<std::size_t>(to - from) + lead;
    if (count > signal_.size()) return;
    input_.copy(from - static_cast<std::int64_t>(lead), count, signal_.data());
    const auto found = find_change({signal_.data(), count}, lead, period, sums_);
    if (!found) return;
    double change = double(from + static_cast<std::int64_t>(found->split)) / rate_ - kLag;
    // A gradual rise began before the split: the change is where it began.
    if (const auto rise = rise_start(sums_, count - lead, rise_bin_, levels_))
        change =
            std::min(change, double(from + static_cast<std::int64_t>(*rise)) / rate_ + kRampLead);
    // A gradual rise after a release: the new note began where the old one began to fall.
    const std::int64_t origin = from - static_cast<std::int64_t>(lead); // signal_[0]'s sample
    const double at = change * rate_ - double(origin);
    if (found->rise_db < kLaterRiseDb && at > 0.0)
        if (const auto released = release_before(
                {signal_.data(), count}, static_cast<std::size_t>(at), rate_, period, levels_))
            change = double(origin + static_cast<std::int64_t>(*released)) / rate_;
    const double step = 0.5 * (held(first - 1).frame.time + t);
    const double old_pitch = 12.0 * std::log2(old_f), new_pitch = 12.0 * std::log2(new_f);
    if (change < step && found->rise_db >= kEarlierRiseDb) {
        for (std::size_t j = k - std::min(k, reach_); j < k; ++j) {
            Held& h = held(j);
            if (j >= emitted_ && h.frame.time >= change &&
                (j >= first || std::abs(h.semitones - old_pitch) < kSame))
                move(h, new_f);
        }
    } else if (first == k && change > step && found->rise_db >= kLaterRiseDb) {
        pending_begin_ = k;
        pending_end_ = k + ahead_ + 1;
        pending_time_ = change;
        pending_new_ = new_pitch;
        pending_old_frequency_ = old_f;
        for (std::size_t j = k; j < pushed_; ++j)
            apply_pending(held(j), j);
    }
}

} // namespace pitchscribe::detail

#include "pitchscribe/mpm.hpp"

#include "fft_autocorrelation.hpp"
#include "float8.hpp"
#include "sinc_interpolation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace pitchscribe {

struct MpmDetector::Impl {
    MpmConfig config;
    std::size_t frame_size;
    std::size_t min_lag;
    std::size_t max_lag;
    std::size_t last_lag;     // max_lag + 1, so a peak at max_lag can be interpolated
    std::size_t oversampling; // NSDF points per sample of lag (see lag_oversampling)
    detail::FftAutocorrelation autocorrelation;
    detail::SincInterpolator between_lags;
    std::vector<float> nsdf;      // n'(j / oversampling), j = 0..oversampling last_lag
    std::vector<float> norm;      // m'(tau), tau = 0..last_lag
    std::vector<float> fine_norm; // m'(j / oversampling), linearly interpolated (oversampling > 1)

    Impl(const MpmConfig& c, std::size_t size, std::size_t lo, std::size_t hi, std::size_t u)
        : config(c), frame_size(size), min_lag(lo), max_lag(hi), last_lag(hi + 1), oversampling(u),
          autocorrelation(size, hi + 1, u), nsdf(u * (hi + 1) + 1), norm(hi + 2),
          fine_norm(u > 1 ? u * (hi + 1) + 1 : 0) {}

    // The de-meaned input frame lives in the FFT's input.
    float* frame() { return autocorrelation.input(); }
    void remove_mean(std::span<const float> input);
    // acf: r'(j / oversampling), j = 0..oversampling last_lag.
    void compute_nsdf(const float* acf);
    void pick_key_maxima(PitchEstimate& estimate) const;
    PitchCandidate interpolate(std::size_t peak) const;
};

namespace {

Error invalid(std::string message) {
    return Error{ErrorKind::InvalidArgument, std::move(message)};
}

// The NSDF is sampled finer than the signal when the shortest period is under 10 samples.
// At 8 kHz a 1.45 kHz tone with a strong second harmonic has a period of 5.5 samples and a
// harmonic 2.76 samples long: on whole lags the NSDF reads 0.46 at best near the period,
// where it is 0.99, and 0.997 at twice the period, so the track went an octave down. 10 is
// the ratio decimation keeps (pitch_track.cpp), so only rates under 10 fmax (8, 11.025 and
// 16 kHz with fmax 2000) pay for the finer grid.
std::size_t lag_oversampling(double sample_rate, double fmax) {
    constexpr double kSamplesPerShortestPeriod = 10.0;
    return static_cast<std::size_t>(
        std::max(1.0, std::ceil(kSamplesPerShortestPeriod * fmax / sample_rate - 1e-9)));
}

} // namespace

Expected<MpmDetector> MpmDetector::create(const MpmConfig& c) {
    if (!(c.sample_rate >= 1000.0 && c.sample_rate <= 768000.0))
        return invalid("sample rate must be within 1000..768000 Hz");
    if (!(c.fmin > 0.0)) return invalid("--fmin must be > 0");
    if (!(c.fmax > c.fmin)) return invalid("--fmax must be greater than --fmin");
    if (!(c.fmax <= c.sample_rate / 4.0))
        return invalid("--fmax must be at most a quarter of the sample rate (" +
                       std::to_string(static_cast<int>(c.sample_rate / 4.0)) + " Hz here)");
    if (!(c.sample_rate / c.fmin <= 65536.0)) return invalid("--fmin is too low for this rate");
    if (!(c.key_threshold > 0.0 && c.key_threshold <= 1.0))
        return invalid("key threshold must be in (0, 1]");
    if (!(c.periods_per_frame >= 2.0 && c.periods_per_frame <= 8.0))
        return invalid("periods per frame must be within 2..8");

    // The lag range reaches a quarter tone past fmin and fmax, so that a tone exactly at a
    // limit (a bass's 41.2 Hz with fmin 40, or 40 Hz itself) keeps its interpolated peak.
    const double margin = std::exp2(0.5 / 12.0);
    const double longest_period = c.sample_rate / c.fmin * margin;
    const auto max_lag = static_cast<std::size_t>(std::ceil(longest_period));
    const auto min_lag = std::max<std::size_t>(2, std::floor(c.sample_rate / c.fmax / margin));
    const auto frame_size =
        static_cast<std::size_t>(std::ceil(c.periods_per_frame * longest_period));
    return MpmDetector(std::make_unique<Impl>(c, frame_size, min_lag, max_lag,
                                              lag_oversampling(c.sample_rate, c.fmax)));
}

MpmDetector::MpmDetector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MpmDetector::MpmDetector(MpmDetector&&) noexcept = default;
MpmDetector& MpmDetector::operator=(MpmDetector&&) noexcept = default;
MpmDetector::~MpmDetector() = default;

std::size_t MpmDetector::frame_size() const {
    return impl_->frame_size;
}
std::size_t MpmDetector::fft_size() const {
    return impl_->autocorrelation.fft_size();
}
std::size_t MpmDetector::min_lag() const {
    return impl_->min_lag;
}
std::size_t MpmDetector::max_lag() const {
    return impl_->max_lag;
}
std::size_t MpmDetector::oversampling() const {
    return impl_->oversampling;
}
std::span<const float> MpmDetector::nsdf() const {
    return {impl_->nsdf.data(), impl_->oversampling * impl_->last_lag + 1};
}

namespace {

// The per-frame loops below are built twice (target_clones): AVX2 where the CPU has it, SSE2
// otherwise. They do the same operations in the same order either way (no FMA), so the
// results are bit-identical on any x86-64 machine.

// Copies n samples into frame[0, size) (zero-padding a short input) and removes their mean,
// so that DC gives no pitch. Four vectors of eight float lanes let the compiler vectorise the
// sum without -ffast-math, in four independent chains. Two passes: the sum from the input,
// then the copy less the mean.
__attribute__((target_clones("avx2", "default"))) void
copy_without_mean(const float* input, std::size_t n, float* frame, std::size_t size) {
    using detail::Float8;
    Float8 lanes[4] = {};
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (std::size_t v = 0; v < 4; ++v) {
            Float8 x;
            std::memcpy(&x, input + i + 8 * v, sizeof x);
            lanes[v] += x;
        }
    const Float8 all = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    double sum = 0.0;
    for (std::size_t k = 0; k < 8; ++k)
        sum += all[k];
    for (; i < n; ++i)
        sum += input[i];
    const auto mean = static_cast<float>(sum / static_cast<double>(size));
    for (std::size_t k = 0; k < n; ++k)
        frame[k] = input[k] - mean;
    std::fill(frame + n, frame + size, -mean);
}

// m'(tau) = sum_{i < W - tau} (x_i^2 + x_{i+tau}^2) for tau = 0..last_lag, updated
// incrementally: each step drops x_tau^2 and x_{W-1-tau}^2; m'(0) = 2 r'(0). The running sum
// is the one serial part. Eight lags at a time: their drops are summed within the vector in
// float (a prefix sum in three shifts; eight terms, each a thousandth of m'), and subtracted
// from the running sum in double, which is kept in every lane so that the chain is one
// vector subtraction per eight lags. The results are floats (r' is one): the running sum
// rounded once per eight lags, less the drops.
__attribute__((target_clones("avx2", "default"))) void
energy_norms(double r0, const float* frame, std::size_t size, std::size_t last_lag, float* norm) {
    using Double4 = double __attribute__((vector_size(32)));
    using detail::Float8;
    using detail::Int8;
    const Float8 zero = {};
    Double4 m = {2.0 * r0, 2.0 * r0, 2.0 * r0, 2.0 * r0};
    std::size_t tau = 0;
    for (; tau + 8 <= last_lag + 1; tau += 8) {
        Float8 head, tail;
        std::memcpy(&head, frame + tau, sizeof head);
        std::memcpy(&tail, frame + size - 8 - tau, sizeof tail); // x_{W-1-tau} last
        tail = __builtin_shuffle(tail, Int8{7, 6, 5, 4, 3, 2, 1, 0});
        const Float8 e = head * head + tail * tail; // the drops at tau .. tau + 7
        // Inclusive prefix sums, by shifts of one, two and four lanes.
        Float8 upto = e + __builtin_shuffle(zero, e, Int8{0, 8, 9, 10, 11, 12, 13, 14});
        upto += __builtin_shuffle(zero, upto, Int8{0, 0, 8, 9, 10, 11, 12, 13});
        upto += __builtin_shuffle(zero, upto, Int8{0, 0, 0, 0, 8, 9, 10, 11});
        const Float8 before = __builtin_shuffle(zero, upto, Int8{0, 8, 9, 10, 11, 12, 13, 14});
        const auto running = static_cast<float>(m[0]);
        const Float8 out =
            Float8{running, running, running, running, running, running, running, running} - before;
        std::memcpy(norm + tau, &out, sizeof out);
        const auto total = static_cast<double>(upto[7]);
        m -= Double4{total, total, total, total};
    }
    double rest = m[0];
    for (; tau <= last_lag; ++tau) {
        norm[tau] = static_cast<float>(rest);
        const double head = frame[tau], tail = frame[size - 1 - tau];
        rest -= head * head + tail * tail;
    }
}

// n'(j) = 2 r'(j) / m'(j) for j = 0..last. The divisor is clamped rather than the division
// branched around (which would keep the loop scalar); the rare lags without energy are
// zeroed after.
__attribute__((target_clones("avx2", "default"))) void divide(const float* acf, const float* norm,
                                                              std::size_t last, float* nsdf) {
    for (std::size_t j = 0; j <= last; ++j)
        nsdf[j] = (2.0f * acf[j]) / std::max(norm[j], 1e-30f);
    for (std::size_t j = 0; j <= last; ++j)
        nsdf[j] = norm[j] > 0.0f ? nsdf[j] : 0.0f;
}

} // namespace

void MpmDetector::Impl::remove_mean(std::span<const float> input) {
    copy_without_mean(input.data(), std::min(input.size(), frame_size), frame(), frame_size);
}

void MpmDetector::Impl::compute_nsdf(const float* acf) {
    energy_norms(acf[0], frame(), frame_size, last_lag, norm.data());
    if (oversampling == 1) {
        divide(acf, norm.data(), last_lag, nsdf.data());
        return;
    }
    // m' between integer lags, linearly: a step drops two squared samples out of a sum over
    // the whole frame, so the curve is nearly straight over one sample.
    const auto u = static_cast<float>(oversampling);
    for (std::size_t tau = 0; tau < last_lag; ++tau)
        for (std::size_t s = 0; s < oversampling; ++s)
            fine_norm[tau * oversampling + s] =
                norm[tau] + (norm[tau + 1] - norm[tau]) * (static_cast<float>(s) / u);
    fine_norm[last_lag * oversampling] = norm[last_lag];
    divide(acf, fine_norm.data(), oversampling * last_lag, nsdf.data());
}

// Refines a peak from its three samples a, b, c. The position comes from fitting
// A cos(w (x - d)), exact for a sinusoid, so short periods (2 kHz at 8 kHz is 4 samples) stay
// within a cent where a parabola is off by more than ten; the parabola serves where no
// well-sampled cosine fits (w >= pi/2). The clarity is the NSDF read at that position between
// its samples (windowed sinc): the parabola's peak value under-reads a narrow peak by up to
// 0.02 as the period moves between samples, so a violin's clarity rose and fell with its
// vibrato and read 0.988 at 44.1 kHz where 48 kHz gave 0.995 (both are 0.995). The
// parabola's value serves at the ends of the lag range; the cosine's amplitude explodes on
// noise.
PitchCandidate MpmDetector::Impl::interpolate(std::size_t peak) const {
    const double a = nsdf[peak - 1], b = nsdf[peak], c = nsdf[peak + 1];
    const double curvature = a - 2.0 * b + c;
    const double u = static_cast<double>(oversampling);
    if (!(curvature < 0.0)) return {static_cast<double>(peak) / u, std::clamp(b, 0.0, 1.0)};
    double shift = 0.5 * (a - c) / curvature;
    const double cos_w = (a + c) / (2.0 * b);
    if (b > 0.0 && cos_w > 0.0 && cos_w < 1.0) {
        const double w = std::acos(cos_w);
        const double sin_w = std::sqrt(1.0 - cos_w * cos_w); // sin(acos(c))
        shift = std::atan((c - a) / (2.0 * b * sin_w)) / w;
    }
    shift = std::clamp(shift, -0.5, 0.5);
    const double at = static_cast<double>(peak) + shift;
    const double value =
        between_lags.at(nsdf.data(), nsdf.size(), at).value_or(b - 0.25 * (a - c) * shift);
    return {at / u, std::clamp(value, 0.0, 1.0)};
}

namespace {

// The scans below read eight lags at a time and step singly only inside the block that holds
// the answer; a lobe of the NSDF is tens to hundreds of lags long.
using Lanes = std::uint64_t[4]; // an Int8 (a Float8 comparison) as four words

// The first j in [from, to) whose sign (n[j] > 0) is `positive`, or `to`.
__attribute__((target_clones("avx2", "default"))) std::size_t
first_with_sign(const float* n, std::size_t from, std::size_t to, bool positive) {
    using detail::Float8;
    const Float8 zero = {};
    std::size_t j = from;
    for (; j + 8 <= to; j += 8) {
        Float8 v;
        std::memcpy(&v, n + j, sizeof v);
        const detail::Int8 above = v > zero;
        Lanes m;
        std::memcpy(m, &above, sizeof m);
        const bool any = positive ? (m[0] | m[1] | m[2] | m[3]) != 0
                                  : (m[0] & m[1] & m[2] & m[3]) != ~std::uint64_t{0};
        if (any) break;
    }
    for (; j < to; ++j)
        if ((n[j] > 0.0f) == positive) return j;
    return to;
}

// The first j in [from, to) holding the highest of n[from, to) (from < to).
__attribute__((target_clones("avx2", "default"))) std::size_t
first_highest(const float* n, std::size_t from, std::size_t to) {
    using detail::Float8;
    float highest = n[from];
    std::size_t j = from;
    if (to - from >= 8) {
        Float8 top;
        std::memcpy(&top, n + from, sizeof top);
        for (j = from + 8; j + 8 <= to; j += 8) {
            Float8 v;
            std::memcpy(&v, n + j, sizeof v);
            top = v > top ? v : top;
        }
        for (std::size_t k = 0; k < 8; ++k)
            highest = std::max(highest, top[k]);
    }
    for (; j < to; ++j)
        highest = std::max(highest, n[j]);
    for (j = from; n[j] != highest; ++j) {
    }
    return j;
}

} // namespace

// Key maxima: the highest NSDF value between each positive-going zero crossing and the
// next negative-going one, skipping the lobe around lag 0.
// On the oversampled grid when there is one.
void MpmDetector::Impl::pick_key_maxima(PitchEstimate& estimate) const {
    const float* n = nsdf.data();
    const std::size_t last_lag = oversampling * this->last_lag;
    const std::size_t min_lag = oversampling * this->min_lag;
    const std::size_t max_lag = oversampling * this->max_lag;
    std::size_t tau = first_with_sign(n, 1, last_lag, false);
    while (tau < last_lag) {
        const std::size_t start = first_with_sign(n, tau, last_lag, true);
        if (start == last_lag) break;
        tau = first_with_sign(n, start, last_lag, false);
        const std::size_t best = first_highest(n, start, tau);
        // A lobe still open at the end counts only if its maximum is not the last lag examined.
        if (tau == last_lag && best + 1 >= last_lag) break;
        if (best < min_lag || best > max_lag) continue;
        if (estimate.candidate_count == PitchEstimate::max_candidates) break;
        estimate.candidates[estimate.candidate_count++] = interpolate(best);
    }
}

PitchEstimate MpmDetector::analyze(std::span<const float> input) {
    Impl& d = *impl_;
    PitchEstimate estimate;
    d.remove_mean(input);
    const float* acf = d.autocorrelation.compute();
    const double energy = acf[0]; // r'(0) = sum of x^2
    estimate.rms = std::sqrt(std::max(energy, 0.0) / static_cast<double>(d.frame_size));
    // Below about -300 dBFS there is nothing but rounding error to analyse.
    if (!(energy > 1e-30 * static_cast<double>(d.frame_size)) || !std::isfinite(energy)) {
        std::fill(d.nsdf.begin(), d.nsdf.end(), 0.0f);
        return estimate;
    }
    d.compute_nsdf(acf);
    d.pick_key_maxima(estimate);
    if (estimate.candidate_count == 0) return estimate;

    double highest = 0.0;
    for (std::size_t i = 0; i < estimate.candidate_count; ++i)
        highest = std::max(highest, estimate.candidates[i].clarity);
    // Key-maximum rule: the first (shortest-period) peak within k of the highest.
    for (std::size_t i = 0; i < estimate.candidate_count; ++i) {
        const PitchCandidate& c = estimate.candidates[i];
        if (c.clarity >= d.config.key_threshold * highest) {
            estimate.frequency = d.config.sample_rate / c.period;
            estimate.clarity = c.clarity;
            break;
        }
    }
    return estimate;
}

} // namespace pitchscribe

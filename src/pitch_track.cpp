#include "pitchscribe/pitch_track.hpp"

#include "batch_pool.hpp"
#include "change_point.hpp"
#include "decimator.hpp"
#include "hum_canceller.hpp"
#include "path_tracker.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pitchscribe {

Status validate(const TrackConfig& c) {
    auto invalid = [](const char* message) { return Error{ErrorKind::InvalidArgument, message}; };
    if (!(c.hop > 0.0)) return invalid("--hop must be > 0");
    if (!(c.hop <= 10.0)) return invalid("--hop must be at most 10 seconds");
    if (!(c.fmin > 0.0)) return invalid("--fmin must be > 0");
    if (!(c.fmax > 0.0)) return invalid("--fmax must be > 0");
    if (!(c.fmin < c.fmax)) return invalid("--fmin must be less than --fmax");
    if (!(c.voicing_threshold >= 0.0 && c.voicing_threshold <= 1.0))
        return invalid("voicing threshold must be within 0..1");
    if (!(c.silence_db <= 0.0)) return invalid("silence gate must be <= 0 dBFS");
    if (!(c.silence_below_loudest_db >= 0.0))
        return invalid("the relative silence gate must be >= 0 dB");
    if (c.threads < 1) return invalid("--threads must be >= 1");
    if (c.threads > 256) return invalid("--threads must be at most 256");
    return Ok{};
}

namespace {

// The analysis rate keeps at least 10 x fmax: 44.1 and 48 kHz are halved (fmax 2000 Hz). A
// lower rate is faster still but shifts the NSDF's clarities enough to cost notes: on the
// rendered melodies (tests/accuracy, 44.1 kHz) 5.5 x (/ 4) found 6 fewer of 418 notes
// (violin, cello: their clarity dips at legato changes are what the segmenter splits on) and
// 7.35 x (/ 3) 2 fewer, while 11 x (/ 2) found 1 fewer (F 0.907 against 0.909) and 3 fewer
// of 619 on seeds 21-23 (F 0.888 against 0.893); the pitch RPA is unchanged (0.970).
// At most 16, so a frame centre stays within 8 input samples of i * hop.
constexpr double kMinRateOverFmax = 10.0;
constexpr std::size_t kMaxDecimation = 16;

std::size_t decimation_factor(double rate, double fmax, bool enabled) {
    if (!enabled) return 1;
    const double d = std::floor(rate / (kMinRateOverFmax * fmax));
    return static_cast<std::size_t>(std::clamp(d, 1.0, static_cast<double>(kMaxDecimation)));
}

// Batches in flight: one thread analyses each batch as it is filled; with workers, two
// per thread keep every thread busy while the caller decodes and walks the path.
std::size_t slot_count(int threads) {
    return threads == 1 ? 1 : 2 * static_cast<std::size_t>(threads);
}

// Frames per batch: about 64 K input samples (1.5 s at 44.1 kHz; the filter's overlap
// between batches then costs 4 %), fewer when many slots would hold more than 16 M samples
// in all, and at most 256.
std::size_t batch_frames(double hop_input, std::size_t slots) {
    const double budget = std::clamp<double>(double(1u << 24) / double(slots), 8192.0, 65536.0);
    return static_cast<std::size_t>(std::clamp(std::floor(budget / hop_input), 1.0, 256.0));
}

// Input samples the change refiner keeps besides a batch's: the path's look-ahead (0.4 s),
// the refiner's own hold (0.1 s) and its search before a frame (0.12 s), with a margin.
constexpr double kHistorySeconds = 1.0;

// The relative gate never goes below -100 dBFS, about the level of 16-bit dither.
constexpr double kGateFloorRms = 1e-5;

} // namespace

// The input is cut into batches of consecutive frames, each with a copy of the input samples
// it reads (an overlap of one frame between neighbours). A batch is analysed as a whole
// (decimation, detector, level) by one thread of the pool, and the estimates go to the path
// in frame order.
struct PitchTracker::Impl {
    TrackConfig config;
    double sample_rate;
    double silence_rms;
    double relative_gate;     // the gate's ratio to loudest_rms; 0: a fixed gate
    double loudest_rms = 0.0; // of the frames so far
    std::unique_ptr<const detail::Decimator> decimator; // shared by the analyzers
    std::optional<detail::HumCanceller> hum;            // runs on the input, in order
    std::array<float, 4096> skipped{};                  // input no frame reads, for hum
    detail::FrameGeometry geometry;
    std::size_t batch_size;
    detail::BatchPool pool;
    detail::PathTracker path;
    detail::ChangeRefiner refiner;
    detail::GlideCheck glide;        // the path's, reading the refiner's input history
    const FrameSink* sink = nullptr; // the caller's, during push() and finish()
    FrameSink to_refiner;            // the path's frames go through the refiner
    std::int64_t samples_in = 0;     // real input samples pushed so far
    std::int64_t position = 0;       // input index of the next sample (padding included)
    std::int64_t batch_end = 0;      // input index just past the filling batch's samples
    std::size_t frames_cut = 0;      // frames in submitted batches
    bool finished = false;

    Impl(const TrackConfig& c, double rate, std::unique_ptr<const detail::Decimator> d,
         const detail::FrameGeometry& g, std::size_t frames,
         std::vector<detail::BatchAnalyzer> analyzers)
        : config(c), sample_rate(rate), silence_rms(std::pow(10.0, c.silence_db / 20.0)),
          relative_gate(c.silence_below_loudest_db > 0.0
                            ? std::pow(10.0, -c.silence_below_loudest_db / 20.0)
                            : 0.0),
          decimator(std::move(d)), geometry(g), batch_size(frames),
          pool(std::move(analyzers), slot_count(c.threads), g.max_batch_input(frames), frames),
          path(g.analysis_rate, detail::PathWindow::for_hop(c.hop, g.frame_size, g.analysis_rate),
               c.voicing_threshold),
          refiner(rate, c.hop,
                  g.max_batch_input(frames) +
                      static_cast<std::size_t>(std::ceil(kHistorySeconds * rate))),
          glide(refiner.input(), rate, double(g.frame_size) / g.analysis_rate),
          to_refiner([this](const PitchFrame& f) { refiner.push(f, *sink); }) {
        if (c.remove_hum) hum.emplace(rate);
        path.hear(&glide);
        start_batch(0);
        // The zeros before the first sample, so that frame 0 is centred on t = 0.
        detail::FrameBatch& first = pool.filling();
        position = std::min<std::int64_t>(first.input_begin, 0);
        std::fill_n(first.input.begin(), -position, 0.0f);
        position = 0;
    }

    void start_batch(std::size_t first) {
        detail::FrameBatch& batch = pool.filling();
        batch.first = first;
        batch.count = batch_size;
        batch.input_begin = geometry.input_begin(first);
        batch_end = geometry.input_end(first + batch_size - 1);
    }

    // `padding`: zeros after the end of the input, which hum removal must not touch.
    void feed(const float* samples, std::size_t count, bool padding = false);
    void complete_batch();
    void collect(bool all);
};

// Copies samples into the filling batch, skipping those that no frame reads (when the hop
// is longer than a frame), and hands each batch over once it has all its samples.
void PitchTracker::Impl::feed(const float* samples, std::size_t count, bool padding) {
    const bool filter = hum && !padding;
    while (count > 0) {
        detail::FrameBatch& batch = pool.filling();
        std::size_t n = 0;
        if (position < batch.input_begin) {
            n = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(count),
                                                                batch.input_begin - position));
            if (filter) { // the hum measurement still hears these samples
                n = std::min(n, skipped.size());
                std::memcpy(skipped.data(), samples, n * sizeof(float));
                hum->process(skipped.data(), n);
            }
        } else {
            n = static_cast<std::size_t>(
                std::min<std::int64_t>(static_cast<std::int64_t>(count), batch_end - position));
            float* to = batch.input.data() + (position - batch.input_begin);
            std::memcpy(to, samples, n * sizeof(float));
            if (filter) hum->process(to, n);
        }
        samples += n;
        count -= n;
        position += static_cast<std::int64_t>(n);
        if (position == batch_end) complete_batch();
    }
}

// Submits the full batch and starts the next one with the samples the two share.
void PitchTracker::Impl::complete_batch() {
    detail::FrameBatch& done = pool.filling();
    const float* done_input = done.input.data();
    const std::int64_t done_begin = done.input_begin, done_end = batch_end;
    const std::size_t next_first = done.first + done.count;
    frames_cut += done.count;
    pool.submit();
    collect(false);
    // Until refilled, a slot keeps its samples (analysis only reads them); with one slot
    // the next batch is that same slot, hence memmove.
    start_batch(next_first);
    detail::FrameBatch& next = pool.filling();
    if (next.input_begin < done_end)
        std::memmove(next.input.data(), done_input + (next.input_begin - done_begin),
                     static_cast<std::size_t>(done_end - next.input_begin) * sizeof(float));
}

// Gives analysed batches to the path in order: all of them, or those ready now (waiting
// only while no slot is free to fill).
void PitchTracker::Impl::collect(bool all) {
    while (detail::FrameBatch* batch = pool.oldest_result(all || !pool.filling_free())) {
        const std::int64_t end = geometry.input_end(batch->first + batch->count - 1);
        refiner.input().write(batch->input_begin, batch->input.data(),
                              static_cast<std::size_t>(end - batch->input_begin));
        for (std::size_t k = 0; k < batch->count; ++k) {
            const PitchEstimate& estimate = batch->estimates[k];
            loudest_rms = std::max(loudest_rms, estimate.rms);
            const double gate =
                relative_gate > 0.0
                    ? std::max(kGateFloorRms, std::min(silence_rms, loudest_rms * relative_gate))
                    : silence_rms;
            const bool audible = estimate.rms >= gate;
            path.push(static_cast<double>(batch->first + k) * config.hop, estimate, audible,
                      to_refiner);
        }
        pool.release();
    }
}

Expected<PitchTracker> PitchTracker::create(double sample_rate, const TrackConfig& config) {
    if (Status status = validate(config); !status) return status.error();
    MpmConfig mpm;
    mpm.sample_rate = sample_rate;
    mpm.fmin = config.fmin;
    // Above a quarter of the rate there are too few samples per period; a low-rate file
    // (telephone audio at 8 kHz) is analysed up to that limit rather than refused.
    mpm.fmax = std::min(config.fmax, sample_rate / 4.0);
    if (!(mpm.fmax > mpm.fmin))
        return Error{ErrorKind::InvalidArgument,
                     "--fmin must be below a quarter of the sample rate (" +
                         std::to_string(static_cast<int>(sample_rate)) + " Hz)"};
    const std::size_t factor = decimation_factor(sample_rate, mpm.fmax, config.decimate);
    mpm.sample_rate = sample_rate / static_cast<double>(factor);
    // One detector per thread, all alike: the same plans give the same bits.
    std::vector<MpmDetector> detectors;
    for (int i = 0; i < config.threads; ++i) {
        auto detector = MpmDetector::create(mpm);
        if (!detector) return detector.error();
        detectors.push_back(std::move(*detector));
    }
    std::unique_ptr<const detail::Decimator> decimator;
    detail::FrameGeometry geometry;
    geometry.hop = config.hop;
    geometry.input_rate = sample_rate;
    geometry.analysis_rate = mpm.sample_rate;
    geometry.factor = factor;
    geometry.frame_size = detectors.front().frame_size();
    if (factor > 1) {
        decimator = std::make_unique<const detail::Decimator>(factor);
        geometry.delay = decimator->delay();
        // The frame an undecimated detector would analyse, for the full-band level.
        geometry.level_frame = static_cast<std::size_t>(
            std::ceil(mpm.periods_per_frame * sample_rate / mpm.fmin * std::exp2(0.5 / 12.0)));
    }
    const std::size_t frames = batch_frames(config.hop * sample_rate, slot_count(config.threads));
    std::vector<detail::BatchAnalyzer> analyzers;
    for (MpmDetector& detector : detectors)
        analyzers.emplace_back(std::move(detector), decimator.get(), geometry, frames);
    return PitchTracker(std::make_unique<Impl>(config, sample_rate, std::move(decimator), geometry,
                                               frames, std::move(analyzers)));
}

PitchTracker::PitchTracker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PitchTracker::PitchTracker(PitchTracker&&) noexcept = default;
PitchTracker& PitchTracker::operator=(PitchTracker&&) noexcept = default;
PitchTracker::~PitchTracker() = default;

std::size_t PitchTracker::frame_size() const {
    return impl_->geometry.frame_size;
}
double PitchTracker::sample_rate() const {
    return impl_->sample_rate;
}
double PitchTracker::analysis_rate() const {
    return impl_->geometry.analysis_rate;
}
std::size_t PitchTracker::frames_emitted() const {
    return impl_->frames_cut;
}

void PitchTracker::push(std::span<const float> samples, const FrameSink& sink) {
    if (impl_->finished) return;
    impl_->samples_in += static_cast<std::int64_t>(samples.size());
    impl_->sink = &sink;
    impl_->feed(samples.data(), samples.size());
}

void PitchTracker::finish(const FrameSink& sink) {
    Impl& t = *impl_;
    if (t.samples_in == 0 || t.finished) return;
    t.finished = true;
    t.sink = &sink;
    // The last frame is the one centred on the last real sample or before it; the input
    // after the end counts as zeros.
    const double hop_samples = t.config.hop * t.sample_rate;
    const auto frames =
        static_cast<std::size_t>(std::floor(static_cast<double>(t.samples_in - 1) / hop_samples)) +
        1;
    // Frames up to the last may lie past the filling batch, whose last frames read beyond the
    // end: the zeros after the end complete full batches, then the last one is cut short.
    static constexpr std::array<float, 4096> zeros{};
    for (;;) {
        detail::FrameBatch& batch = t.pool.filling();
        if (batch.first >= frames) break;
        if (batch.first + batch.count < frames) {
            const auto missing = static_cast<std::size_t>(t.batch_end - t.position);
            t.feed(zeros.data(), std::min(missing, zeros.size()), true);
            continue;
        }
        batch.count = frames - batch.first;
        const std::int64_t end = t.geometry.input_end(batch.first + batch.count - 1);
        const std::int64_t from = std::max(t.position, batch.input_begin);
        if (from < end)
            std::fill(batch.input.begin() + (from - batch.input_begin),
                      batch.input.begin() + (end - batch.input_begin), 0.0f);
        t.frames_cut += batch.count;
        t.pool.submit();
        break;
    }
    t.collect(true);
    t.path.finish(t.to_refiner);
    t.refiner.finish(sink);
}

} // namespace pitchscribe

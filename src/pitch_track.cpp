#include "pitchscribe/pitch_track.hpp"

#include "decimator.hpp"
#include "path_tracker.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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

// Frames per parallel batch: enough to keep the workers busy between two hand-overs, few
// enough to hold (at most 4 MB of samples).
std::size_t batch_capacity(std::size_t frame_size) {
    return std::clamp<std::size_t>((std::size_t{1} << 20) / frame_size, 1, 256);
}

} // namespace

// The stream is held in `buffer`, which covers absolute sample indices
// [buffer_start, buffer_start + buffer_length) of the analysis-rate stream (the decimator's
// output, or the input itself). Index 0 is the first input sample; negative indices are the
// zeros before it, so frame 0 is centred on t = 0.
struct PitchTracker::Impl {
    TrackConfig config;
    double sample_rate;   // of the input
    double analysis_rate; // sample_rate / decimation factor
    MpmDetector detector;
    std::size_t frame_size;
    std::int64_t half_frame;
    double silence_rms;
    std::optional<detail::Decimator> decimator;
    std::vector<float> decimated; // the decimator's output block
    // With decimation, a frame's level (and the silence gate) still comes from the input at
    // full bandwidth: the RMS over the full-rate frame an undecimated tracker would cut,
    // read from the last input samples kept in a ring.
    std::size_t full_frame = 0;
    std::int64_t full_half = 0;
    std::vector<float> ring; // input sample n at ring[n & ring_mask]
    std::uint64_t ring_mask = 0;
    std::int64_t input_position = 0; // input samples (padding included) written to the ring
    std::vector<double> batch_rms;   // the full-band RMS of each batched frame
    std::vector<float> buffer;
    std::int64_t buffer_start;
    std::size_t buffer_length;
    std::int64_t samples_in = 0;      // real input samples pushed so far
    std::int64_t stream_position = 0; // index of the next sample to append (padding included)
    std::size_t next_frame = 0;       // frames cut; analysed, then emitted by the path later
    detail::PathTracker path;
    bool finished = false;

    // Parallel analysis (threads > 1): frames are copied into a batch, analysed by the
    // caller's detector and one detector per worker, then given to the path in order.
    std::vector<MpmDetector> helpers; // one per worker thread
    std::size_t batch_size = 0;       // capacity in frames; 0 = analyse each frame at once
    std::vector<float> batch_samples;
    std::vector<PitchEstimate> batch_estimates;
    std::size_t batch_count = 0;
    std::size_t batch_first = 0; // frame index of the batch's first frame
    std::atomic<std::size_t> next_item{0};
    std::mutex mutex;
    std::condition_variable start_work, work_done;
    std::uint64_t generation = 0; // bumped for each batch handed to the workers
    std::size_t busy = 0;         // workers still on the current batch
    bool stopping = false;
    std::vector<std::thread> pool;

    Impl(const TrackConfig& c, double rate, std::size_t factor, std::size_t full_size,
         MpmDetector d, std::vector<MpmDetector> extra)
        : config(c), sample_rate(rate), analysis_rate(rate / static_cast<double>(factor)),
          detector(std::move(d)), frame_size(detector.frame_size()),
          half_frame(static_cast<std::int64_t>(frame_size / 2)),
          silence_rms(std::pow(10.0, c.silence_db / 20.0)),
          // Room for a whole frame plus one hop of new input, so every push makes progress.
          buffer(frame_size + static_cast<std::size_t>(std::ceil(c.hop * analysis_rate)) + 4096),
          buffer_start(-half_frame), buffer_length(static_cast<std::size_t>(half_frame)),
          path(analysis_rate, lookahead_frames(c.hop), c.voicing_threshold),
          helpers(std::move(extra)) {
        if (factor > 1) {
            decimator.emplace(factor);
            decimated.resize(kFeedBlock);
            full_frame = full_size;
            full_half = static_cast<std::int64_t>(full_size / 2);
            // A frame is cut from the decimated stream at most the filter's look-ahead, a
            // feed block and a hop after its full-rate window has arrived.
            const std::size_t span = full_size + decimator->taps() + 2 * kFeedBlock +
                                     static_cast<std::size_t>(std::ceil(c.hop * rate)) + factor;
            std::size_t size = 1;
            while (size < span)
                size *= 2;
            ring.assign(size, 0.0f);
            ring_mask = size - 1;
        }
        if (!helpers.empty()) {
            batch_size = batch_capacity(frame_size);
            batch_samples.resize(batch_size * frame_size);
            batch_estimates.resize(batch_size);
            batch_rms.resize(batch_size);
            pool.reserve(helpers.size());
            try {
                for (MpmDetector& helper : helpers)
                    pool.emplace_back([this, &helper] { worker(helper); });
            } catch (...) { // no thread left joinable when the constructor fails
                stop_workers();
                throw;
            }
        }
    }

    ~Impl() { stop_workers(); }

    void stop_workers() {
        {
            std::lock_guard lock(mutex);
            stopping = true;
        }
        start_work.notify_all();
        for (std::thread& t : pool)
            t.join();
        pool.clear();
    }

    // The path's look-ahead: a fifth of a second, enough to see past two notes' overlap.
    static std::size_t lookahead_frames(double hop) {
        return static_cast<std::size_t>(std::ceil(0.2 / hop));
    }

    static constexpr std::size_t kFeedBlock = 1024; // input samples per decimation step

    double full_band_rms(std::size_t index) const;

    std::int64_t frame_start(std::size_t index) const {
        return std::llround(static_cast<double>(index) * config.hop * analysis_rate) - half_frame;
    }
    void feed(const float* samples, std::size_t count, std::size_t frame_limit,
              const FrameSink& sink);
    void drop_consumed();
    void append(const float* samples, std::size_t count, std::size_t frame_limit,
                const FrameSink& sink);
    void emit_ready_frames(std::size_t frame_limit, const FrameSink& sink);
    void analyze_frame(const float* samples, std::size_t index, const FrameSink& sink);
    void analyze_batch(MpmDetector& d);
    void run_batch(const FrameSink& sink);
    void worker(MpmDetector& d);
};

// Input samples go through the decimator (when there is one) into the analysis stream, and
// into the ring that full_band_rms() reads.
void PitchTracker::Impl::feed(const float* samples, std::size_t count, std::size_t frame_limit,
                              const FrameSink& sink) {
    if (!decimator) {
        append(samples, count, frame_limit, sink);
        return;
    }
    while (count > 0) {
        const std::size_t block = std::min(count, kFeedBlock);
        for (std::size_t k = 0; k < block; ++k)
            ring[static_cast<std::uint64_t>(input_position + static_cast<std::int64_t>(k)) &
                 ring_mask] = samples[k];
        input_position += static_cast<std::int64_t>(block);
        // Until the block is used up and the outputs it completes are out (a full output
        // block may leave more behind).
        const float* in = samples;
        std::size_t left = block;
        for (std::size_t n = decimated.size(); left > 0 || n == decimated.size();) {
            std::size_t consumed = 0;
            n = decimator->push(in, left, decimated.data(), decimated.size(), consumed);
            append(decimated.data(), n, frame_limit, sink);
            in += consumed;
            left -= consumed;
        }
        samples += block;
        count -= block;
    }
}

// The RMS, after removing the mean, of the full-rate frame centred on sample
// round(index * hop * rate): the level an undecimated analysis reports. Eight float lanes
// let the compiler vectorise the sums without -ffast-math.
double PitchTracker::Impl::full_band_rms(std::size_t index) const {
    const std::int64_t start =
        std::llround(static_cast<double>(index) * config.hop * sample_rate) - full_half;
    auto accumulate = [&](auto term) {
        float lanes[8] = {};
        std::size_t i = 0;
        for (; i < full_frame;) {
            const std::uint64_t at =
                static_cast<std::uint64_t>(start + static_cast<std::int64_t>(i)) & ring_mask;
            // The contiguous run up to the ring's end (or the frame's).
            const std::size_t run = std::min<std::size_t>(full_frame - i, ring.size() - at);
            const float* x = ring.data() + at;
            std::size_t k = 0;
            for (; k + 8 <= run; k += 8)
                for (std::size_t l = 0; l < 8; ++l)
                    lanes[l] += term(x[k + l]);
            for (; k < run; ++k)
                lanes[0] += term(x[k]);
            i += run;
        }
        double sum = 0.0;
        for (float lane : lanes)
            sum += lane;
        return sum;
    };
    const auto n = static_cast<double>(full_frame);
    const auto mean = static_cast<float>(accumulate([](float x) { return x; }) / n);
    const double energy = accumulate([mean](float x) { return (x - mean) * (x - mean); });
    return std::sqrt(std::max(energy, 0.0) / n);
}

// Discards samples before the next frame's start (or skips ahead when hop > frame).
void PitchTracker::Impl::drop_consumed() {
    const std::int64_t start = frame_start(next_frame);
    const std::int64_t end = buffer_start + static_cast<std::int64_t>(buffer_length);
    if (start >= end) {
        buffer_start = start;
        buffer_length = 0;
    } else if (start > buffer_start) {
        const auto shift = static_cast<std::size_t>(start - buffer_start);
        std::memmove(buffer.data(), buffer.data() + shift, (buffer_length - shift) * sizeof(float));
        buffer_length -= shift;
        buffer_start = start;
    }
}

// Appends stream samples (the next ones after stream_position), skipping those that no
// frame covers when the hop is longer than a frame, and emits frames up to `frame_limit`.
void PitchTracker::Impl::append(const float* samples, std::size_t count, std::size_t frame_limit,
                                const FrameSink& sink) {
    while (count > 0) {
        drop_consumed();
        if (stream_position < buffer_start) {
            const auto skip = std::min<std::size_t>(count, buffer_start - stream_position);
            samples += skip;
            count -= skip;
            stream_position += static_cast<std::int64_t>(skip);
            continue;
        }
        const std::size_t n = std::min(buffer.size() - buffer_length, count);
        std::memcpy(buffer.data() + buffer_length, samples, n * sizeof(float));
        buffer_length += n;
        stream_position += static_cast<std::int64_t>(n);
        samples += n;
        count -= n;
        emit_ready_frames(frame_limit, sink);
    }
}

void PitchTracker::Impl::emit_ready_frames(std::size_t frame_limit, const FrameSink& sink) {
    const std::int64_t end = buffer_start + static_cast<std::int64_t>(buffer_length);
    while (next_frame < frame_limit) {
        const std::int64_t start = frame_start(next_frame);
        if (start + static_cast<std::int64_t>(frame_size) > end) return;
        analyze_frame(buffer.data() + (start - buffer_start), next_frame, sink);
        ++next_frame;
    }
}

void PitchTracker::Impl::analyze_frame(const float* samples, std::size_t index,
                                       const FrameSink& sink) {
    if (batch_size == 0) {
        PitchEstimate estimate = detector.analyze({samples, frame_size});
        if (decimator) estimate.rms = full_band_rms(index);
        const bool audible = estimate.rms >= silence_rms;
        path.push(static_cast<double>(index) * config.hop, estimate, audible, sink);
        return;
    }
    if (batch_count == 0) batch_first = index;
    if (decimator) batch_rms[batch_count] = full_band_rms(index);
    std::memcpy(batch_samples.data() + batch_count * frame_size, samples,
                frame_size * sizeof(float));
    if (++batch_count == batch_size) run_batch(sink);
}

// Analyses the batch's frames that no other thread has claimed yet.
void PitchTracker::Impl::analyze_batch(MpmDetector& d) {
    for (std::size_t i = next_item.fetch_add(1); i < batch_count; i = next_item.fetch_add(1))
        batch_estimates[i] = d.analyze({batch_samples.data() + i * frame_size, frame_size});
}

void PitchTracker::Impl::worker(MpmDetector& d) {
    std::uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock lock(mutex);
            start_work.wait(lock, [&] { return stopping || generation != seen; });
            if (stopping) return;
            seen = generation;
        }
        analyze_batch(d);
        {
            std::lock_guard lock(mutex);
            if (--busy == 0) work_done.notify_one();
        }
    }
}

// Analyses the batch on every thread, then feeds the estimates to the path in frame order:
// each estimate depends only on its frame's samples, so the track does not depend on which
// thread analysed what.
void PitchTracker::Impl::run_batch(const FrameSink& sink) {
    if (batch_count == 0) return;
    next_item.store(0);
    {
        std::lock_guard lock(mutex);
        busy = pool.size();
        ++generation;
    }
    start_work.notify_all();
    analyze_batch(detector);
    {
        std::unique_lock lock(mutex);
        work_done.wait(lock, [&] { return busy == 0; });
    }
    for (std::size_t i = 0; i < batch_count; ++i) {
        PitchEstimate& estimate = batch_estimates[i];
        if (decimator) estimate.rms = batch_rms[i];
        const bool audible = estimate.rms >= silence_rms;
        path.push(static_cast<double>(batch_first + i) * config.hop, estimate, audible, sink);
    }
    batch_count = 0;
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
    auto detector = MpmDetector::create(mpm);
    if (!detector) return detector.error();
    // Identical detectors for the workers: the same plans give the same bits.
    std::vector<MpmDetector> helpers;
    for (int i = 1; i < config.threads; ++i) {
        auto helper = MpmDetector::create(mpm);
        if (!helper) return helper.error();
        helpers.push_back(std::move(*helper));
    }
    // The frame an undecimated detector would analyse, for the full-band level.
    const auto full_frame = static_cast<std::size_t>(
        std::ceil(mpm.periods_per_frame * sample_rate / mpm.fmin * std::exp2(0.5 / 12.0)));
    return PitchTracker(std::make_unique<Impl>(config, sample_rate, factor, full_frame,
                                               std::move(*detector), std::move(helpers)));
}

PitchTracker::PitchTracker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PitchTracker::PitchTracker(PitchTracker&&) noexcept = default;
PitchTracker& PitchTracker::operator=(PitchTracker&&) noexcept = default;
PitchTracker::~PitchTracker() = default;

std::size_t PitchTracker::frame_size() const {
    return impl_->frame_size;
}
double PitchTracker::sample_rate() const {
    return impl_->sample_rate;
}
double PitchTracker::analysis_rate() const {
    return impl_->analysis_rate;
}
std::size_t PitchTracker::frames_emitted() const {
    return impl_->next_frame;
}

void PitchTracker::push(std::span<const float> samples, const FrameSink& sink) {
    impl_->samples_in += static_cast<std::int64_t>(samples.size());
    impl_->feed(samples.data(), samples.size(), SIZE_MAX, sink);
}

void PitchTracker::finish(const FrameSink& sink) {
    Impl& t = *impl_;
    if (t.samples_in == 0 || t.finished) return;
    t.finished = true;
    // Zero-pad until the last frame, the one centred on the last real sample or before it.
    const double hop_samples = t.config.hop * t.sample_rate;
    const auto frames =
        static_cast<std::size_t>(std::floor(static_cast<double>(t.samples_in - 1) / hop_samples)) +
        1;
    static constexpr std::array<float, 1024> zeros{};
    while (t.next_frame < frames)
        t.feed(zeros.data(), zeros.size(), frames, sink);
    t.run_batch(sink);
    t.path.finish(sink);
}

} // namespace pitchscribe

#include "pitchscribe/pitch_track.hpp"

#include "path_tracker.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
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
    return Ok{};
}

// The stream is held in `buffer`, which covers absolute sample indices
// [buffer_start, buffer_start + buffer_length). Index 0 is the first input sample;
// negative indices are the zeros before it, so frame 0 is centred on t = 0.
struct PitchTracker::Impl {
    TrackConfig config;
    double sample_rate;
    MpmDetector detector;
    std::size_t frame_size;
    std::int64_t half_frame;
    double silence_rms;
    std::vector<float> buffer;
    std::int64_t buffer_start;
    std::size_t buffer_length;
    std::int64_t samples_in = 0;      // real samples pushed so far
    std::int64_t stream_position = 0; // index of the next sample to append (padding included)
    std::size_t next_frame = 0;       // frames analysed; the path tracker emits them a little later
    detail::PathTracker path;
    bool finished = false;

    Impl(const TrackConfig& c, double rate, MpmDetector d)
        : config(c), sample_rate(rate), detector(std::move(d)), frame_size(detector.frame_size()),
          half_frame(static_cast<std::int64_t>(frame_size / 2)),
          silence_rms(std::pow(10.0, c.silence_db / 20.0)),
          // Room for a whole frame plus one hop of new input, so every push makes progress.
          buffer(frame_size + static_cast<std::size_t>(std::ceil(c.hop * rate)) + 4096),
          buffer_start(-half_frame), buffer_length(static_cast<std::size_t>(half_frame)),
          path(rate, lookahead_frames(c.hop), c.voicing_threshold) {}

    // The path's look-ahead: a fifth of a second, enough to see past two notes' overlap.
    static std::size_t lookahead_frames(double hop) {
        return static_cast<std::size_t>(std::ceil(0.2 / hop));
    }

    std::int64_t frame_start(std::size_t index) const {
        return std::llround(static_cast<double>(index) * config.hop * sample_rate) - half_frame;
    }
    void drop_consumed();
    void append(const float* samples, std::size_t count, std::size_t frame_limit,
                const FrameSink& sink);
    void emit_ready_frames(std::size_t frame_limit, const FrameSink& sink);
    void analyze_frame(const float* samples, std::size_t index, const FrameSink& sink);
};

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
    const PitchEstimate estimate = detector.analyze({samples, frame_size});
    const bool audible = estimate.rms >= silence_rms;
    path.push(static_cast<double>(index) * config.hop, estimate, audible, sink);
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
    auto detector = MpmDetector::create(mpm);
    if (!detector) return detector.error();
    return PitchTracker(std::make_unique<Impl>(config, sample_rate, std::move(*detector)));
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
std::size_t PitchTracker::frames_emitted() const {
    return impl_->next_frame;
}

void PitchTracker::push(std::span<const float> samples, const FrameSink& sink) {
    impl_->samples_in += static_cast<std::int64_t>(samples.size());
    impl_->append(samples.data(), samples.size(), SIZE_MAX, sink);
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
        t.append(zeros.data(), zeros.size(), frames, sink);
    t.path.finish(sink);
}

} // namespace pitchscribe

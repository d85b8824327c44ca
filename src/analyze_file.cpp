#include "pitchscribe/pitchscribe.hpp"

#include <vector>

namespace pitchscribe {

Expected<AnalysisSummary> analyze_file(const std::string& path, const TrackConfig& config,
                                       const FrameSink& sink, const OpenCallback& on_open) {
    if (Status status = validate(config); !status) return status.error();
    auto decoder = AudioDecoder::open(path);
    if (!decoder) return decoder.error();
    AnalysisSummary summary;
    summary.audio = decoder->info();
    if (on_open) on_open(summary.audio);
    auto tracker = PitchTracker::create(summary.audio.sample_rate, config);
    if (!tracker) return tracker.error();
    std::vector<float> block(16384);
    for (;;) {
        auto count = decoder->read(block);
        if (!count) return count.error();
        if (*count == 0) break;
        tracker->push({block.data(), *count}, sink);
    }
    tracker->finish(sink);
    summary.samples = decoder->samples_read();
    summary.frames = tracker->frames_emitted();
    summary.non_finite_samples = decoder->non_finite_samples();
    summary.ended_early = decoder->ended_early();
    summary.seconds = decoder->seconds_decoded();
    return summary;
}

} // namespace pitchscribe

// The whole pipeline in one call: decode a file and stream its pitch track to a sink.
#pragma once

#include "pitchscribe/audio_decoder.hpp"
#include "pitchscribe/error.hpp"
#include "pitchscribe/mpm.hpp"
#include "pitchscribe/note_names.hpp"
#include "pitchscribe/pitch_track.hpp"

#include <cstddef>
#include <functional>
#include <string>

namespace pitchscribe {

struct AnalysisSummary {
    AudioInfo audio;
    std::size_t samples = 0;            // mono samples decoded
    std::size_t frames = 0;             // pitch frames emitted
    std::size_t non_finite_samples = 0; // NaN/Inf samples replaced by 0
    double seconds = 0.0;               // audio decoded, in seconds
    bool ended_early = false;           // stdin closed before its declared length
};

using OpenCallback = std::function<void(const AudioInfo&)>;

// Decodes `path` ("-" for stdin) block by block and feeds the tracker as it goes.
// `on_open`, if set, learns what the input is before the first frame (e.g. for progress).
// Errors: InvalidArgument (config), InputUnreadable (cannot open / not audio / truncated),
// Processing (a failure while decoding a readable file).
Expected<AnalysisSummary> analyze_file(const std::string& path, const TrackConfig& config,
                                       const FrameSink& sink, const OpenCallback& on_open = {});

} // namespace pitchscribe

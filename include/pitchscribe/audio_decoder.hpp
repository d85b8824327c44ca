// Streaming audio decoder: any file FFmpeg reads, delivered as mono float blocks.
#pragma once

#include "pitchscribe/error.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace pitchscribe {

struct AudioInfo {
    int sample_rate = 0;   // Hz, the file's own rate (no resampling here)
    int channels = 0;      // channels in the file, before the mono mix
    double duration = 0.0; // seconds as declared by the container; 0 when unknown
    std::string codec;     // e.g. "flac", "aac"
};

// Decodes one audio stream in blocks; memory use does not depend on the file's length.
// Channels are averaged to mono; samples are float in [-1, 1] for integer formats.
// Non-finite samples (NaN, Inf in float files) are replaced by 0 and counted.
class AudioDecoder {
public:
    // Opens `path`; "-" reads standard input. Errors name the file and the reason.
    static Expected<AudioDecoder> open(const std::string& path);

    // Decodes a whole file held in memory; `name` is only used in messages ('<name>': ...).
    // The format is recognised from the content alone, and nothing but `bytes` is ever read
    // (FFmpeg may not open other files or URLs on its behalf, e.g. from a playlist).
    // `bytes` is not copied: it must outlive the decoder (and every object it is moved to).
    static Expected<AudioDecoder> open_memory(std::span<const unsigned char> bytes,
                                              const std::string& name);

    AudioDecoder(AudioDecoder&&) noexcept;
    AudioDecoder& operator=(AudioDecoder&&) noexcept;
    ~AudioDecoder();

    const AudioInfo& info() const;

    // Fills `out` with up to out.size() mono samples. Returns the count; 0 means the end.
    // A decoding failure mid-stream is an Error of kind Processing.
    Expected<std::size_t> read(std::span<float> out);

    // Samples delivered so far, and non-finite samples that were replaced by 0.
    std::size_t samples_read() const;
    std::size_t non_finite_samples() const;
    // Seconds of audio decoded so far, at the file's rate.
    double seconds_decoded() const;
    // True once standard input ended before the length its header declared (info().duration):
    // the samples that came are delivered, and the caller should warn. Files that end early
    // are an error ("truncated") instead, since nothing more will ever arrive.
    bool ended_early() const;

private:
    struct Impl;
    explicit AudioDecoder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace pitchscribe

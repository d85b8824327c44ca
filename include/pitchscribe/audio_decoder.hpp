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

private:
    struct Impl;
    explicit AudioDecoder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace pitchscribe

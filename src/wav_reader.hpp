// Internal: plain 16-bit PCM WAV files, read without FFmpeg. The most common input is read
// with large read() calls and mixed straight into the caller's buffer, which halves the cost
// of getting its samples (FFmpeg's demuxer and decoder copy each sample three more times).
// Anything else, or a WAV that is not exactly a well-formed, complete 16-bit PCM file, goes
// to FFmpeg, with its checks and error messages.
#pragma once

#include "pitchscribe/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pitchscribe::detail {

// Mixes interleaved 16-bit frames to mono floats in [-1, 1], with the same arithmetic as the
// FFmpeg path's mix (frame_mix.cpp), so both give the same bits.
void mix_s16(const std::int16_t* interleaved, int channels, std::size_t frames, float* out);

class PcmWavReader {
public:
    // A reader if `path` is RIFF/WAVE with format tag 1 (PCM), 16 bits, 1-64 channels and a
    // positive rate, whose RIFF size is the file's and whose chunks tile it exactly, with one
    // fmt chunk before one data chunk; otherwise nothing (use FFmpeg).
    static std::optional<PcmWavReader> open(const std::string& path);

    PcmWavReader(PcmWavReader&& other) noexcept;
    PcmWavReader& operator=(PcmWavReader&&) = delete;
    ~PcmWavReader();

    int sample_rate() const { return rate_; }
    int channels() const { return channels_; }
    std::uint64_t frames() const { return frames_; }

    // Fills `out` with up to out.size() mono samples; 0 at the end of the data chunk.
    // A read error (or a file cut short since it was opened) is an Error naming `name`.
    Expected<std::size_t> read(std::span<float> out, const std::string& name);

private:
    PcmWavReader(int fd, int rate, int channels, std::uint64_t frames);

    int fd_;
    int rate_;
    int channels_;
    std::uint64_t frames_;
    std::uint64_t remaining_; // frames not read yet
    std::vector<std::int16_t> buffer_;
    std::optional<Error> error_; // once set, every later read returns it
};

} // namespace pitchscribe::detail

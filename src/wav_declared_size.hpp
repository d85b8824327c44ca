// Internal: the data size a WAV's RIFF header declares. FFmpeg drops it when the file is
// shorter than it (and then estimates the duration from the bitrate, i.e. the truncated
// length), so the decoder reads it itself to tell a truncated WAV from a complete one.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace pitchscribe::detail {

// The data chunk's size in bytes, 0 when absent or a streaming placeholder: of a file, or of
// the first bytes of one (the head of a pipe, or a whole buffer in memory).
std::uint64_t wav_declared_data_size(const std::string& path);
std::uint64_t wav_declared_data_size(std::span<const unsigned char> bytes);

} // namespace pitchscribe::detail

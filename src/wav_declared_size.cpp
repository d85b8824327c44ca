// A WAV's declared data size, read with the RIFF chunk walk the plain-WAV reader uses too.
#include "wav_declared_size.hpp"

#include "riff_chunks.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>

namespace pitchscribe::detail {
namespace {

// `read_at(offset, dst, n)` fills dst with the n bytes at offset, false past the end.
template <typename ReadAt> std::uint64_t wav_declared_data_size(ReadAt read_at) {
    std::uint64_t declared = 0;
    walk_riff_chunks(read_at, [&](const RiffChunk& c) {
        if (std::memcmp(c.id, "data", 4) != 0) return true;
        declared = c.length >= 0x7fff0000u ? 0 : c.length; // pipes write 0xffffffff and the like
        return false;
    });
    return declared;
}

} // namespace

std::uint64_t wav_declared_data_size(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return wav_declared_data_size([&](std::uint64_t offset, unsigned char* dst, std::size_t n) {
        return static_cast<bool>(in.seekg(std::streamoff(offset)) &&
                                 in.read(reinterpret_cast<char*>(dst), std::streamsize(n)));
    });
}

std::uint64_t wav_declared_data_size(std::span<const unsigned char> bytes) {
    return wav_declared_data_size([&](std::uint64_t offset, unsigned char* dst, std::size_t n) {
        if (offset > bytes.size() || n > bytes.size() - offset) return false;
        std::copy_n(bytes.data() + offset, n, dst);
        return true;
    });
}

} // namespace pitchscribe::detail

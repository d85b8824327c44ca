// Internal: the chunks of a RIFF/WAVE file, walked in one place for the plain-WAV reader
// (which checks them strictly) and the decoder's truncation check (which wants the data
// chunk's declared size).
#pragma once

#include <cstdint>
#include <cstring>

namespace pitchscribe::detail {

inline std::uint32_t le32(const unsigned char* p) {
    return p[0] | p[1] << 8 | p[2] << 16 | std::uint32_t(p[3]) << 24;
}

struct RiffChunk {
    char id[4];
    std::uint64_t payload; // offset of the chunk's data
    std::uint64_t length;  // the size its header declares
};

struct RiffWalk {
    bool wave = false;           // the file starts RIFF....WAVE
    std::uint32_t riff_size = 0; // the size the RIFF header declares
    bool stopped = false;        // the visitor asked to stop
    bool too_many = false;       // a 65th chunk header was there (a guard, not a limit of WAV)
    std::uint64_t end = 0;       // where the next chunk header would start
};

// Reads the RIFF/WAVE header, then passes each chunk header, in order, to visit(chunk),
// which returns false to stop. The walk ends at the first header read_at(offset, dst, n)
// cannot read (the end of the source), after 64 chunks, or when the visitor stops.
template <typename ReadAt, typename Visit> RiffWalk walk_riff_chunks(ReadAt read_at, Visit visit) {
    RiffWalk walk;
    unsigned char riff[12];
    if (!read_at(0, riff, 12) || std::memcmp(riff, "RIFF", 4) != 0 ||
        std::memcmp(riff + 8, "WAVE", 4) != 0)
        return walk;
    walk.wave = true;
    walk.riff_size = le32(riff + 4);
    std::uint64_t offset = 12;
    for (int chunk = 0;; ++chunk) {
        unsigned char h[8];
        if (!read_at(offset, h, 8)) break;
        if (chunk == 64) {
            walk.too_many = true;
            break;
        }
        RiffChunk c{{}, offset + 8, le32(h + 4)};
        std::memcpy(c.id, h, 4);
        if (!visit(c)) {
            walk.stopped = true;
            break;
        }
        offset += 8 + c.length + (c.length & 1); // chunks are padded to even sizes
    }
    walk.end = offset;
    return walk;
}

} // namespace pitchscribe::detail

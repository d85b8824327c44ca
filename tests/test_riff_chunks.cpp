// The RIFF/WAVE chunk walk shared by the plain-WAV reader and the decoder's size lookup.
#include "riff_chunks.hpp"

#include <algorithm>
#include <cstdint>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace pitchscribe::detail {
namespace {

using Bytes = std::vector<unsigned char>;

void put32(Bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

void add_chunk(Bytes& b, const char* id, std::size_t length) {
    b.insert(b.end(), id, id + 4);
    put32(b, static_cast<std::uint32_t>(length));
    b.insert(b.end(), length + (length & 1), 0x55);
}

Bytes wave(const std::vector<std::pair<const char*, std::size_t>>& chunks) {
    Bytes b = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'};
    for (auto [id, length] : chunks)
        add_chunk(b, id, length);
    const auto riff = static_cast<std::uint32_t>(b.size() - 8);
    for (int i = 0; i < 4; ++i)
        b[4 + i] = static_cast<unsigned char>(riff >> (8 * i));
    return b;
}

struct Seen {
    std::vector<std::string> ids;
    std::vector<std::uint64_t> payloads, lengths;
};

RiffWalk walk(const Bytes& b, Seen& seen, const char* stop_at = nullptr) {
    auto read_at = [&](std::uint64_t offset, unsigned char* dst, std::size_t n) {
        if (offset > b.size() || n > b.size() - offset) return false;
        std::copy_n(b.data() + offset, n, dst);
        return true;
    };
    return walk_riff_chunks(read_at, [&](const RiffChunk& c) {
        seen.ids.emplace_back(c.id, 4);
        seen.payloads.push_back(c.payload);
        seen.lengths.push_back(c.length);
        return !(stop_at && seen.ids.back() == stop_at);
    });
}

TEST(RiffChunks, VisitsEveryChunkInOrderAndSkipsPadding) {
    const Bytes b = wave({{"fmt ", 16}, {"LIST", 5}, {"data", 8}});
    Seen seen;
    const RiffWalk w = walk(b, seen);
    EXPECT_TRUE(w.wave);
    EXPECT_EQ(w.riff_size, b.size() - 8);
    EXPECT_EQ(seen.ids, (std::vector<std::string>{"fmt ", "LIST", "data"}));
    // 12 + 8 + 16 = 36; the LIST payload at 44 is 5 bytes plus one of padding.
    EXPECT_EQ(seen.payloads, (std::vector<std::uint64_t>{20, 44, 58}));
    EXPECT_EQ(seen.lengths, (std::vector<std::uint64_t>{16, 5, 8}));
    EXPECT_FALSE(w.stopped);
    EXPECT_FALSE(w.too_many);
    EXPECT_EQ(w.end, b.size()); // the chunks tile the file
}

TEST(RiffChunks, TheVisitorStopsTheWalk) {
    Seen seen;
    const RiffWalk w = walk(wave({{"fmt ", 16}, {"data", 8}, {"LIST", 4}}), seen, "data");
    EXPECT_TRUE(w.stopped);
    EXPECT_EQ(seen.ids.size(), 2u);
    EXPECT_EQ(w.end, 36u); // where the data chunk's header starts
}

TEST(RiffChunks, SixtyFourChunksAtMost) {
    std::vector<std::pair<const char*, std::size_t>> many(70, {"junk", 2});
    Seen seen;
    const RiffWalk w = walk(wave(many), seen);
    EXPECT_EQ(seen.ids.size(), 64u);
    EXPECT_TRUE(w.too_many);
    // Exactly 64 is not too many.
    many.resize(64);
    Seen all;
    EXPECT_FALSE(walk(wave(many), all).too_many);
    EXPECT_EQ(all.ids.size(), 64u);
}

TEST(RiffChunks, NotRiffWaveIsNotWalked) {
    Bytes b = wave({{"data", 4}});
    b[8] = 'A'; // "AAVE"
    Seen seen;
    EXPECT_FALSE(walk(b, seen).wave);
    EXPECT_TRUE(seen.ids.empty());
    Seen none;
    EXPECT_FALSE(walk(Bytes{'R', 'I', 'F', 'F'}, none).wave); // too short for a header
}

TEST(RiffChunks, ACutHeaderEndsTheWalkWhereItStarts) {
    const Bytes whole = wave({{"fmt ", 16}, {"data", 8}});
    // The data chunk's payload and half its header gone.
    const Bytes b(whole.begin(), whole.begin() + 40);
    Seen seen;
    const RiffWalk w = walk(b, seen);
    EXPECT_EQ(seen.ids, (std::vector<std::string>{"fmt "}));
    EXPECT_EQ(w.end, 36u);
    EXPECT_NE(w.end, b.size());
}

} // namespace
} // namespace pitchscribe::detail

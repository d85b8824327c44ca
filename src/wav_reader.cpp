#include "wav_reader.hpp"

#include "riff_chunks.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace pitchscribe::detail {
namespace {

constexpr std::size_t kBufferFrames = 1 << 16; // per read() call: 256 KB of stereo

// Reads exactly n bytes at offset (pread: the file position stays put), false otherwise.
bool read_at(int fd, std::uint64_t offset, void* dst, std::size_t n) {
    auto* p = static_cast<char*>(dst);
    while (n > 0) {
        const ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        offset += static_cast<std::uint64_t>(r);
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

std::uint16_t le16(const unsigned char* b) {
    return static_cast<std::uint16_t>(b[0] | b[1] << 8);
}

} // namespace

void mix_s16(const std::int16_t* x, int channels, std::size_t frames, float* out) {
    auto value = [](std::int16_t v) { return v / 32768.0f; };
    if (channels == 1) {
        for (std::size_t i = 0; i < frames; ++i)
            out[i] = value(x[i]);
    } else if (channels == 2) { // a float sum of two is exact (17 bits), halving too
        for (std::size_t i = 0; i < frames; ++i)
            out[i] = (value(x[2 * i]) + value(x[2 * i + 1])) * 0.5f;
    } else {
        for (std::size_t i = 0; i < frames; ++i, x += channels) {
            double sum = 0.0;
            for (int c = 0; c < channels; ++c)
                sum += value(x[c]);
            out[i] = static_cast<float>(sum / channels);
        }
    }
}

std::optional<PcmWavReader> PcmWavReader::open(const std::string& path) {
    if constexpr (std::endian::native != std::endian::little) return std::nullopt;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    auto give_up = [fd] {
        ::close(fd);
        return std::nullopt;
    };
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return give_up();
    const auto size = static_cast<std::uint64_t>(st.st_size);
    // Only an unambiguous file: the RIFF size is the file's, its chunks tile it exactly, with
    // one fmt chunk and then one data chunk (FFmpeg reads a second data chunk's samples, and
    // guesses where sizes disagree; such files stay with FFmpeg).
    int rate = 0, channels = 0, fmt_chunks = 0, data_chunks = 0;
    bool pcm16 = false;
    std::uint64_t data_offset = 0, data_length = 0;
    auto within_file = [&](std::uint64_t offset, unsigned char* dst, std::size_t n) {
        return offset + n <= size && read_at(fd, offset, dst, n);
    };
    const RiffWalk walk = walk_riff_chunks(within_file, [&](const RiffChunk& c) {
        if (std::memcmp(c.id, "fmt ", 4) == 0) {
            unsigned char f[16];
            if (++fmt_chunks > 1 || data_chunks > 0 || c.length < 16 ||
                !within_file(c.payload, f, 16))
                return false;
            channels = le16(f + 2);
            const std::uint32_t r = le32(f + 4);
            rate = r >= 1 && r <= 768000 ? static_cast<int>(r) : 0;
            pcm16 = le16(f) == 1 && le16(f + 14) == 16 && channels >= 1 && channels <= 64 &&
                    le16(f + 12) == 2 * channels;
        } else if (std::memcmp(c.id, "data", 4) == 0) {
            if (++data_chunks > 1 || fmt_chunks == 0) return false;
            data_offset = c.payload;
            data_length = c.length;
        }
        return true;
    });
    const std::uint64_t block = 2 * static_cast<std::uint64_t>(channels);
    if (!walk.wave || walk.riff_size + std::uint64_t{8} != size || walk.stopped || walk.too_many ||
        walk.end != size || data_chunks != 1 || !pcm16 || rate == 0 || data_length == 0 ||
        data_length % block != 0 || ::lseek(fd, static_cast<off_t>(data_offset), SEEK_SET) < 0)
        return give_up();
    return PcmWavReader(fd, rate, channels, data_length / block);
}

PcmWavReader::PcmWavReader(int fd, int rate, int channels, std::uint64_t frames)
    : fd_(fd), rate_(rate), channels_(channels), frames_(frames), remaining_(frames),
      buffer_(kBufferFrames * static_cast<std::size_t>(channels)) {}

PcmWavReader::PcmWavReader(PcmWavReader&& other) noexcept
    : fd_(other.fd_), rate_(other.rate_), channels_(other.channels_), frames_(other.frames_),
      remaining_(other.remaining_), buffer_(std::move(other.buffer_)),
      error_(std::move(other.error_)) {
    other.fd_ = -1;
}

PcmWavReader::~PcmWavReader() {
    if (fd_ >= 0) ::close(fd_);
}

Expected<std::size_t> PcmWavReader::read(std::span<float> out, const std::string& name) {
    std::size_t done = 0;
    while (done < out.size() && remaining_ > 0 && !error_) {
        const std::size_t frames =
            std::min({out.size() - done, kBufferFrames, static_cast<std::size_t>(remaining_)});
        auto* bytes = reinterpret_cast<char*>(buffer_.data());
        std::size_t want = frames * 2 * static_cast<std::size_t>(channels_), got = 0;
        while (got < want) {
            const ssize_t r = ::read(fd_, bytes + got, want - got);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0)
                error_ = Error{ErrorKind::Processing,
                               "'" + name + "': read failed: " +
                                   std::error_code(errno, std::generic_category()).message()};
            else if (r == 0)
                error_ = Error{ErrorKind::InputUnreadable,
                               "'" + name + "': truncated: the file shrank while being read"};
            if (error_) break;
            got += static_cast<std::size_t>(r);
        }
        if (error_) break;
        mix_s16(buffer_.data(), channels_, frames, out.data() + done);
        done += frames;
        remaining_ -= frames;
    }
    // Samples read before a failure are delivered first; the error then sticks.
    if (done == 0 && error_) return *error_;
    return done;
}

} // namespace pitchscribe::detail

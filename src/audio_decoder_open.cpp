// Opening an AudioDecoder: a file (checked before FFmpeg; plain 16-bit WAVs go to
// PcmWavReader), stdin or a buffer in memory (read through our own AVIOContext), then the
// audio stream's decoder and the duration the input declares.
#include "audio_decoder_impl.hpp"
#include "pitchscribe/audio_decoder.hpp"
#include "wav_declared_size.hpp"

extern "C" {
#include <libavutil/avutil.h>
}

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace pitchscribe {
namespace {

using detail::av_error_text;
using detail::unreadable;

constexpr int kStdinBuffer = 64 * 1024;
constexpr int kMemoryBuffer = 32 * 1024;
constexpr std::size_t kMaxAllocation = 64u << 20;

void quiet_ffmpeg() {
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        av_log_set_level(AV_LOG_QUIET); // our messages only
        // No audio frame or packet needs this much; without a cap, a WAV whose LIST/INFO
        // chunk claims 2 GB makes FFmpeg 5.1 allocate and zero it before failing (fuzzer).
        av_max_alloc(kMaxAllocation);
    });
}

} // namespace

int AudioDecoder::Impl::read_stdin(void* opaque, std::uint8_t* buf, int size) {
    ssize_t n;
    do {
        n = ::read(0, buf, static_cast<std::size_t>(size));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return AVERROR(errno);
    if (n == 0) return AVERROR_EOF;
    Impl& d = *static_cast<Impl*>(opaque);
    if (d.stdin_bytes < kStdinHeader) {
        const std::size_t k = std::min(kStdinHeader - d.stdin_bytes, std::size_t(n));
        std::copy_n(buf, k, d.stdin_head.begin() + std::ptrdiff_t(d.stdin_bytes));
    }
    d.stdin_bytes += static_cast<std::size_t>(n);
    return static_cast<int>(n);
}

int AudioDecoder::Impl::read_memory(void* opaque, std::uint8_t* buf, int size) {
    Impl& d = *static_cast<Impl*>(opaque);
    const auto total = static_cast<std::int64_t>(d.memory.size());
    if (size <= 0) return 0;
    if (d.memory_pos >= total) return AVERROR_EOF;
    const int n = static_cast<int>(std::min<std::int64_t>(size, total - d.memory_pos));
    std::copy_n(d.memory.data() + d.memory_pos, n, buf);
    d.memory_pos += n;
    return n;
}

std::int64_t AudioDecoder::Impl::seek_memory(void* opaque, std::int64_t offset, int whence) {
    Impl& d = *static_cast<Impl*>(opaque);
    const auto total = static_cast<std::int64_t>(d.memory.size());
    std::int64_t base = 0;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        return total;
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = d.memory_pos;
        break;
    case SEEK_END:
        base = total;
        break;
    default:
        return AVERROR(EINVAL);
    }
    std::int64_t pos = 0;
    if (__builtin_add_overflow(base, offset, &pos) || pos < 0) return AVERROR(EINVAL);
    d.memory_pos = pos; // past the end is allowed, as for a file; reads then see EOF
    return pos;
}

int AudioDecoder::Impl::refuse_io_open(AVFormatContext*, AVIOContext**, const char*, int,
                                       AVDictionary**) {
    return AVERROR(EPERM);
}

Expected<AudioDecoder> AudioDecoder::open(const std::string& path) {
    quiet_ffmpeg();
    const bool is_stdin = path == "-";
    auto d = std::make_unique<Impl>();
    d->name = is_stdin ? "stdin" : path;
    const std::string& name = d->name;

    // Check the file before FFmpeg so the common failures get plain, specific reasons.
    if (!is_stdin) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || ::access(path.c_str(), R_OK) != 0)
            return unreadable(name, std::error_code(errno, std::generic_category()).message());
        if (S_ISDIR(st.st_mode)) return unreadable(name, "is a directory");
        if (S_ISREG(st.st_mode) && st.st_size == 0) return unreadable(name, "empty file");
        if (auto wav = detail::PcmWavReader::open(path)) {
            d->info.sample_rate = wav->sample_rate();
            d->info.channels = wav->channels();
            d->info.codec = "pcm_s16le"; // FFmpeg's name for it
            d->info.duration = static_cast<double>(wav->frames()) / wav->sample_rate();
            d->declared = d->info.duration;
            d->wav.emplace(std::move(*wav));
            return AudioDecoder(std::move(d));
        }
    }

    d->is_stdin = is_stdin;
    d->fmt = avformat_alloc_context();
    if (!d->fmt) return Error{ErrorKind::Processing, "'" + name + "': out of memory"};
    // A playlist (m3u8, ffconcat) may name other files but never a network or device URL.
    d->fmt->protocol_whitelist = av_strdup(is_stdin ? "none" : "file");
    if (!d->fmt->protocol_whitelist)
        return Error{ErrorKind::Processing, "'" + name + "': out of memory"};
    std::function<std::uint64_t()> wav_size;
    if (is_stdin) {
        auto* buf = static_cast<unsigned char*>(av_malloc(kStdinBuffer));
        if (buf)
            d->avio = avio_alloc_context(buf, kStdinBuffer, 0, d.get(), Impl::read_stdin, nullptr,
                                         nullptr);
        if (!d->avio) av_free(buf);
        if (!d->avio) return Error{ErrorKind::Processing, "'stdin': out of memory"};
        d->fmt->pb = d->avio;
        wav_size = [impl = d.get()] {
            const std::size_t n = std::min(impl->stdin_bytes, Impl::kStdinHeader);
            return detail::wav_declared_data_size(
                std::span<const unsigned char>(impl->stdin_head.data(), n));
        };
    } else {
        wav_size = [&path] { return detail::wav_declared_data_size(path); };
    }
    // "file:" keeps FFmpeg from reading a colon in the path as a protocol name.
    const std::string url = is_stdin ? "" : "file:" + path;
    if (auto error = d->open_input(url, is_stdin, wav_size)) return *error;
    return AudioDecoder(std::move(d));
}

Expected<AudioDecoder> AudioDecoder::open_memory(std::span<const unsigned char> bytes,
                                                 const std::string& name) {
    quiet_ffmpeg();
    if (bytes.empty()) return unreadable(name, "empty file");
    auto d = std::make_unique<Impl>();
    d->name = name;
    d->memory = bytes;
    d->fmt = avformat_alloc_context();
    auto* buf = static_cast<unsigned char*>(av_malloc(kMemoryBuffer));
    if (buf)
        d->avio = avio_alloc_context(buf, kMemoryBuffer, 0, d.get(), Impl::read_memory, nullptr,
                                     Impl::seek_memory);
    if (!d->avio) av_free(buf);
    // Nothing else may be opened on the buffer's behalf: not by this context (playlists,
    // references), nor by the ones a demuxer nests (concat), which inherit the whitelist.
    if (d->fmt) d->fmt->protocol_whitelist = av_strdup("none");
    if (!d->fmt || !d->avio || !d->fmt->protocol_whitelist)
        return Error{ErrorKind::Processing, "'" + name + "': out of memory"};
    d->fmt->io_open = Impl::refuse_io_open;
    d->fmt->pb = d->avio; // only now: closing an unopened context would free pb as its own
    // The format is recognised from the content alone: no file name to guess from.
    if (auto error =
            d->open_input("", false, [bytes] { return detail::wav_declared_data_size(bytes); }))
        return *error;
    return AudioDecoder(std::move(d));
}

std::optional<Error>
AudioDecoder::Impl::open_input(const std::string& url, bool is_stdin,
                               const std::function<std::uint64_t()>& wav_size) {
    int r = avformat_open_input(&fmt, url.c_str(), nullptr, nullptr);
    if (r >= 0) r = avformat_find_stream_info(fmt, nullptr);
    if (r < 0 && is_stdin && stdin_bytes == 0) return unreadable(name, "empty file");
    if (r < 0) return unreadable(name, "not an audio file (" + av_error_text(r) + ")");
    stream = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (stream < 0) return unreadable(name, "not an audio file (no audio stream)");

    const AVStream* s = fmt->streams[stream];
    const AVCodecParameters* par = s->codecpar;
    if (par->codec_id != AV_CODEC_ID_NONE) {
        info.codec = avcodec_get_name(par->codec_id);
    } else { // FFmpeg's name would be "none"; the container's tag says more
        char tag[32];
        std::snprintf(tag, sizeof tag, "tag 0x%04x", par->codec_tag);
        info.codec = tag;
    }
    info.sample_rate = par->sample_rate;
    info.channels = par->ch_layout.nb_channels;
    if (info.sample_rate < 1 || info.sample_rate > 768000)
        return unreadable(name, "unsupported audio (sample rate " +
                                    std::to_string(info.sample_rate) + " Hz)");
    if (info.channels < 1) return unreadable(name, "unsupported audio (0 channels)");

    const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
    if (decoder) codec = avcodec_alloc_context3(decoder);
    if (!codec || avcodec_parameters_to_context(codec, par) < 0)
        return unreadable(name, "unsupported codec '" + info.codec + "'");
    codec->pkt_timebase = s->time_base;
    if (avcodec_open2(codec, decoder, nullptr) < 0)
        return unreadable(name, "unsupported codec '" + info.codec + "'");

    if (s->duration != AV_NOPTS_VALUE && s->duration > 0)
        info.duration = double(s->duration) * av_q2d(s->time_base);
    else if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
        info.duration = double(fmt->duration) / AV_TIME_BASE;
    // A bitrate estimate is a guess (VBR, truncation), so it never makes a file "truncated".
    if (fmt->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE) declared = info.duration;
    const int bits = av_get_exact_bits_per_sample(par->codec_id);
    if (wav_size && std::string(fmt->iformat->name) == "wav" && bits > 0) {
        if (const std::uint64_t bytes = wav_size()) {
            info.duration =
                double(bytes * 8 / (std::uint64_t(bits) * info.channels)) / info.sample_rate;
            declared = info.duration;
        }
    }

    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (!pkt || !frame) return Error{ErrorKind::Processing, "'" + name + "': out of memory"};
    return std::nullopt;
}

} // namespace pitchscribe

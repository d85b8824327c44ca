// FFmpeg-backed streaming decoder: demuxes and decodes on demand inside read(), converts each
// frame to mono float itself (no libswresample) and never buffers more than one frame.
#include "pitchscribe/audio_decoder.hpp"

#include "frame_mix.hpp"
#include "riff_chunks.hpp"
#include "wav_reader.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
}

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <system_error>
#include <type_traits>
#include <unistd.h>
#include <vector>

namespace pitchscribe {
namespace {

// A demuxer or decoder stuck on the same bad data must not spin forever.
constexpr int kMaxConsecutiveErrors = 100;
constexpr int kStdinBuffer = 64 * 1024;
constexpr int kMemoryBuffer = 32 * 1024;
constexpr std::size_t kMaxAllocation = 64u << 20;
constexpr std::size_t kStdinHeader = 4096; // kept to read a WAV's declared size from a pipe

std::string av_error_text(int code) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

void quiet_ffmpeg() {
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        av_log_set_level(AV_LOG_QUIET); // our messages only
        // No audio frame or packet needs this much; without a cap, a WAV whose LIST/INFO
        // chunk claims 2 GB makes FFmpeg 5.1 allocate and zero it before failing (fuzzer).
        av_max_alloc(kMaxAllocation);
    });
}

Error unreadable(const std::string& name, const std::string& reason) {
    return Error{ErrorKind::InputUnreadable, "'" + name + "': " + reason};
}

// FFmpeg drops a WAV's declared data size when the file is shorter than it (and then estimates
// the duration from the bitrate, i.e. the truncated length), so read the RIFF header ourselves.
// `read_at(offset, dst, n)` fills dst with the n bytes at offset, false past the end.
// Returns the data chunk's size in bytes, 0 when absent or a streaming placeholder.
template <typename ReadAt> std::uint64_t wav_declared_data_size(ReadAt read_at) {
    std::uint64_t declared = 0;
    detail::walk_riff_chunks(read_at, [&](const detail::RiffChunk& c) {
        if (std::memcmp(c.id, "data", 4) != 0) return true;
        declared = c.length >= 0x7fff0000u ? 0 : c.length; // pipes write 0xffffffff and the like
        return false;
    });
    return declared;
}

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

} // namespace

struct AudioDecoder::Impl {
    std::string name; // as shown in messages
    AudioInfo info;
    double declared = 0.0; // duration the container promises; 0 if unknown or only estimated
    AVFormatContext* fmt = nullptr;
    AVIOContext* avio = nullptr; // our own reader of fd 0 or of `memory`
    std::size_t stdin_bytes = 0; // read from fd 0, to tell an empty pipe apart
    std::array<unsigned char, kStdinHeader> stdin_head{}; // the first bytes of fd 0
    bool is_stdin = false;
    bool ended_early = false;              // a pipe closed before the declared length (a warning)
    std::span<const unsigned char> memory; // open_memory's buffer, owned by the caller
    std::int64_t memory_pos = 0;           // may be past the end after a seek
    AVCodecContext* codec = nullptr;
    AVPacket* pkt = nullptr;
    AVFrame* frame = nullptr;
    int stream = -1;
    bool pkt_pending = false; // pkt holds data the decoder refused with EAGAIN
    bool draining = false;    // NULL packet sent
    bool finished = false;
    std::optional<Error> final_error;
    std::optional<detail::PcmWavReader> wav; // a plain 16-bit WAV, read without FFmpeg
    std::vector<float> pending; // mono samples of the last frame; capacity = largest frame
    std::size_t pending_pos = 0;
    std::size_t delivered = 0, non_finite = 0, frames_decoded = 0, bad_data = 0;
    double decoded_seconds = 0.0;

    ~Impl() {
        av_frame_free(&frame);
        av_packet_free(&pkt);
        avcodec_free_context(&codec);
        avformat_close_input(&fmt); // leaves a custom AVIOContext to us
        if (avio) av_freep(&avio->buffer);
        avio_context_free(&avio);
    }

    static int read_stdin(void* opaque, std::uint8_t* buf, int size) {
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

    static int read_memory(void* opaque, std::uint8_t* buf, int size) {
        Impl& d = *static_cast<Impl*>(opaque);
        const auto total = static_cast<std::int64_t>(d.memory.size());
        if (size <= 0) return 0;
        if (d.memory_pos >= total) return AVERROR_EOF;
        const int n = static_cast<int>(std::min<std::int64_t>(size, total - d.memory_pos));
        std::copy_n(d.memory.data() + d.memory_pos, n, buf);
        d.memory_pos += n;
        return n;
    }

    static std::int64_t seek_memory(void* opaque, std::int64_t offset, int whence) {
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

    // A buffer in memory must not make FFmpeg open anything else (playlists, references).
    static int refuse_io_open(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
        return AVERROR(EPERM);
    }

    // Opens the input (`url`, or the custom `avio` already set on `fmt`) and prepares the
    // decoder. `wav_size` reads a WAV's declared data size, when the source allows it.
    std::optional<Error> open_input(const std::string& url, bool is_stdin,
                                    const std::function<std::uint64_t()>& wav_size);

    void fail(const std::string& reason) {
        finished = true;
        final_error = Error{ErrorKind::Processing, "'" + name + "': decoding failed: " + reason};
    }

    void finish() {
        finished = true;
        const double tolerance = std::max(0.1, 0.02 * declared);
        if (frames_decoded == 0 && bad_data > 0) {
            final_error =
                unreadable(name, "not an audio file (" + av_error_text(AVERROR_INVALIDDATA) + ")");
        } else if (declared > 0 && decoded_seconds < declared - tolerance && is_stdin) {
            ended_early = true; // a pipe cannot be "truncated": keep what came, warn
        } else if (declared > 0 && decoded_seconds < declared - tolerance) {
            char reason[96];
            std::snprintf(reason, sizeof reason, "truncated: decoded %.2f s of %.2f s declared",
                          decoded_seconds, declared);
            final_error = unreadable(name, reason);
        }
    }

    // Decodes until one frame lands in `pending`, or the stream ends (finished set).
    void refill() {
        int errors = 0;
        while (true) {
            int r = avcodec_receive_frame(codec, frame);
            if (r == 0) {
                if (frame->nb_samples <= 0) continue;
                pending.resize(static_cast<std::size_t>(frame->nb_samples));
                pending_pos = 0;
                const bool ok = frame->ch_layout.nb_channels > 0 &&
                                detail::mix_to_mono(frame, pending.data(), non_finite);
                const int rate = frame->sample_rate > 0 ? frame->sample_rate : info.sample_rate;
                decoded_seconds += double(frame->nb_samples) / rate;
                ++frames_decoded;
                av_frame_unref(frame);
                if (!ok) {
                    pending.clear();
                    fail("unsupported sample format");
                }
                return;
            }
            if (r == AVERROR_EOF) return finish();
            if (r != AVERROR(EAGAIN)) {
                if (r == AVERROR_INVALIDDATA && ++errors < kMaxConsecutiveErrors) {
                    ++bad_data;
                    continue;
                }
                return r == AVERROR_INVALIDDATA ? finish() : fail(av_error_text(r));
            }
            if (draining) return finish(); // EAGAIN after flushing: nothing more will come
            if (!pkt_pending) {
                r = av_read_frame(fmt, pkt);
                if (r == AVERROR_EOF) {
                    avcodec_send_packet(codec, nullptr);
                    draining = true;
                    continue;
                }
                if (r < 0) {
                    // Skip damaged packets; a demuxer stuck on them ends the stream instead.
                    if (r == AVERROR_INVALIDDATA && ++errors < kMaxConsecutiveErrors) {
                        ++bad_data;
                        continue;
                    }
                    return r == AVERROR_INVALIDDATA ? finish() : fail(av_error_text(r));
                }
                if (pkt->stream_index != stream) {
                    av_packet_unref(pkt);
                    continue;
                }
                pkt_pending = true;
            }
            r = avcodec_send_packet(codec, pkt);
            if (r == AVERROR(EAGAIN)) continue; // keep the packet; receive frames first
            av_packet_unref(pkt);
            pkt_pending = false;
            if (r == AVERROR_INVALIDDATA && ++errors < kMaxConsecutiveErrors) {
                ++bad_data;
            } else if (r < 0) {
                return r == AVERROR_INVALIDDATA ? finish() : fail(av_error_text(r));
            }
        }
    }
};

AudioDecoder::AudioDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AudioDecoder::AudioDecoder(AudioDecoder&&) noexcept = default;
AudioDecoder& AudioDecoder::operator=(AudioDecoder&&) noexcept = default;
AudioDecoder::~AudioDecoder() = default;

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
            const std::size_t n = std::min(impl->stdin_bytes, kStdinHeader);
            return wav_declared_data_size(
                std::span<const unsigned char>(impl->stdin_head.data(), n));
        };
    } else {
        wav_size = [&path] { return wav_declared_data_size(path); };
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
    if (auto error = d->open_input("", false, [bytes] { return wav_declared_data_size(bytes); }))
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

const AudioInfo& AudioDecoder::info() const {
    static const AudioInfo none;
    return impl_ ? impl_->info : none;
}

Expected<std::size_t> AudioDecoder::read(std::span<float> out) {
    if (!impl_) return Error{ErrorKind::Processing, "read from a moved-from AudioDecoder"};
    Impl& d = *impl_;
    if (d.wav) {
        auto n = d.wav->read(out, d.name);
        if (!n) return n.error();
        d.delivered += *n;
        d.decoded_seconds += static_cast<double>(*n) / d.info.sample_rate;
        return *n;
    }
    std::size_t n = 0;
    while (n < out.size()) {
        if (d.pending_pos < d.pending.size()) {
            const std::size_t k = std::min(out.size() - n, d.pending.size() - d.pending_pos);
            std::copy_n(d.pending.begin() + std::ptrdiff_t(d.pending_pos), k, out.begin() + n);
            d.pending_pos += k;
            n += k;
        } else if (d.finished) {
            break;
        } else {
            d.refill();
        }
    }
    d.delivered += n;
    // Samples decoded before a failure are delivered first; the error then sticks.
    if (n == 0 && d.final_error) return *d.final_error;
    return n;
}

std::size_t AudioDecoder::samples_read() const {
    return impl_ ? impl_->delivered : 0;
}
std::size_t AudioDecoder::non_finite_samples() const {
    return impl_ ? impl_->non_finite : 0;
}
double AudioDecoder::seconds_decoded() const {
    return impl_ ? impl_->decoded_seconds : 0.0;
}
bool AudioDecoder::ended_early() const {
    return impl_ && impl_->ended_early;
}

} // namespace pitchscribe

// FFmpeg-backed streaming decoder: demuxes and decodes on demand inside read(), converts each
// frame to mono float itself (no libswresample) and never buffers more than one frame.
// Opening the input is in audio_decoder_open.cpp; the state both share in audio_decoder_impl.hpp.
#include "pitchscribe/audio_decoder.hpp"

#include "audio_decoder_impl.hpp"
#include "frame_mix.hpp"

extern "C" {
#include <libavutil/avutil.h>
}

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace pitchscribe {
namespace detail {

std::string av_error_text(int code) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

Error unreadable(const std::string& name, const std::string& reason) {
    return Error{ErrorKind::InputUnreadable, "'" + name + "': " + reason};
}

} // namespace detail

namespace {

using detail::av_error_text;
using detail::unreadable;

// A demuxer or decoder stuck on the same bad data must not spin forever.
constexpr int kMaxConsecutiveErrors = 100;

} // namespace

void AudioDecoder::Impl::fail(const std::string& reason) {
    finished = true;
    final_error = Error{ErrorKind::Processing, "'" + name + "': decoding failed: " + reason};
}

void AudioDecoder::Impl::finish() {
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

void AudioDecoder::Impl::refill() {
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

AudioDecoder::AudioDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AudioDecoder::AudioDecoder(AudioDecoder&&) noexcept = default;
AudioDecoder& AudioDecoder::operator=(AudioDecoder&&) noexcept = default;
AudioDecoder::~AudioDecoder() = default;

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

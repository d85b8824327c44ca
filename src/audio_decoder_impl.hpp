// Internal: the state behind an AudioDecoder, shared by its opening (audio_decoder_open.cpp)
// and its decoding (audio_decoder.cpp).
#pragma once

#include "pitchscribe/audio_decoder.hpp"
#include "wav_reader.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pitchscribe {
namespace detail {

// FFmpeg's message for an error code, for the reasons in our messages.
std::string av_error_text(int code);
// An InputUnreadable error: "'name': reason".
Error unreadable(const std::string& name, const std::string& reason);

} // namespace detail

struct AudioDecoder::Impl {
    // The first bytes of fd 0 are kept to read a WAV's declared size from a pipe.
    static constexpr std::size_t kStdinHeader = 4096;

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

    // FFmpeg's I/O callbacks for fd 0 and for `memory` (opaque = this Impl).
    static int read_stdin(void* opaque, std::uint8_t* buf, int size);
    static int read_memory(void* opaque, std::uint8_t* buf, int size);
    static std::int64_t seek_memory(void* opaque, std::int64_t offset, int whence);
    // A buffer in memory must not make FFmpeg open anything else (playlists, references).
    static int refuse_io_open(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**);

    // Opens the input (`url`, or the custom `avio` already set on `fmt`) and prepares the
    // decoder. `wav_size` reads a WAV's declared data size, when the source allows it.
    std::optional<Error> open_input(const std::string& url, bool is_stdin,
                                    const std::function<std::uint64_t()>& wav_size);

    void fail(const std::string& reason);
    // The stream ended: an error if nothing but bad data came, or less than was declared.
    void finish();
    // Decodes until one frame lands in `pending`, or the stream ends (finished set).
    void refill();
};

} // namespace pitchscribe

// FFmpeg's decoded frames to mono floats, without libswresample.
#include "frame_mix.hpp"

#include "wav_reader.hpp"

extern "C" {
#include <libavutil/samplefmt.h>
}

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace pitchscribe::detail {
namespace {

// Mixes one frame to mono; integer formats are scaled to [-1, 1]. The layout and the
// finiteness check (floating formats only) are decided once per frame, not per sample.
template <typename T, typename Convert>
void mix_frame(const AVFrame* f, Convert convert, float* out, std::size_t& non_finite) {
    const int channels = f->ch_layout.nb_channels;
    const int n = f->nb_samples;
    auto value = [&](T raw) {
        float v = convert(raw);
        if constexpr (std::is_floating_point_v<T>) {
            if (!std::isfinite(v)) {
                v = 0.0f;
                ++non_finite;
            }
        }
        return v;
    };
    const auto plane = [&](int c) { return reinterpret_cast<const T*>(f->extended_data[c]); };
    if (channels == 1) {
        const T* x = plane(0);
        for (int i = 0; i < n; ++i)
            out[i] = value(x[i]);
        return;
    }
    // double: averaging large finite floats must not overflow
    if (av_sample_fmt_is_planar(static_cast<AVSampleFormat>(f->format))) {
        for (int i = 0; i < n; ++i) {
            double sum = 0.0;
            for (int c = 0; c < channels; ++c)
                sum += value(plane(c)[i]);
            out[i] = static_cast<float>(sum / channels);
        }
        return;
    }
    const T* x = plane(0);
    if constexpr (std::is_same_v<T, std::int16_t>) {
        mix_s16(x, channels, static_cast<std::size_t>(n), out); // as PcmWavReader
        return;
    }
    for (int i = 0; i < n; ++i, x += channels) {
        double sum = 0.0;
        for (int c = 0; c < channels; ++c)
            sum += value(x[c]);
        out[i] = static_cast<float>(sum / channels);
    }
}

} // namespace

bool mix_to_mono(const AVFrame* f, float* out, std::size_t& nf) {
    switch (av_get_packed_sample_fmt(static_cast<AVSampleFormat>(f->format))) {
    case AV_SAMPLE_FMT_U8:
        mix_frame<std::uint8_t>(
            f, [](std::uint8_t v) { return (v - 128) / 128.0f; }, out, nf);
        return true;
    case AV_SAMPLE_FMT_S16:
        mix_frame<std::int16_t>(
            f, [](std::int16_t v) { return v / 32768.0f; }, out, nf);
        return true;
    case AV_SAMPLE_FMT_S32:
        mix_frame<std::int32_t>(
            f, [](std::int32_t v) { return float(v / 2147483648.0); }, out, nf);
        return true;
    case AV_SAMPLE_FMT_S64:
        mix_frame<std::int64_t>(
            f, [](std::int64_t v) { return float(v / 9223372036854775808.0); }, out, nf);
        return true;
    case AV_SAMPLE_FMT_FLT:
        mix_frame<float>(
            f, [](float v) { return v; }, out, nf);
        return true;
    case AV_SAMPLE_FMT_DBL:
        mix_frame<double>(
            f, [](double v) { return float(v); }, out, nf);
        return true;
    default:
        return false;
    }
}

} // namespace pitchscribe::detail

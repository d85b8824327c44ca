// Internal: FFmpeg's decoded frames to mono floats (the decoder's only sample conversion).
#pragma once

#include <cstddef>

extern "C" {
#include <libavutil/frame.h>
}

namespace pitchscribe::detail {

// Mixes frame f (any channel count, packed or planar; u8, s16, s32, s64, float or double) to
// f->nb_samples mono floats in out, integers scaled to [-1, 1], channels averaged. Samples
// that are not finite become 0 and are counted in non_finite. False for any other format.
bool mix_to_mono(const AVFrame* f, float* out, std::size_t& non_finite);

} // namespace pitchscribe::detail

#include "glide_check.hpp"

#include "change_point.hpp" // InputHistory

#include <algorithm>
#include <cmath>
#include <numbers>

namespace pitchscribe::detail {

namespace {

// A harmonic is read where the window resolves it from both notes' same harmonic: a Hann
// window's main lobe reaches 2 / T either side of a frequency.
constexpr double kLobes = 2.0;
// Harmonics above this add little that the lower ones do not say (and a bright sample's
// noise); the fundamental of a high note alone may be read.
constexpr double kTopHz = 3000.0;
// A glide spreads the harmonics' energy around the pitch read (0.8-2.7 times the notes' along
// a synthetic sung glide); a crossfade leaves a valley there (0.001-0.46 on FluidR3's
// corpus melodies, where the notes' harmonics are resolved). Any ratio from 0.5 to 1.2 gave
// the same frames on both.
constexpr double kGlideRatio = 0.5;

} // namespace

GlideCheck::GlideCheck(const InputHistory& input, double input_rate, double window_seconds)
    : input_(input), rate_(input_rate),
      window_(static_cast<std::size_t>(std::max(16.0, std::round(window_seconds * input_rate)))),
      frame_(window_.size()) {
    const double n = double(window_.size());
    for (std::size_t i = 0; i < window_.size(); ++i)
        window_[i] =
            static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * (i + 0.5) / n));
}

// |DFT| of the windowed frame at `frequency` (Hz): Goertzel's recurrence.
double GlideCheck::magnitude(double frequency) const {
    const double w = 2.0 * std::numbers::pi * frequency / rate_;
    const double c = 2.0 * std::cos(w);
    double s1 = 0.0, s2 = 0.0;
    for (const float x : frame_) {
        const double s0 = x + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return std::sqrt(std::max(0.0, s1 * s1 + s2 * s2 - c * s1 * s2));
}

std::optional<bool> GlideCheck::glides(double time, double from, double between, double to) {
    if (input_.capacity() == 0 || !(from > 0.0 && between > 0.0 && to > 0.0)) return std::nullopt;
    const auto first = static_cast<std::int64_t>(std::llround(time * rate_)) -
                       static_cast<std::int64_t>(frame_.size() / 2);
    input_.copy(first, frame_.size(), frame_.data());
    for (std::size_t i = 0; i < frame_.size(); ++i)
        frame_[i] *= window_[i];
    const double resolve = kLobes * rate_ / double(frame_.size()); // Hz
    // The distance from x to the nearest harmonic of f.
    const auto off_harmonics = [](double x, double f) {
        return std::abs(x - std::max(1.0, std::round(x / f)) * f);
    };
    const double top = std::min(kTopHz, 0.45 * rate_) / std::max({from, between, to});
    double at_pitch = 0.0, at_notes = 0.0;
    for (int k = 1; k <= int(top); ++k) {
        // Resolved from the harmonics of both notes, not only their k-th (the pitch between a
        // note and its octave and a half is half the higher one: its 2nd harmonic is that note).
        const double x = k * between;
        if (std::min(off_harmonics(x, from), off_harmonics(x, to)) < resolve) continue;
        at_pitch += magnitude(x);
        at_notes += std::max(magnitude(k * from), magnitude(k * to));
    }
    if (!(at_notes > 0.0)) return std::nullopt;
    return at_pitch >= kGlideRatio * at_notes;
}

} // namespace pitchscribe::detail

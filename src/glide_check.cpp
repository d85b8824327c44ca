#include "glide_check.hpp"

#include "change_point.hpp" // InputHistory

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace pitchscribe::detail {

namespace {

// The harmonic of f (Hz) nearest x, and the distance from x to it.
double nearest_harmonic(double x, double f) {
    return std::max(1.0, std::round(x / f)) * f;
}
double off_harmonics(double x, double f) {
    return std::abs(x - nearest_harmonic(x, f));
}

// A harmonic is read where the window resolves it from both notes' same harmonic: a Hann
// window's main lobe reaches 2 / T either side of a frequency.
constexpr double kLobes = 2.0;
// Harmonics above this add little that the lower ones do not say (and a bright sample's
// noise); the fundamental of a high note alone may be read.
constexpr double kTopHz = 3000.0;
constexpr std::size_t kMostHarmonics = 80; // up to kTopHz from under 40 Hz
// A glide spreads the harmonics' energy around the pitch read (0.8-2.7 times the notes' along
// a synthetic sung glide); a crossfade leaves a valley there (0.001-0.46 on FluidR3's
// corpus melodies, where the notes' harmonics are resolved). Any ratio from 0.5 to 1.2 gave
// the same frames on both.
constexpr double kGlideRatio = 0.5;

} // namespace

GlideCheck::GlideCheck(const InputHistory& input, double input_rate, double window_seconds)
    : input_(input), rate_(input_rate),
      window_(static_cast<std::size_t>(std::max(16.0, std::round(window_seconds * input_rate)))),
      frame_(window_.size()), resolve_(kLobes * input_rate / double(window_.size())) {
    const double n = double(window_.size());
    for (std::size_t i = 0; i < window_.size(); ++i)
        window_[i] =
            static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * (i + 0.5) / n));
}

// |DFT| of the windowed frame at each of `n` frequencies (Hz): Goertzel's recurrence, kLanes
// at a time in one pass over the frame (independent recurrences keep the FPU busy).
void GlideCheck::magnitudes(const double* frequencies, double* out, std::size_t n) const {
    for (std::size_t first = 0; first < n; first += kLanes) {
        const std::size_t lanes = std::min(kLanes, n - first);
        double c[kLanes] = {}, s1[kLanes] = {}, s2[kLanes] = {};
        for (std::size_t j = 0; j < lanes; ++j)
            c[j] = 2.0 * std::cos(2.0 * std::numbers::pi * frequencies[first + j] / rate_);
        for (const float x : frame_) {
            for (std::size_t j = 0; j < kLanes; ++j) {
                const double s0 = x + c[j] * s1[j] - s2[j];
                s2[j] = s1[j];
                s1[j] = s0;
            }
        }
        for (std::size_t j = 0; j < lanes; ++j)
            out[first + j] =
                std::sqrt(std::max(0.0, s1[j] * s1[j] + s2[j] * s2[j] - c[j] * s1[j] * s2[j]));
    }
}

// The frame centred at `time`, windowed; false when no input is held.
bool GlideCheck::load(double time) {
    if (input_.capacity() == 0) return false;
    const auto first = static_cast<std::int64_t>(std::llround(time * rate_)) -
                       static_cast<std::int64_t>(frame_.size() / 2);
    input_.copy(first, frame_.size(), frame_.data());
    for (std::size_t i = 0; i < frame_.size(); ++i)
        frame_[i] *= window_[i];
    return true;
}

std::optional<bool> GlideCheck::glides(double time, double from, double between, double to) {
    if (!(from > 0.0 && between > 0.0 && to > 0.0) || !load(time)) return std::nullopt;
    const double top = std::min(kTopHz, 0.45 * rate_) / std::max({from, between, to});
    // Per harmonic read: the pitch's, then both notes'.
    std::array<double, 3 * kMostHarmonics> at{}, heard{};
    std::size_t n = 0;
    for (int k = 1; k <= int(top) && n < at.size(); ++k) {
        // Resolved from the harmonics of both notes, not only their k-th (the pitch between a
        // note and its octave and a half is half the higher one: its 2nd harmonic is that note).
        const double x = k * between;
        if (std::min(off_harmonics(x, from), off_harmonics(x, to)) < resolve_) continue;
        at[n++] = x;
        at[n++] = k * from;
        at[n++] = k * to;
    }
    magnitudes(at.data(), heard.data(), n);
    double at_pitch = 0.0, at_notes = 0.0;
    for (std::size_t i = 0; i < n; i += 3) {
        at_pitch += heard[i];
        at_notes += std::max(heard[i + 1], heard[i + 2]);
    }
    if (!(at_notes > 0.0)) return std::nullopt;
    return at_pitch >= kGlideRatio * at_notes;
}

// Each harmonic of `note` the window resolves from other's harmonics, against other's
// harmonic nearest it.
std::optional<GlideCheck::Between> GlideCheck::harmonics_between(double time, double note,
                                                                 double other) {
    if (!(note > 0.0 && other > 0.0) || !load(time)) return std::nullopt;
    const double top = std::min(kTopHz, 0.45 * rate_);
    // Per harmonic read: note's, then other's nearest it.
    std::array<double, 2 * kMostHarmonics> at{}, heard{};
    std::size_t n = 0;
    for (double x = note; x <= top && n < at.size(); x += note) {
        if (off_harmonics(x, other) < resolve_) continue;
        at[n++] = x;
        at[n++] = nearest_harmonic(x, other);
    }
    magnitudes(at.data(), heard.data(), n);
    Between sums;
    for (std::size_t i = 0; i < n; i += 2) {
        sums.note += heard[i];
        sums.other += heard[i + 1];
    }
    if (!(sums.other > 0.0)) return std::nullopt;
    return sums;
}

} // namespace pitchscribe::detail

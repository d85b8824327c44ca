// Where a note's level began to fall before a change of pitch. Internal to the library.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace pitchscribe::detail {

struct LevelFall {
    std::size_t start = 0; // sample where the fall begins
    double drop_db = 0.0;  // how far the fitted level falls from there to the end (< 0)
};

// The signal's level in dB at `bins` points `bin` samples apart, the last at `end` (each the
// mean square of the `window` samples before the point), fitted as a level and then a straight
// fall to the end: the fall's first point. None when the best fit does not fall, or the
// stretch is too short. `levels` holds at least `bins` values; end >= window + (bins - 1) bin.
std::optional<LevelFall> level_fall(std::span<const float> signal, std::size_t end,
                                    std::size_t bins, std::size_t bin, std::size_t window,
                                    std::span<double> levels);

// Where the note before a change of pitch at sample `change` of `signal` was released, if it
// was: a note released where the next begins (a flute's legato in FluidR3, a slur played as
// two notes) falls in level before the new one is loud enough to show in the old period's
// error, and the new note began where the fall did. That is a fall (level_fall over up to
// 0.1 s, each level over a period of `period` samples and at least 5 ms) beginning at most
// 60 ms before the change, of at least 3 dB and 150 dB per second. `levels`: as level_fall.
std::optional<std::size_t> release_before(std::span<const float> signal, std::size_t change,
                                          double rate, double period, std::span<double> levels);

} // namespace pitchscribe::detail

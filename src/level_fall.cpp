#include "level_fall.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pitchscribe::detail {

namespace {
constexpr std::size_t kLevelPoints = 4; // the level before the fall spans at least this many
constexpr std::size_t kFallPoints = 3;  // and the fall at least this many
// release_before: levels 2.5 ms apart over up to 0.1 s, each over a period and at least 5 ms.
// A release that the old period's error does not show within 60 ms (FluidR3's flute: 17-48
// ms) is not this; 3 dB at 150 dB/s leaves out the slower swells of a vibrato or bow (on the
// clean melodies, 120 dB/s also moved violin and piccolo changes that began later).
constexpr double kBinSeconds = 0.0025;
constexpr double kSearchSeconds = 0.1;
constexpr double kWindowSeconds = 0.005;
constexpr double kLatestSeconds = 0.06;
constexpr double kLeastDb = 3.0;
constexpr double kLeastDbPerSecond = 150.0;
} // namespace

std::optional<LevelFall> level_fall(std::span<const float> signal, std::size_t end,
                                    std::size_t bins, std::size_t bin, std::size_t window,
                                    std::span<double> levels) {
    if (bins < kLevelPoints + kFallPoints || levels.size() < bins || window == 0 ||
        end > signal.size() || end < window + (bins - 1) * bin)
        return std::nullopt;
    const std::size_t first = end - (bins - 1) * bin;
    // The window's energy slides from point to point: each step adds the `bin` samples it
    // enters and drops those it leaves.
    const auto square = [&](std::size_t k) { return double(signal[k]) * signal[k]; };
    double power = 0.0, peak = 0.0;
    for (std::size_t k = first - window; k < first; ++k)
        power += square(k);
    for (std::size_t i = 0; i < bins; ++i) {
        if (i > 0) {
            const std::size_t at = first + i * bin;
            for (std::size_t k = at - bin; k < at; ++k)
                power += square(k) - square(k - window);
        }
        levels[i] = std::max(power, 0.0) / double(window);
        peak = std::max(peak, levels[i]);
    }
    const double floor = 1e-12 * peak + 1e-30;
    for (std::size_t i = 0; i < bins; ++i)
        levels[i] = 10.0 * std::log10(levels[i] + floor);
    // Level a over points [0, t), then a + slope (i - t) from t on: least squares, per t.
    double best = std::numeric_limits<double>::infinity();
    LevelFall fall;
    double before_sum = 0.0, before_square = 0.0;
    for (std::size_t t = 0; t + kFallPoints <= bins; ++t) {
        if (t >= kLevelPoints) {
            const double a = before_sum / double(t);
            double uy = 0.0, uu = 0.0;
            for (std::size_t i = t; i < bins; ++i) {
                const double u = double(i - t);
                uy += u * (levels[i] - a);
                uu += u * u;
            }
            const double slope = uy / uu;
            if (slope < 0.0) {
                double cost = before_square - before_sum * a;
                for (std::size_t i = t; i < bins; ++i) {
                    const double r = levels[i] - a - slope * double(i - t);
                    cost += r * r;
                }
                if (cost < best) {
                    best = cost;
                    fall = {first + t * bin, slope * double(bins - 1 - t)};
                }
            }
        }
        before_sum += levels[t];
        before_square += levels[t] * levels[t];
    }
    if (!std::isfinite(best)) return std::nullopt;
    return fall;
}

std::optional<std::size_t> release_before(std::span<const float> signal, std::size_t change,
                                          double rate, double period, std::span<double> levels) {
    const auto bin = static_cast<std::size_t>(std::lround(kBinSeconds * rate));
    const auto window = std::max(static_cast<std::size_t>(std::ceil(period)),
                                 static_cast<std::size_t>(kWindowSeconds * rate));
    if (bin == 0 || change < window || change > signal.size()) return std::nullopt;
    // As far back as the signal reaches, up to the search span.
    const std::size_t bins = std::min(static_cast<std::size_t>(kSearchSeconds * rate) / bin,
                                      (change - window) / bin + 1);
    const auto fall = level_fall(signal, change, bins, bin, window, levels);
    if (!fall) return std::nullopt;
    const double seconds = double(change - fall->start) / rate;
    if (seconds > kLatestSeconds || fall->start >= change || fall->drop_db > -kLeastDb ||
        -fall->drop_db < kLeastDbPerSecond * seconds)
        return std::nullopt;
    return fall->start;
}

} // namespace pitchscribe::detail

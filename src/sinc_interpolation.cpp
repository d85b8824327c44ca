#include "sinc_interpolation.hpp"

#include <array>
#include <cmath>
#include <numbers>

namespace pitchscribe::detail {

namespace {

double sinc(double x) {
    return std::abs(x) < 1e-12 ? 1.0 : std::sin(std::numbers::pi * x) / (std::numbers::pi * x);
}

} // namespace

SincInterpolator::SincInterpolator() : weights_((kSteps + 1) * 2 * kTaps) {
    for (int step = 0; step <= kSteps; ++step) {
        const double t = static_cast<double>(step) / kSteps;
        std::array<double, 2 * kTaps> row{};
        double sum = 0.0;
        for (int j = -kTaps + 1; j <= kTaps; ++j) {
            const double d = t - j;
            row[static_cast<std::size_t>(j + kTaps - 1)] = sinc(d) * sinc(d / kTaps);
            sum += row[static_cast<std::size_t>(j + kTaps - 1)];
        }
        for (std::size_t k = 0; k < row.size(); ++k)
            weights_[static_cast<std::size_t>(step) * 2 * kTaps + k] =
                static_cast<float>(row[k] / sum);
    }
}

std::optional<double> SincInterpolator::at(const float* samples, std::size_t count,
                                           double x) const {
    if (!(x >= kTaps - 1)) return std::nullopt;
    const double whole = std::floor(x);
    const auto i = static_cast<std::size_t>(whole);
    if (i + kTaps >= count) return std::nullopt;
    const auto step = static_cast<std::size_t>(std::lround((x - whole) * kSteps));
    const float* row = &weights_[step * 2 * kTaps];
    const float* first = samples + (i - (kTaps - 1));
    // Four running sums, so that the compiler can do the taps four at a time.
    std::array<float, 4> sums{};
    for (std::size_t k = 0; k < 2 * kTaps; k += 4)
        for (std::size_t lane = 0; lane < 4; ++lane)
            sums[lane] += row[k + lane] * first[k + lane];
    return static_cast<double>((sums[0] + sums[1]) + (sums[2] + sums[3]));
}

} // namespace pitchscribe::detail

#include "sinc_interpolation.hpp"

#include "float8.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

namespace pitchscribe::detail {

double sinc(double x) {
    return x == 0.0 ? 1.0 : std::sin(std::numbers::pi * x) / (std::numbers::pi * x);
}

SincInterpolator::SincInterpolator() : weights_((kSteps + 1) * 2 * kTaps) {
    for (int step = 0; step <= kSteps; ++step) {
        const double t = static_cast<double>(step) / kSteps;
        std::array<double, 2 * kTaps> row{};
        double sum = 0.0;
        for (int j = -kTaps + 1; j <= kTaps; ++j) {
            const double d = t - j;
            double& weight = row[static_cast<std::size_t>(j + kTaps - 1)];
            weight = sinc(d) * sinc(d / kTaps);
            sum += weight;
        }
        for (std::size_t k = 0; k < row.size(); ++k)
            weights_[static_cast<std::size_t>(step) * 2 * kTaps + k] =
                static_cast<float>(row[k] / sum);
    }
}

std::optional<double> SincInterpolator::at(const float* samples, std::size_t count,
                                           double x) const {
    if (!(x >= kTaps - 1)) return std::nullopt;
    const auto i = static_cast<std::size_t>(x); // x > 0: truncation is floor
    if (i + kTaps >= count) return std::nullopt;
    const auto step =
        static_cast<std::size_t>((x - static_cast<double>(i)) * kSteps + 0.5); // nearest
    const float* row = &weights_[step * 2 * kTaps];
    const float* first = samples + (i - (kTaps - 1));
    // Eight lanes (one AVX register or two SSE ones), summed in a fixed order.
    static_assert(2 * kTaps % 8 == 0);
    Float8 lanes{};
    for (std::size_t k = 0; k < 2 * kTaps; k += 8) {
        Float8 w, v;
        std::memcpy(&w, row + k, sizeof w);
        std::memcpy(&v, first + k, sizeof v);
        lanes += w * v;
    }
    float l[8];
    std::memcpy(l, &lanes, sizeof l);
    return static_cast<double>(((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7])));
}

} // namespace pitchscribe::detail

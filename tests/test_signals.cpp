#include "test_signals.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace pitchscribe::test {

std::vector<float> sine(double frequency, double sample_rate, double seconds, double amplitude,
                        double phase) {
    std::vector<float> out(static_cast<std::size_t>(seconds * sample_rate));
    const double step = 2.0 * std::numbers::pi * frequency / sample_rate;
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<float>(amplitude * std::sin(step * static_cast<double>(i) + phase));
    return out;
}

std::vector<float> harmonic_complex(double f0, double sample_rate, double seconds,
                                    const std::vector<double>& amplitudes) {
    std::vector<float> out(static_cast<std::size_t>(seconds * sample_rate));
    for (std::size_t i = 0; i < out.size(); ++i) {
        const double t = static_cast<double>(i) / sample_rate;
        double v = 0.0;
        for (std::size_t h = 0; h < amplitudes.size(); ++h) {
            const double f = f0 * static_cast<double>(h + 1);
            if (f < sample_rate / 2.0) // keep every partial below Nyquist
                v += amplitudes[h] * std::sin(2.0 * std::numbers::pi * f * t + 0.7 * h);
        }
        out[i] = static_cast<float>(v);
    }
    return out;
}

std::vector<float> white_noise(double sample_rate, double seconds, double amplitude,
                               unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> out(static_cast<std::size_t>(seconds * sample_rate));
    for (float& x : out)
        x = static_cast<float>(amplitude) * dist(rng);
    return out;
}

double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

double cents(double value, double reference) {
    return 1200.0 * std::log2(value / reference);
}

} // namespace pitchscribe::test

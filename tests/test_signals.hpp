// Deterministic test signals: sines, harmonic complexes, noise.
#pragma once

#include <cstddef>
#include <vector>

namespace pitchscribe::test {

std::vector<float> sine(double frequency, double sample_rate, double seconds,
                        double amplitude = 0.5, double phase = 0.0);

// Sum of harmonics 1..amplitudes.size() of f0 with the given amplitudes.
std::vector<float> harmonic_complex(double f0, double sample_rate, double seconds,
                                    const std::vector<double>& amplitudes);

std::vector<float> white_noise(double sample_rate, double seconds, double amplitude,
                               unsigned seed = 1);

// Median of the voiced frequencies and the error of `value` from `reference` in cents.
double median(std::vector<double> values);
double cents(double value, double reference);

} // namespace pitchscribe::test

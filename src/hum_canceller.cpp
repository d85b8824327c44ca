#include "hum_canceller.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace pitchscribe::detail {

namespace {

constexpr double kDecimatedRate = 1000.0; // Hz: above twice the highest tone, 240 Hz
constexpr double kSideHz = 1.5;           // the side bins: a Hann lobe is 2 bins (2 Hz) wide
constexpr double kPeakOverSides = 8.0;    // power: 9 dB (a steady tone gives 15 dB)
constexpr double kMinAmplitude = 1e-5;    // -103 dBFS RMS: quieter hum is left alone
// From one block to the next a hum keeps its amplitude within this ratio and its frequency
// within kMaxDriftHz of the nominal (mains frequency wanders by hundredths of a hertz).
constexpr double kMaxRatio = 1.4;
constexpr double kMaxDriftHz = 0.3;
constexpr int kBlocksToStart = 2;
constexpr int kMissesToStop = 3;
constexpr double kStoppedRatio = 0.5;

std::complex<double> turn(double cycles) {
    return std::polar(1.0, 2.0 * std::numbers::pi * cycles);
}

} // namespace

HumCanceller::HumCanceller(double sample_rate)
    : rate_(sample_rate),
      factor_(std::max<std::size_t>(1, std::size_t(std::lround(sample_rate / kDecimatedRate)))),
      block_(std::max<std::size_t>(16, std::size_t(std::lround(sample_rate / double(factor_))))),
      kernels_(kTones * kBins * block_), run_(factor_) {
    const double low_rate = rate_ / double(factor_);
    for (std::size_t k = 0; k < kTones; ++k) {
        Tone& tone = tones_[k];
        tone.hz = k < 4 ? 50.0 * double(k + 1) : 60.0 * double(k - 3);
        if (tone.hz + kSideHz >= low_rate / 2.0) tone.hz = 0.0; // not measurable: never removed
        tone.measured_hz = tone.hz;
    }
    auto window = [&](std::size_t i) {
        return 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * double(i + 1) / double(block_ + 1));
    };
    double window_sum = 0.0;
    for (std::size_t i = 0; i < block_; ++i)
        window_sum += window(i);
    // The kernels give a tone's amplitude and phase at the block's centre directly: times are
    // taken from the centre, and the window's sum and the boxcar's gain at the tone are
    // divided out (the side bins share the tone's scale, so their ratio to it is unchanged).
    const double centre = double(block_ * factor_) / rate_ / 2.0;
    for (std::size_t k = 0; k < kTones; ++k) {
        const double hz = tones_[k].hz;
        const double gain = hz > 0.0
                                ? std::sin(std::numbers::pi * hz * double(factor_) / rate_) /
                                      (double(factor_) * std::sin(std::numbers::pi * hz / rate_))
                                : 1.0;
        const double scale = 2.0 / (gain * window_sum);
        for (std::size_t i = 0; i < block_; ++i) {
            // A decimated sample is the mean of factor_ input samples: it stands for their
            // centre.
            const double t = (double(i * factor_) + double(factor_ - 1) / 2.0) / rate_ - centre;
            for (std::size_t b = 0; b < kBins; ++b)
                kernels_[(k * kBins + b) * block_ + i] =
                    scale * window(i) * turn(-(hz + (double(b) - 1.0) * kSideHz) * t);
        }
    }
}

std::size_t HumCanceller::removing() const {
    return removing_;
}

// The mean of one decimation run, in four interleaved sums added in a fixed order: the same
// bits however the stream was cut (a run split across calls is gathered first).
double HumCanceller::run_mean(const float* run) const {
    double lanes[4] = {0.0, 0.0, 0.0, 0.0};
    std::size_t i = 0;
    for (; i + 4 <= factor_; i += 4)
        for (std::size_t l = 0; l < 4; ++l)
            lanes[l] += run[i + l];
    for (; i < factor_; ++i)
        lanes[0] += run[i];
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) / double(factor_);
}

void HumCanceller::subtract(float* samples, std::size_t count) {
    for (Tone& tone : tones_) {
        if (!tone.removing) continue;
        for (std::size_t n = 0; n < count; ++n) {
            samples[n] = static_cast<float>(samples[n] - tone.phasor.real());
            // Written out: std::complex's operator* also handles infinities, at a cost.
            const double re =
                tone.phasor.real() * tone.step.real() - tone.phasor.imag() * tone.step.imag();
            const double im =
                tone.phasor.real() * tone.step.imag() + tone.phasor.imag() * tone.step.real();
            tone.phasor = {re, im};
        }
    }
}

void HumCanceller::process(float* samples, std::size_t count) {
    while (count > 0) {
        const std::size_t take = std::min(count, factor_ - pending_);
        // The measurement reads the input as it came, hum and all.
        double low = 0.0;
        const bool complete = pending_ + take == factor_;
        if (pending_ == 0 && complete) {
            low = run_mean(samples);
        } else {
            std::copy_n(samples, take, run_.begin() + std::ptrdiff_t(pending_));
            pending_ += take;
            if (complete) low = run_mean(run_.data());
        }
        if (removing_ > 0) subtract(samples, take); // with this block's sinusoids
        samples += take;
        count -= take;
        if (!complete) continue;
        pending_ = 0;
        for (std::size_t k = 0; k < kTones; ++k)
            for (std::size_t b = 0; b < kBins; ++b)
                sums_[k][b] += kernels_[(k * kBins + b) * block_ + index_] * low;
        if (++index_ == block_) {
            end_block();
            index_ = 0;
        }
    }
}

// Judges each tone on the block just measured, and sets up what the next block removes.
// Phases are taken at the block's centre, where the window is: there the measured phase is
// right whatever the small difference between the mains frequency and the nominal one.
void HumCanceller::end_block() {
    const double block_seconds = double(block_ * factor_) / rate_;
    removing_ = 0;
    for (std::size_t k = 0; k < kTones; ++k) {
        Tone& tone = tones_[k];
        const auto sums = sums_[k];
        sums_[k] = {};
        if (tone.hz == 0.0) continue;
        const std::complex<double> centre = sums[1];
        const double sides = std::max(std::norm(sums[0]), std::norm(sums[2]));
        const bool peak =
            std::norm(sums[1]) >= kPeakOverSides * sides && std::abs(centre) > kMinAmplitude;
        const std::complex<double> predicted = tone.centre * turn(tone.measured_hz * block_seconds);
        if (!peak) {
            // Music over the hum hides its peak for a block or two, but leaves at least as
            // much energy there; a hum switched off leaves next to none, and removing it
            // any longer would add it back, inverted.
            const bool stopped =
                tone.known && std::abs(centre) < kStoppedRatio * std::abs(predicted);
            tone.centre = predicted;
            if (++tone.misses >= kMissesToStop || stopped) { // start again from nothing
                const double hz = tone.hz;
                tone = Tone{};
                tone.hz = tone.measured_hz = hz;
            }
        } else {
            bool steady = false;
            if (tone.known) {
                const double ratio = std::abs(centre) / std::abs(predicted);
                const double hz = tone.measured_hz + std::arg(centre / predicted) /
                                                         (2.0 * std::numbers::pi * block_seconds);
                steady = ratio > 1.0 / kMaxRatio && ratio < kMaxRatio &&
                         std::abs(hz - tone.hz) < kMaxDriftHz;
                if (steady) tone.measured_hz = hz;
            }
            tone.streak = steady ? tone.streak + 1 : 1;
            if (tone.streak >= kBlocksToStart) tone.removing = true;
            tone.misses = 0;
            tone.known = true;
            tone.centre = centre;
        }
        if (tone.removing) { // from the start of the next block, half a block after the centre
            ++removing_;
            tone.phasor = tone.centre * turn(tone.measured_hz * block_seconds / 2.0);
            tone.step = turn(tone.measured_hz / rate_);
        }
    }
}

} // namespace pitchscribe::detail

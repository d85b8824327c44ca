// (a) MpmDetector::analyze per frame and (b) the FFT floor under it, at the same sizes.
// micro_main.cpp prints the ratio of the two for each frame size.
#include "bench_support.hpp"
#include "pitchscribe/mpm.hpp"

#include <benchmark/benchmark.h>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace {

constexpr double kRate = 44100.0;
constexpr std::size_t kDefaultFrame = 2270; // the CLI's default (fmin 40 Hz) at 44.1 kHz
// What the tracker analyses by default since it decimates 44.1 kHz by 2 (fmin 40 Hz at
// 22.05 kHz): the same frame and FFT sizes as 44.1 kHz with fmin near 80 Hz.
constexpr std::size_t kDecimatedFrame = 1135;

// The detector whose frame is `frame` samples at 44.1 kHz. frame = ceil(2 x the longest
// period), the longest period being rate / fmin a quarter tone long, so fmin follows; the
// default frame uses the CLI's own fmin so that its FFT size is exactly the CLI's.
std::optional<pitchscribe::MpmDetector> detector_for_frame(std::size_t frame,
                                                           benchmark::State& state) {
    pitchscribe::MpmConfig config;
    config.sample_rate = kRate;
    if (frame != kDefaultFrame)
        config.fmin = 2.0 * kRate * std::exp2(0.5 / 12.0) / (static_cast<double>(frame) - 0.5);
    auto detector = pitchscribe::MpmDetector::create(config);
    if (!detector) {
        state.SkipWithError(detector.error().message.c_str());
        return std::nullopt;
    }
    if (detector->frame_size() != frame) {
        const std::string message = "frame size " + std::to_string(detector->frame_size()) +
                                    " instead of " + std::to_string(frame);
        state.SkipWithError(message.c_str());
        return std::nullopt;
    }
    state.counters["frame"] = static_cast<double>(detector->frame_size());
    state.counters["fft"] = static_cast<double>(detector->fft_size());
    state.counters["fmin_Hz"] = config.fmin;
    if (frame == kDefaultFrame) state.SetLabel("44.1 kHz, fmin 40 Hz, undecimated");
    if (frame == kDecimatedFrame) state.SetLabel("CLI default: 44.1 kHz / 2, fmin 40 Hz");
    return std::optional<pitchscribe::MpmDetector>(std::move(*detector));
}

void BM_MpmAnalyze(benchmark::State& state) {
    const auto frame = static_cast<std::size_t>(state.range(0));
    auto detector = detector_for_frame(frame, state);
    if (!detector) return;
    const auto signal = pitchscribe::bench::harmonic_tone(kRate, 220.0, frame);
    for (auto _ : state) {
        auto estimate = detector->analyze(signal);
        benchmark::DoNotOptimize(estimate);
    }
    state.SetItemsProcessed(state.iterations()); // frames per second
}

void BM_FftFloor(benchmark::State& state) {
    const auto frame = static_cast<std::size_t>(state.range(0));
    auto detector = detector_for_frame(frame, state);
    if (!detector) return;
    pitchscribe::bench::FftPair pair(detector->fft_size(),
                                     pitchscribe::bench::harmonic_tone(kRate, 220.0, frame));
    for (auto _ : state) {
        pair.run();
        benchmark::DoNotOptimize(pair.output()[1]);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

void frame_sizes(benchmark::internal::Benchmark* b) {
    for (long frame : {512L, 1024L, static_cast<long>(kDecimatedFrame), 2048L,
                       static_cast<long>(kDefaultFrame), 4096L, 8192L})
        b->Arg(frame);
    b->ArgName("frame")->Unit(benchmark::kMicrosecond);
}

} // namespace

BENCHMARK(BM_MpmAnalyze)->Apply(frame_sizes);
BENCHMARK(BM_FftFloor)->Apply(frame_sizes);

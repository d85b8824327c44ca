// (c) The whole PitchTracker (framing, MPM, Viterbi path) on a synthetic melody: time per
// second of audio, and x real time.
#include "bench_support.hpp"
#include "pitchscribe/pitch_track.hpp"

#include <algorithm>
#include <benchmark/benchmark.h>
#include <cstddef>
#include <map>
#include <span>
#include <vector>

namespace {

constexpr double kSeconds = 10.0;    // of audio per iteration: amortises start-up and flush
constexpr std::size_t kBlock = 4096; // samples per push, as the file pipeline delivers them

const std::vector<float>& melody_at(double rate) {
    static std::map<double, std::vector<float>> cache; // benchmarks run on one thread
    auto [it, inserted] = cache.try_emplace(rate);
    if (inserted) it->second = pitchscribe::bench::melody(rate, kSeconds);
    return it->second;
}

void BM_TrackerPerSecond(benchmark::State& state) {
    const auto rate = static_cast<double>(state.range(0));
    pitchscribe::TrackConfig config;
    config.hop = static_cast<double>(state.range(1)) * 1e-6;
    const std::vector<float>& audio = melody_at(rate);
    std::size_t frames = 0, frame_size = 0;
    const pitchscribe::FrameSink sink = [&frames](const pitchscribe::PitchFrame& f) {
        frames += 1;
        benchmark::DoNotOptimize(f.frequency);
    };
    for (auto _ : state) {
        // Creation plans the FFTs: set-up, not per-second work.
        state.PauseTiming();
        auto tracker = pitchscribe::PitchTracker::create(rate, config);
        if (!tracker) {
            state.SkipWithError(tracker.error().message.c_str());
            return;
        }
        frame_size = tracker->frame_size();
        state.ResumeTiming();
        for (std::size_t at = 0; at < audio.size(); at += kBlock)
            tracker->push(std::span(audio).subspan(at, std::min(kBlock, audio.size() - at)), sink);
        tracker->finish(sink);
    }
    const auto audio_seconds = kSeconds * static_cast<double>(state.iterations());
    state.counters["x_realtime"] = benchmark::Counter(audio_seconds, benchmark::Counter::kIsRate);
    state.counters["s_per_audio_s"] = benchmark::Counter(
        audio_seconds, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["frames_per_audio_s"] = static_cast<double>(frames) / audio_seconds;
    state.counters["frame"] = static_cast<double>(frame_size);
}

} // namespace

// {sample rate, hop in microseconds}; 44.1 kHz at 10 ms is the CLI's default case.
BENCHMARK(BM_TrackerPerSecond)
    ->Args({44100, 10000})
    ->Args({48000, 10000})
    ->Args({16000, 10000})
    ->Args({44100, 5000})
    ->ArgNames({"rate", "hop_us"})
    ->Unit(benchmark::kMillisecond);

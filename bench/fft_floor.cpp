// The FFT floor for one input, for bench/performance.sh: the frame and FFT size the CLI's
// tracker uses at a sample rate and pitch range, the time of the transforms one frame's
// autocorrelation performs (FFTW alone, planned as src/ plans them: a complex forward and
// backward transform of half the size) and of one MpmDetector::analyze call. For reference,
// also the textbook pair: one r2c + one c2r at the smallest alias-free 2^a 3^b 5^c 7^d size.
//   fft_floor [--rate HZ] [--fmin HZ] [--fmax HZ] [--min-time SECONDS]
// Prints key=value lines; the script multiplies fft_pair_ns by the number of frames.
#include "bench_support.hpp"
#include "pitchscribe/mpm.hpp"
#include "pitchscribe/pitch_track.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace {

[[noreturn]] void usage(const char* message) {
    std::fprintf(stderr,
                 "fft_floor: %s\nusage: fft_floor [--rate HZ] [--fmin HZ] [--fmax HZ] "
                 "[--min-time SECONDS]\n",
                 message);
    std::exit(2);
}

// Median time of one call of `a` and of `b`, over batches of at least 5 ms taken in turn
// (at least 11 each, and `min_time` seconds in all): a burst of another process's work hits
// both alike, and the median shrugs it off.
template <typename A, typename B>
std::pair<double, double> seconds_per_call(A&& a, B&& b, double min_time) {
    using clock = std::chrono::steady_clock;
    auto time_batch = [](auto& work, long calls) {
        const auto start = clock::now();
        for (long i = 0; i < calls; ++i)
            work();
        return std::chrono::duration<double>(clock::now() - start).count();
    };
    auto calibrate = [&](auto& work) {
        long calls = 1;
        while (time_batch(work, calls) < 0.005)
            calls *= 2;
        return calls;
    };
    const long calls_a = calibrate(a), calls_b = calibrate(b);
    std::vector<double> per_a, per_b;
    double total = 0.0;
    while (per_a.size() < 11 || total < min_time) {
        const double ta = time_batch(a, calls_a), tb = time_batch(b, calls_b);
        total += ta + tb;
        per_a.push_back(ta / static_cast<double>(calls_a));
        per_b.push_back(tb / static_cast<double>(calls_b));
    }
    auto median = [](std::vector<double>& v) {
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        return v[v.size() / 2];
    };
    return {median(per_a), median(per_b)};
}

// Smallest n >= minimum of the form 2^a 3^b 5^c 7^d (a >= 4, c <= 1, d <= 1), the sizes
// FFTW's real transforms are fast at (what the library used before its half-size transform).
std::size_t smooth_real_size(std::size_t minimum) {
    for (std::size_t n = std::max<std::size_t>(minimum, 16);; ++n) {
        std::size_t rest = n;
        int twos = 0, fives = 0, sevens = 0;
        for (; rest % 2 == 0; rest /= 2)
            ++twos;
        for (; rest % 3 == 0; rest /= 3) {
        }
        for (; rest % 5 == 0; rest /= 5)
            ++fives;
        for (; rest % 7 == 0; rest /= 7)
            ++sevens;
        if (rest == 1 && twos >= 4 && fives <= 1 && sevens <= 1) return n;
    }
}

} // namespace

int main(int argc, char** argv) {
    double rate = 44100.0, min_time = 0.5;
    pitchscribe::TrackConfig track; // the CLI's defaults: fmin 40, fmax 2000, hop 10 ms
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
        const double value = std::atof(argv[++i]);
        if (arg == "--rate")
            rate = value;
        else if (arg == "--fmin")
            track.fmin = value;
        else if (arg == "--fmax")
            track.fmax = value;
        else if (arg == "--min-time")
            min_time = value;
        else
            usage(("unknown option " + arg).c_str());
    }

    // The detector exactly as PitchTracker::create configures it, at the rate it analyses
    // (the input rate divided by its decimation factor) ...
    auto tracker = pitchscribe::PitchTracker::create(rate, track);
    if (!tracker) usage(tracker.error().message.c_str());
    pitchscribe::MpmConfig config;
    config.sample_rate = tracker->analysis_rate();
    config.fmin = track.fmin;
    config.fmax = std::min(track.fmax, rate / 4.0);
    auto detector = pitchscribe::MpmDetector::create(config);
    if (!detector) usage(detector.error().message.c_str());
    // ... and a check that the tracker agrees, in case that configuration changes.
    if (tracker->frame_size() != detector->frame_size()) {
        std::fprintf(stderr,
                     "fft_floor: the tracker's frame (%zu) is not the detector's (%zu): "
                     "update fft_floor.cpp to configure the detector as the tracker does\n",
                     tracker->frame_size(), detector->frame_size());
        return 1;
    }

    const std::size_t frame = detector->frame_size();
    const auto signal = pitchscribe::bench::harmonic_tone(config.sample_rate, 220.0, frame);
    pitchscribe::bench::FftPair pair(detector->fft_size(), signal);
    volatile double sink = 0.0;
    auto run_pair = [&] { pair.run(); };
    auto run_analyze = [&] { sink = sink + detector->analyze(signal).frequency; };
    const auto [fft_pair, analyze] = seconds_per_call(run_pair, run_analyze, min_time);
    const std::size_t real_size = smooth_real_size(frame + detector->max_lag() + 1);
    pitchscribe::bench::FftPair real_pair(real_size, signal, true);
    auto run_real_pair = [&] { real_pair.run(); };
    const double real_pair_time = seconds_per_call(run_real_pair, run_pair, min_time).first;

    std::printf("rate=%.0f\nfmin=%g\nfmax=%g\nframe_size=%zu\nfft_size=%zu\n", rate, config.fmin,
                config.fmax, frame, detector->fft_size());
    std::printf("fft_pair_ns=%.1f\nanalyze_ns=%.1f\nanalyze_over_fft=%.2f\n", fft_pair * 1e9,
                analyze * 1e9, analyze / fft_pair);
    std::printf("real_fft_size=%zu\nreal_pair_ns=%.1f\n", real_size, real_pair_time * 1e9);
    return 0;
}

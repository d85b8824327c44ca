// Google Benchmark's main, plus a closing table: per-frame analysis against the FFT floor
// (BM_MpmAnalyze / BM_FftFloor at the same frame and FFT size), which Google Benchmark
// cannot print by itself. Machine-readable results: --benchmark_out=FILE.json.
#include <algorithm>
#include <benchmark/benchmark.h>
#include <cstdio>
#include <map>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

class RatioReporter : public benchmark::ConsoleReporter {
public:
    using ConsoleReporter::ConsoleReporter;

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            // Single runs, or the median aggregate of repetitions (which is all that
            // --benchmark_report_aggregates_only passes on).
            const bool median_aggregate =
                run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (run.error_occurred || (run.run_type != Run::RT_Iteration && !median_aggregate))
                continue;
            const std::string& name = run.run_name.function_name;
            if (name != "BM_MpmAnalyze" && name != "BM_FftFloor") continue;
            const auto frame = run.counters.find("frame");
            const auto fft = run.counters.find("fft");
            if (frame == run.counters.end() || fft == run.counters.end()) continue;
            const double seconds =
                run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
            auto& entry = table_[{static_cast<long>(frame->second.value),
                                  static_cast<long>(fft->second.value)}];
            auto& times = name == "BM_MpmAnalyze" ? entry.analyze : entry.floor;
            if (median_aggregate) {
                times = {seconds}; // the library's median replaces the repetitions
                (name == "BM_MpmAnalyze" ? entry.analyze_final : entry.floor_final) = true;
            } else if (!(name == "BM_MpmAnalyze" ? entry.analyze_final : entry.floor_final)) {
                times.push_back(seconds);
            }
        }
    }

    void print_ratios() const {
        bool header = false;
        for (const auto& [sizes, entry] : table_) {
            if (entry.analyze.empty() || entry.floor.empty()) continue;
            if (!header) {
                std::printf("\nMpmDetector::analyze against the FFT floor (one r2c + one c2r, "
                            "FFTW_ESTIMATE), 44.1 kHz, median over repetitions:\n");
                std::printf("%8s %8s %14s %14s %8s\n", "frame", "fft", "analyze us", "fft pair us",
                            "ratio");
                header = true;
            }
            const double analyze = median(entry.analyze), floor = median(entry.floor);
            std::printf("%8ld %8ld %14.2f %14.2f %8.2f\n", sizes.first, sizes.second, analyze * 1e6,
                        floor * 1e6, analyze / floor);
        }
        std::fflush(stdout);
    }

private:
    struct Entry {
        std::vector<double> analyze, floor;
        bool analyze_final = false, floor_final = false;
    };
    std::map<std::pair<long, long>, Entry> table_;

    static double median(std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    }
};

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    // Colour only on a terminal: logs and `make bench | tee` stay plain text.
    RatioReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                 : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();
    benchmark::Shutdown();
    return 0;
}

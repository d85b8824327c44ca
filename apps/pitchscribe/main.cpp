// pitchscribe: the command-line tool, a thin layer over the library.
#include "atomic_file.hpp"
#include "cli_options.hpp"
#include "track_writers.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <pitchscribe/pitchscribe.hpp>
#include <unistd.h>

namespace {

using namespace pitchscribe;
using namespace pitchscribe::cli;

constexpr int kExitOk = 0;
constexpr int kExitProcessing = 1;
constexpr int kExitUsage = 2;

int fail(const Error& error) {
    std::fprintf(stderr, "pitchscribe: error: %s\n", error.message.c_str());
    return error.kind == ErrorKind::Processing ? kExitProcessing : kExitUsage;
}

// A signal ends the run without leaving a partial output file: 130 for SIGINT, 143 for SIGTERM.
extern "C" void on_terminating_signal(int signal_number) {
    remove_pending_temp_files();
    ::_exit(128 + signal_number);
}

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_terminating_signal;
    sigemptyset(&action.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
        sigaction(s, &action, nullptr);
    // Past a file-size limit, let write() fail with EFBIG (reported, temp file removed)
    // instead of being killed with the temporary file left behind.
    std::signal(SIGXFSZ, SIG_IGN);
}

// Refuses an output that would replace the input file.
Status check_not_input(const std::string& output, const std::string& input) {
    if (output == "-" || input == "-") return Ok{};
    std::error_code ec;
    if (std::filesystem::equivalent(output, input, ec) && !ec)
        return Error{ErrorKind::InvalidArgument,
                     "'" + output + "': refusing to overwrite the input file"};
    return Ok{};
}

void print_summary(const CliOptions& options, const AnalysisSummary& s, std::size_t voiced,
                   double seconds) {
    const double duration =
        s.audio.sample_rate > 0 ? static_cast<double>(s.samples) / s.audio.sample_rate : 0.0;
    std::fprintf(stderr,
                 "pitchscribe: '%s': %.2f s, %d Hz, %d ch, %s; %zu frames, %zu voiced; "
                 "%.3f s (%.0fx real time)\n",
                 options.input.c_str(), duration, s.audio.sample_rate, s.audio.channels,
                 s.audio.codec.c_str(), s.frames, voiced, seconds,
                 seconds > 0 ? duration / seconds : 0.0);
}

int run(const CliOptions& options) {
    std::optional<AtomicFile> pitch_file;
    if (!options.pitch_path.empty()) {
        if (Status s = check_not_input(options.pitch_path, options.input); !s)
            return fail(s.error());
        auto file = AtomicFile::create(options.pitch_path);
        if (!file) return fail(file.error());
        pitch_file.emplace(std::move(*file));
    }

    std::optional<PitchCsvWriter> csv;
    std::optional<VoicedFramePrinter> listing;
    if (pitch_file)
        csv.emplace(pitch_file->stream());
    else
        listing.emplace(stdout, options.tuning);

    std::size_t voiced = 0;
    const auto started = std::chrono::steady_clock::now();
    auto summary = analyze_file(options.input, options.track, [&](const PitchFrame& frame) {
        voiced += frame.voiced ? 1 : 0;
        if (csv) csv->write(frame);
        if (listing) listing->write(frame);
    });
    if (!summary) return fail(summary.error());
    if (pitch_file) {
        if (Status s = pitch_file->commit(); !s) return fail(s.error());
    } else if (std::fflush(stdout) != 0) {
        return fail(Error{ErrorKind::Processing, "'-': cannot write to stdout"});
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;

    if (summary->samples == 0)
        std::fprintf(stderr, "pitchscribe: warning: '%s': no audio samples\n",
                     options.input.c_str());
    if (summary->ended_early)
        std::fprintf(stderr,
                     "pitchscribe: warning: '%s': input ended early: %.2f s of %.2f s declared\n",
                     options.input == "-" ? "stdin" : options.input.c_str(), summary->seconds,
                     summary->audio.duration);
    if (summary->non_finite_samples > 0)
        std::fprintf(stderr, "pitchscribe: warning: '%s': %zu NaN/Inf samples read as 0\n",
                     options.input.c_str(), summary->non_finite_samples);
    if (!options.quiet) print_summary(options, *summary, voiced, elapsed.count());
    return kExitOk;
}

} // namespace

int main(int argc, char** argv) {
    install_signal_handlers();
    auto parsed = parse_command_line(argc, argv);
    if (!parsed) return fail(parsed.error());
    if (!parsed->run) return parsed->exit_code;
    return run(parsed->options);
}

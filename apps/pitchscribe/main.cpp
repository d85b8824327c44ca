// pitchscribe: the command-line tool, a thin layer over the library.
#include "atomic_file.hpp"
#include "cli_options.hpp"
#include "note_writers.hpp"
#include "progress.hpp"
#include "track_writers.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <pitchscribe/midi_file.hpp>
#include <pitchscribe/notes.hpp>
#include <pitchscribe/piano_roll.hpp>
#include <pitchscribe/pitchscribe.hpp>
#include <unistd.h>
#include <utility>
#include <vector>

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

// `notes` is empty when no output asked for notes (none were made).
void print_summary(const CliOptions& options, const AnalysisSummary& s, std::size_t voiced,
                   std::optional<std::size_t> notes, double seconds) {
    const double duration =
        s.audio.sample_rate > 0 ? static_cast<double>(s.samples) / s.audio.sample_rate : 0.0;
    const std::string note_part = notes ? std::to_string(*notes) + " notes; " : "";
    std::fprintf(stderr,
                 "pitchscribe: '%s': %.2f s, %d Hz, %d ch, %s; %zu frames, %zu voiced; "
                 "%s%.3f s (%.0fx real time)\n",
                 options.input.c_str(), duration, s.audio.sample_rate, s.audio.channels,
                 s.audio.codec.c_str(), s.frames, voiced, note_part.c_str(), seconds,
                 seconds > 0 ? duration / seconds : 0.0);
}

// The files asked for, opened before the analysis so a bad path fails at once.
struct Outputs {
    std::optional<AtomicFile> pitch, notes, json, midi, plot;
    NotesFormat notes_format = NotesFormat::Csv;
    PlotFormat plot_format = PlotFormat::Png;
};

Expected<Outputs> open_outputs(const CliOptions& o) {
    Outputs out;
    if (!o.notes_path.empty()) {
        auto format = notes_format(o.notes_path);
        if (!format) return format.error();
        out.notes_format = *format;
    }
    if (!o.plot_path.empty()) {
        auto format = plot_format_from_path(o.plot_path);
        if (!format) return format.error();
        out.plot_format = *format;
    }
    const std::pair<const std::string*, std::optional<AtomicFile>*> files[] = {
        {&o.pitch_path, &out.pitch},
        {&o.notes_path, &out.notes},
        {&o.json_path, &out.json},
        {&o.midi_path, &out.midi},
        {&o.plot_path, &out.plot}};
    for (const auto& [path, file] : files) {
        if (path->empty()) continue;
        if (Status s = check_not_input(*path, o.input); !s) return s.error();
        auto created = AtomicFile::create(*path);
        if (!created) return created.error();
        file->emplace(std::move(*created));
    }
    return out;
}

Status write_bytes(AtomicFile& file, const std::vector<unsigned char>& bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file.stream()) != bytes.size())
        return Error{ErrorKind::Processing, "'" + file.path() + "': cannot write"};
    return Ok{};
}

std::string file_title(const std::string& input) {
    return input == "-" ? "stdin" : std::filesystem::path(input).filename().string();
}

int run(const CliOptions& options) {
    auto opened = open_outputs(options);
    if (!opened) return fail(opened.error());
    Outputs& out = *opened;
    const bool table = !out.pitch && !out.notes && !out.json && !out.midi && !out.plot;
    // A pitch track alone needs no notes, so the segmenter is not run for it.
    const bool segment = !out.pitch || out.notes || out.json || out.midi || out.plot;

    TranscriptionInfo info{"0.1.0", options.input, options.track, NoteConfig{}};
    info.notes.tuning = options.tuning;
    std::optional<PitchCsvWriter> pitch_csv;
    std::optional<NoteCsvWriter> notes_csv;
    std::optional<NoteTablePrinter> notes_table;
    std::optional<JsonWriter> json, notes_json;
    if (out.pitch) pitch_csv.emplace(out.pitch->stream());
    if (out.notes && out.notes_format == NotesFormat::Csv) notes_csv.emplace(out.notes->stream());
    if (out.notes && out.notes_format == NotesFormat::Json)
        notes_json.emplace(out.notes->stream(), info);
    if (out.json) json.emplace(out.json->stream(), info);

    // Kept only for the outputs that need them all at the end; the rest stream.
    const bool keep_notes =
        out.midi || out.plot || (out.notes && out.notes_format == NotesFormat::Midi);
    std::vector<Note> notes;
    std::size_t note_count = 0;
    std::vector<PitchFrame> track; // kept only for the picture
    auto on_note = [&](const Note& note) {
        ++note_count;
        if (keep_notes) notes.push_back(note);
        if (notes_csv) notes_csv->write(note);
        if (table && !notes_table) notes_table.emplace(stdout); // no header if the input fails
        if (notes_table) notes_table->write(note);
        if (json) json->write_note(note);
        if (notes_json) notes_json->write_note(note);
    };
    NoteSegmenter segmenter(info.notes);
    std::size_t voiced = 0;
    std::optional<ProgressBar> progress;
    const auto started = std::chrono::steady_clock::now();
    auto on_open = [&](const AudioInfo& audio) {
        progress.emplace(audio.duration, ProgressBar::should_show(audio.duration));
    };
    auto summary = analyze_file(
        options.input, options.track,
        [&](const PitchFrame& frame) {
            if (progress) progress->update(frame.time);
            voiced += frame.voiced ? 1 : 0;
            if (pitch_csv) pitch_csv->write(frame);
            if (json) json->write_frame(frame);
            if (notes_json) notes_json->write_frame(frame);
            if (out.plot) track.push_back(frame);
            if (segment) segmenter.push(frame, on_note);
        },
        on_open);
    if (progress) progress->finish();
    if (!summary) return fail(summary.error());
    if (segment) segmenter.finish(on_note);
    if (table && !notes_table) notes_table.emplace(stdout); // the header alone: no notes
    if (json) json->finish(*summary);
    if (notes_json) notes_json->finish(*summary);
    const bool notes_midi = out.notes && out.notes_format == NotesFormat::Midi;
    if (out.midi || notes_midi) {
        const auto bytes = midi_file_bytes(notes);
        if (out.midi)
            if (Status s = write_bytes(*out.midi, bytes); !s) return fail(s.error());
        if (notes_midi)
            if (Status s = write_bytes(*out.notes, bytes); !s) return fail(s.error());
    }
    if (out.plot) {
        PlotOptions plot;
        plot.title = file_title(options.input);
        plot.format = out.plot_format;
        plot.tuning = options.tuning;
        auto image = render_piano_roll(notes, track, plot);
        if (!image) return fail(image.error());
        if (Status s = write_bytes(*out.plot, *image); !s) return fail(s.error());
    }
    for (auto* file : {&out.pitch, &out.notes, &out.json, &out.midi, &out.plot})
        if (*file)
            if (Status s = (*file)->commit(); !s) return fail(s.error());
    if (table && std::fflush(stdout) != 0)
        return fail(Error{ErrorKind::Processing, "'-': cannot write to stdout"});
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
    if (!options.quiet)
        print_summary(options, *summary, voiced, segment ? std::optional(note_count) : std::nullopt,
                      elapsed.count());
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

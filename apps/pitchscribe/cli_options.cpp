#include "cli_options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <thread>
#include <utility>

namespace pitchscribe::cli {

namespace {

constexpr const char* kDescription =
    "pitchscribe: writes down the pitch of a melody in an audio file (McLeod Pitch Method).\n"
    "With no output option it prints the notes as a table on stdout.";

Error usage(std::string message) {
    return Error{ErrorKind::InvalidArgument, std::move(message)};
}

} // namespace

Expected<NotesFormat> notes_format(const std::string& path) {
    if (path == "-") return NotesFormat::Csv;
    const auto dot = path.find_last_of('.');
    std::string ext = dot == std::string::npos ? "" : path.substr(dot);
    for (char& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".csv") return NotesFormat::Csv;
    if (ext == ".json") return NotesFormat::Json;
    if (ext == ".mid" || ext == ".midi") return NotesFormat::Midi;
    return usage("--notes: unknown file type '" + (ext.empty() ? path : ext) +
                 "' (use .csv, .json or .mid)");
}

Expected<ParseOutcome> parse_command_line(int argc, char** argv) {
    ParseOutcome outcome;
    CliOptions& o = outcome.options;
    CLI::App app{kDescription, "pitchscribe"};
    app.set_version_flag("--version", "pitchscribe 0.1.0");
    app.add_option("input", o.input, "audio file (wav, flac, mp3, ogg, opus, m4a, ...); - = stdin")
        ->required();
    app.add_option("--pitch", o.pitch_path,
                   "write the pitch track as CSV (time,frequency,confidence,voiced); - = stdout");
    app.add_option("--notes", o.notes_path,
                   "write the notes: .csv (onset,offset,frequency,midi,note,confidence), "
                   ".json or .mid; - = CSV on stdout");
    app.add_option("--json", o.json_path, "write notes, track and settings as JSON; - = stdout");
    app.add_option("--midi", o.midi_path, "write the notes as a Standard MIDI File");
    app.add_option("--plot", o.plot_path,
                   "draw the transcription as a piano roll (.png, .svg, .pdf)");
    app.add_option("--hop", o.track.hop, "seconds between frames")->capture_default_str();
    app.add_option("--fmin", o.track.fmin, "lowest pitch in Hz")->capture_default_str();
    app.add_option("--fmax", o.track.fmax, "highest pitch in Hz")->capture_default_str();
    app.add_option("--a4", o.tuning.a4, "tuning reference in Hz")->capture_default_str();
    // The output does not depend on it: frames are analysed in parallel, tracked in order.
    o.track.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    app.add_option("--threads", o.track.threads,
                   "analysis threads, >= 1 (default: the number of cores); same output for any")
        ->capture_default_str();
    bool keep_hum = false;
    app.add_flag("--keep-hum", keep_hum,
                 "do not remove mains hum (50/60 Hz and harmonics, removed once steady for 2 s)");
    app.add_flag("-q,--quiet", o.quiet, "no summary on stderr");

    try {
        app.parse(argc, argv);
        o.track.remove_hum = !keep_hum;
    } catch (const CLI::CallForHelp&) {
        std::fputs(app.help().c_str(), stdout);
        return outcome;
    } catch (const CLI::CallForVersion&) {
        std::puts("pitchscribe 0.1.0");
        return outcome;
    } catch (const CLI::ParseError& e) {
        return usage(e.what());
    }

    if (Status status = validate(o.track); !status) return status.error();
    if (!(o.tuning.a4 > 0.0)) return usage("--a4 must be > 0");
    if (o.input.empty()) return usage("the input path is empty");
    if (!o.notes_path.empty()) {
        if (auto format = notes_format(o.notes_path); !format) return format.error();
    }
    // Two outputs into one file (or both to stdout) would interleave or overwrite.
    const std::pair<const char*, const std::string*> outputs[] = {{"--pitch", &o.pitch_path},
                                                                  {"--notes", &o.notes_path},
                                                                  {"--json", &o.json_path},
                                                                  {"--midi", &o.midi_path},
                                                                  {"--plot", &o.plot_path}};
    for (std::size_t i = 0; i < std::size(outputs); ++i)
        for (std::size_t j = i + 1; j < std::size(outputs); ++j)
            if (!outputs[i].second->empty() && *outputs[i].second == *outputs[j].second)
                return usage(std::string(outputs[i].first) + " and " + outputs[j].first +
                             " cannot both write to '" + *outputs[i].second + "'");

    outcome.run = true;
    return outcome;
}

} // namespace pitchscribe::cli

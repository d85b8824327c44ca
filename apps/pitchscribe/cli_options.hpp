// The command line of the pitchscribe tool: parsing and validation, nothing else.
#pragma once

#include <pitchscribe/error.hpp>
#include <pitchscribe/note_names.hpp>
#include <pitchscribe/pitch_track.hpp>
#include <string>

namespace pitchscribe::cli {

struct CliOptions {
    std::string input;
    std::string pitch_path; // --pitch; empty when not asked for
    std::string notes_path; // --notes: .csv, .json or .mid by extension ("-" = CSV on stdout)
    std::string json_path;  // --json
    std::string midi_path;  // --midi
    std::string plot_path;  // --plot: .png, .svg or .pdf
    TrackConfig track;
    Tuning tuning;
    bool quiet = false;
};

// What parsing decided: run with options, or stop (help/version printed) with an exit code.
struct ParseOutcome {
    bool run = false;
    int exit_code = 0;
    CliOptions options;
};

// The kind of file --notes writes, from its extension.
enum class NotesFormat { Csv, Json, Midi };
Expected<NotesFormat> notes_format(const std::string& path);

// Parses argv. Usage errors come back as an Error whose message names the option.
Expected<ParseOutcome> parse_command_line(int argc, char** argv);

} // namespace pitchscribe::cli

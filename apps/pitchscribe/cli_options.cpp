#include "cli_options.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace pitchscribe::cli {

namespace {

constexpr const char* kDescription =
    "pitchscribe: writes down the pitch of a melody in an audio file (McLeod Pitch Method).\n"
    "With no output option it prints the voiced frames with their note names.";

Error usage(std::string message) {
    return Error{ErrorKind::InvalidArgument, std::move(message)};
}

} // namespace

Expected<ParseOutcome> parse_command_line(int argc, char** argv) {
    ParseOutcome outcome;
    CliOptions& o = outcome.options;
    CLI::App app{kDescription, "pitchscribe"};
    app.set_version_flag("--version", "pitchscribe 0.1.0");
    app.add_option("input", o.input, "audio file (wav, flac, mp3, ogg, opus, m4a, ...); - = stdin")
        ->required();
    app.add_option("--pitch", o.pitch_path,
                   "write the pitch track as CSV (time,frequency,confidence,voiced); - = stdout");
    app.add_option("--hop", o.track.hop, "seconds between frames")->capture_default_str();
    app.add_option("--fmin", o.track.fmin, "lowest pitch in Hz")->capture_default_str();
    app.add_option("--fmax", o.track.fmax, "highest pitch in Hz")->capture_default_str();
    app.add_option("--a4", o.tuning.a4, "tuning reference in Hz")->capture_default_str();
    app.add_flag("-q,--quiet", o.quiet, "no summary on stderr");

    try {
        app.parse(argc, argv);
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
    outcome.run = true;
    return outcome;
}

} // namespace pitchscribe::cli

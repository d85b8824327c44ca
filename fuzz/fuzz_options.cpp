// libFuzzer target: the CLI's option parser on any argv.
// The input is split at NUL or newline bytes into at most kMaxArgs arguments, after
// "pitchscribe" as argv[0]. --help and --version print to stdout (run.sh closes it).
#include "cli_options.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kMaxArgs = 16;

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "fuzz_options: contract violated: %s\n", what);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // "a\nb\n" is {"a", "b"}; empty arguments between separators are kept.
    std::vector<std::string> args{"pitchscribe"};
    std::size_t start = 0;
    while (start < size && args.size() <= kMaxArgs) {
        std::size_t end = start;
        while (end < size && data[end] != '\0' && data[end] != '\n')
            ++end;
        args.emplace_back(reinterpret_cast<const char*>(data) + start, end - start);
        start = end + 1;
    }

    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    auto outcome = pitchscribe::cli::parse_command_line(static_cast<int>(args.size()), argv.data());
    if (!outcome) {
        const std::string& message = outcome.error().message;
        if (outcome.error().kind != pitchscribe::ErrorKind::InvalidArgument)
            violated("a usage error that is not InvalidArgument");
        if (message.empty()) violated("an empty usage message");
        return 0;
    }
    if (outcome->run) {
        const auto& o = outcome->options;
        if (!pitchscribe::validate(o.track)) violated("an invalid TrackConfig was accepted");
        if (!(o.tuning.a4 > 0.0)) violated("a4 <= 0 was accepted");
        if (o.input.empty()) violated("an empty input path was accepted");
    }
    return 0;
}

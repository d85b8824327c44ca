#include "track_writers.hpp"

#include <charconv>
#include <cmath>

namespace pitchscribe::cli {

namespace {

// Appends `value` with at most `decimals` decimals, trailing zeros trimmed ("0.01", "440.5").
char* put_number(char* out, char* end, double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    value = std::round(value * scale) / scale;
    if (value == 0.0) value = 0.0; // no "-0"
    return std::to_chars(out, end, value).ptr;
}

} // namespace

PitchCsvWriter::PitchCsvWriter(std::FILE* out) : out_(out) {
    std::fputs("time,frequency,confidence,voiced\n", out_);
}

void PitchCsvWriter::write(const PitchFrame& frame) {
    char line[128];
    char* const end = line + sizeof line;
    char* p = put_number(line, end, frame.time, 6);
    *p++ = ',';
    p = put_number(p, end, frame.frequency, 3);
    *p++ = ',';
    p = put_number(p, end, frame.confidence, 4);
    *p++ = ',';
    *p++ = frame.voiced ? '1' : '0';
    *p++ = '\n';
    std::fwrite(line, 1, static_cast<std::size_t>(p - line), out_);
}

} // namespace pitchscribe::cli

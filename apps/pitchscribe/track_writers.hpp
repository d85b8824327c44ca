// The pitch track as the CSV of the command-line contract.
#pragma once

#include <cstdio>
#include <pitchscribe/note_names.hpp>
#include <pitchscribe/pitch_track.hpp>

namespace pitchscribe::cli {

// `time,frequency,confidence,voiced`, one row per frame.
class PitchCsvWriter {
public:
    explicit PitchCsvWriter(std::FILE* out);
    void write(const PitchFrame& frame);

private:
    std::FILE* out_;
};

} // namespace pitchscribe::cli

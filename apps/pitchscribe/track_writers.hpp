// Text renderings of the pitch track: the CSV of the contract and the terminal listing.
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

// Voiced frames with the nearest note and its offset in cents, aligned for a terminal.
class VoicedFramePrinter {
public:
    VoicedFramePrinter(std::FILE* out, const Tuning& tuning);
    void write(const PitchFrame& frame);

private:
    std::FILE* out_;
    Tuning tuning_;
};

} // namespace pitchscribe::cli

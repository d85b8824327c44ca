// Text renderings of the notes: CSV, a table for the terminal, and the JSON document.
// All numbers go through std::to_chars, so the output does not depend on the locale, and
// none is ever NaN or Inf (CSV leaves the field empty, JSON writes null). docs/FORMATS.md
// describes every format.
#pragma once

#include <cstdio>
#include <pitchscribe/notes.hpp>
#include <pitchscribe/pitchscribe.hpp>
#include <span>
#include <string>
#include <vector>

namespace pitchscribe::cli {

// `onset,offset,frequency,midi,note,confidence`, one row per note; times with 3 decimals,
// frequency with 2, confidence with 3.
class NoteCsvWriter {
public:
    explicit NoteCsvWriter(std::FILE* out);
    void write(const Note& note);

private:
    std::FILE* out_;
    std::string line_;
};

// An aligned table for a terminal: onset, duration, note, cents off the note, confidence.
class NoteTablePrinter {
public:
    explicit NoteTablePrinter(std::FILE* out);
    void write(const Note& note);

private:
    std::FILE* out_;
};

// What the JSON document says about the run, known before the analysis starts.
struct TranscriptionInfo {
    std::string version; // pitchscribe's version, e.g. "0.1.0"
    std::string input;   // the input path as given ("-" is stdin)
    TrackConfig track;
    NoteConfig notes; // notes.tuning is the tuning of the names and cents
};

// Streams one JSON document, so a three-hour track needs no memory: the header and every
// frame are written as they come; notes (few) are kept and written by finish() together
// with the input's description, which is only complete at the end. Key order is therefore
// pitchscribe, settings, track, notes, input.
class JsonWriter {
public:
    JsonWriter(std::FILE* out, const TranscriptionInfo& info);
    void write_frame(const PitchFrame& frame);
    void write_note(const Note& note);
    // Closes the document. Call it once, after the last frame and note.
    void finish(const AnalysisSummary& summary);

private:
    std::FILE* out_;
    std::string input_;
    std::vector<Note> notes_;
    std::string line_;
    bool first_frame_ = true;
};

// The whole document at once, for callers that already hold notes and track.
void write_json(std::FILE* out, const TranscriptionInfo& info, const AnalysisSummary& summary,
                std::span<const Note> notes, std::span<const PitchFrame> track);

} // namespace pitchscribe::cli

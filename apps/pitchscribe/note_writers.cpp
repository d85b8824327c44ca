#include "note_writers.hpp"

#include <charconv>
#include <cmath>
#include <pitchscribe/midi_file.hpp>

namespace pitchscribe::cli {

namespace {

// Appends `value` rounded to `decimals` in plain notation (never an exponent), with trailing
// zeros trimmed unless `fixed`. Non-finite values append `missing` instead.
void append_number(std::string& out, double value, int decimals, bool fixed, const char* missing) {
    if (!std::isfinite(value)) {
        out += missing;
        return;
    }
    const double scale = std::pow(10.0, decimals);
    double rounded = std::round(value * scale) / scale;
    if (!std::isfinite(rounded)) rounded = value; // too large to scale: already whole
    if (rounded == 0.0) rounded = 0.0;            // no "-0"
    char buf[512]; // room for any double in fixed notation with a few decimals
    const auto result =
        std::to_chars(buf, buf + sizeof buf, rounded, std::chars_format::fixed, decimals);
    if (result.ec != std::errc{}) {
        out += missing;
        return;
    }
    char* end = result.ptr;
    if (!fixed && decimals > 0) {
        while (end[-1] == '0')
            --end;
        if (end[-1] == '.') --end;
    }
    out.append(buf, static_cast<std::size_t>(end - buf));
}

void json_number(std::string& out, double value, int decimals) {
    append_number(out, value, decimals, false, "null");
}

// A JSON string literal. Bytes that are not valid UTF-8 (a Latin-1 file name) become U+FFFD,
// since strict parsers reject the whole document otherwise.
void json_string(std::string& out, const std::string& text) {
    out += '"';
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
            ++i;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
        } else {
            // Lead byte: length and the smallest code point it may encode (no overlongs).
            const std::size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
            bool ok = len > 0 && len <= 4 && i + len <= n;
            char32_t cp = len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
            for (std::size_t k = 1; ok && k < len; ++k) {
                ok = (s[i + k] & 0xC0u) == 0x80u;
                cp = (cp << 6) | (s[i + k] & 0x3Fu);
            }
            ok = ok && !(len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) &&
                 !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF));
            if (ok) {
                out.append(text, i, len);
                i += len;
            } else {
                out += "\\ufffd";
                ++i;
            }
        }
    }
    out += '"';
}

void put(std::FILE* out, const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), out);
}

void append_settings(std::string& out, const TranscriptionInfo& info) {
    const std::pair<const char*, double> settings[] = {
        {"hop", info.track.hop},
        {"fmin", info.track.fmin},
        {"fmax", info.track.fmax},
        {"voicing_threshold", info.track.voicing_threshold},
        {"silence_db", info.track.silence_db},
        {"silence_below_loudest_db", info.track.silence_below_loudest_db},
        {"remove_hum", info.track.remove_hum ? 1.0 : 0.0},
        {"a4", info.notes.tuning.a4},
        {"min_duration", info.notes.min_duration},
        {"max_gap", info.notes.max_gap},
        {"split_cents", info.notes.split_cents},
        {"onset_rise_db", info.notes.onset_rise_db},
    };
    out += "  \"settings\": {";
    bool first = true;
    for (const auto& [key, value] : settings) {
        out += first ? "\"" : ", \"";
        out += key;
        out += "\": ";
        json_number(out, value, 6);
        first = false;
    }
    out += "},\n";
}

} // namespace

NoteCsvWriter::NoteCsvWriter(std::FILE* out) : out_(out) {
    std::fputs("onset,offset,frequency,midi,note,confidence\n", out_);
}

void NoteCsvWriter::write(const Note& note) {
    line_.clear();
    append_number(line_, note.onset, 3, true, "");
    line_ += ',';
    append_number(line_, note.offset, 3, true, "");
    line_ += ',';
    append_number(line_, note.frequency, 2, true, "");
    line_ += ',';
    line_ += std::to_string(note.midi);
    line_ += ',';
    line_ += note.name; // sharps and digits only: never needs quoting
    line_ += ',';
    append_number(line_, note.confidence, 3, true, "");
    line_ += '\n';
    put(out_, line_);
}

NoteTablePrinter::NoteTablePrinter(std::FILE* out) : out_(out) {
    std::fprintf(out_, "%9s  %7s  %-4s  %5s  %4s\n", "onset (s)", "dur (s)", "note", "cents",
                 "conf");
}

void NoteTablePrinter::write(const Note& note) {
    const auto finite = [](double v) { return std::isfinite(v) ? v : 0.0; };
    const long cents = std::lround(finite(note.cents));
    char cents_text[16];
    std::snprintf(cents_text, sizeof cents_text, cents == 0 ? "%ld" : "%+ld", cents);
    std::fprintf(out_, "%9.3f  %7.3f  %-4s  %5s  %4.2f\n", finite(note.onset),
                 finite(note.offset - note.onset), note.name.c_str(), cents_text,
                 finite(note.confidence));
}

JsonWriter::JsonWriter(std::FILE* out, const TranscriptionInfo& info)
    : out_(out), input_(info.input) {
    std::string head = "{\n  \"pitchscribe\": {\"version\": ";
    json_string(head, info.version);
    head += ", \"format\": 1},\n";
    append_settings(head, info);
    head += "  \"track\": {\"hop\": ";
    json_number(head, info.track.hop, 6);
    head += ", \"columns\": [\"time\", \"frequency\", \"confidence\", \"voiced\", \"level_db\"],"
            "\n    \"frames\": [";
    put(out_, head);
}

void JsonWriter::write_frame(const PitchFrame& frame) {
    line_.assign(first_frame_ ? "\n      [" : ",\n      [");
    first_frame_ = false;
    json_number(line_, frame.time, 6);
    line_ += ", ";
    json_number(line_, frame.frequency, 3);
    line_ += ", ";
    json_number(line_, frame.confidence, 4);
    line_ += frame.voiced ? ", 1, " : ", 0, ";
    json_number(line_, frame.level_db, 2);
    line_ += ']';
    put(out_, line_);
}

void JsonWriter::write_note(const Note& note) {
    notes_.push_back(note);
}

void JsonWriter::finish(const AnalysisSummary& summary) {
    std::string tail = first_frame_ ? "]},\n" : "\n    ]},\n";
    tail += "  \"notes\": [";
    for (std::size_t i = 0; i < notes_.size(); ++i) {
        const Note& n = notes_[i];
        tail += i == 0 ? "\n    {\"onset\": " : ",\n    {\"onset\": ";
        json_number(tail, n.onset, 4);
        tail += ", \"offset\": ";
        json_number(tail, n.offset, 4);
        tail += ", \"frequency\": ";
        json_number(tail, n.frequency, 3);
        tail += ", \"midi\": " + std::to_string(n.midi) + ", \"note\": ";
        json_string(tail, n.name);
        tail += ", \"cents\": ";
        json_number(tail, n.cents, 2);
        tail += ", \"confidence\": ";
        json_number(tail, n.confidence, 4);
        tail += ", \"level_db\": ";
        json_number(tail, n.level_db, 2);
        tail += ", \"velocity\": " + std::to_string(midi_velocity(n.level_db)) + "}";
    }
    tail += notes_.empty() ? "],\n" : "\n  ],\n";
    const AudioInfo& audio = summary.audio;
    const double duration =
        audio.sample_rate > 0 ? static_cast<double>(summary.samples) / audio.sample_rate : 0.0;
    tail += "  \"input\": {\"path\": ";
    json_string(tail, input_);
    tail += ", \"codec\": ";
    json_string(tail, audio.codec);
    tail += ", \"sample_rate\": " + std::to_string(audio.sample_rate) +
            ", \"channels\": " + std::to_string(audio.channels) + ", \"duration\": ";
    json_number(tail, duration, 6);
    tail += ", \"samples\": " + std::to_string(summary.samples) + "}\n}\n";
    put(out_, tail);
    notes_.clear();
}

void write_json(std::FILE* out, const TranscriptionInfo& info, const AnalysisSummary& summary,
                std::span<const Note> notes, std::span<const PitchFrame> track) {
    JsonWriter writer(out, info);
    for (const PitchFrame& frame : track)
        writer.write_frame(frame);
    for (const Note& note : notes)
        writer.write_note(note);
    writer.finish(summary);
}

} // namespace pitchscribe::cli

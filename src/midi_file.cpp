#include "pitchscribe/midi_file.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <tuple>

namespace pitchscribe {

namespace {

// The largest delta time a variable-length quantity can hold (4 bytes of 7 bits).
constexpr std::uint32_t kMaxTick = 0x0FFFFFFF;

double clamped_tempo(double bpm) {
    // 4 bpm keeps microseconds per quarter within the tempo event's 24 bits.
    return std::isfinite(bpm) ? std::clamp(bpm, 4.0, 1000.0) : 120.0;
}

class ChunkWriter {
public:
    void byte(unsigned value) { data_.push_back(static_cast<unsigned char>(value & 0xFFu)); }

    void bytes(std::initializer_list<unsigned> values) {
        for (unsigned value : values)
            byte(value);
    }

    void big_endian(std::uint32_t value, int bytes) {
        for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
            byte(value >> shift);
    }

    // MIDI's variable-length quantity: 7 bits per byte, most significant first.
    void vlq(std::uint32_t value) {
        unsigned char groups[4];
        int count = 0;
        do {
            groups[count++] = static_cast<unsigned char>(value & 0x7Fu);
            value >>= 7;
        } while (value != 0 && count < 4);
        while (count-- > 1)
            byte(groups[count] | 0x80u);
        byte(groups[0]);
    }

    void text_meta(std::uint32_t delta, unsigned type, const std::string& text) {
        vlq(delta);
        bytes({0xFF, type});
        vlq(static_cast<std::uint32_t>(text.size()));
        data_.insert(data_.end(), text.begin(), text.end());
    }

    void end_of_track() { bytes({0x00, 0xFF, 0x2F, 0x00}); }

    // Appends this writer's bytes to `file` as one MTrk chunk.
    void append_track(const ChunkWriter& track) {
        bytes({'M', 'T', 'r', 'k'});
        big_endian(static_cast<std::uint32_t>(track.data_.size()), 4);
        data_.insert(data_.end(), track.data_.begin(), track.data_.end());
    }

    std::vector<unsigned char> take() { return std::move(data_); }

private:
    std::vector<unsigned char> data_;
};

struct Span {
    std::uint32_t start = 0;
    std::uint32_t end = 0;
    int key = 0;
    int velocity = 0;
};

struct Event {
    std::uint32_t tick = 0;
    bool on = false;
    int key = 0;
    int velocity = 0;
};

// Rounds notes to ticks and removes overlaps between notes of the same pitch: on one channel
// a second note-on of a sounding key is ambiguous (readers pair note-offs FIFO or LIFO).
std::vector<Span> note_spans(std::span<const Note> notes, double bpm) {
    std::vector<Span> spans;
    spans.reserve(notes.size());
    for (const Note& note : notes) {
        if (!std::isfinite(note.onset) || !std::isfinite(note.offset)) continue;
        if (note.midi < 0 || note.midi > 127) continue;
        spans.push_back({midi_ticks(note.onset, bpm), midi_ticks(note.offset, bpm), note.midi,
                         midi_velocity(note.level_db)});
    }
    std::stable_sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return std::tie(a.key, a.start, a.end) < std::tie(b.key, b.start, b.end);
    });
    std::vector<Span> kept;
    kept.reserve(spans.size());
    for (std::size_t i = 0; i < spans.size(); ++i) {
        Span span = spans[i];
        span.end = std::max(span.end, span.start + 1); // a note shorter than a tick still sounds
        if (i + 1 < spans.size() && spans[i + 1].key == span.key)
            span.end = std::min(span.end, spans[i + 1].start);
        if (span.end > span.start) kept.push_back(span); // else: same key, same tick as the next
    }
    return kept;
}

std::vector<Event> note_events(const std::vector<Span>& spans) {
    std::vector<Event> events;
    events.reserve(2 * spans.size());
    for (const Span& span : spans) {
        events.push_back({span.start, true, span.key, span.velocity});
        events.push_back({span.end, false, span.key, 0});
    }
    // At equal ticks note-offs go first, so a note ending where the next one starts is
    // released before the next is struck.
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return std::make_tuple(a.tick, a.on, a.key) < std::make_tuple(b.tick, b.on, b.key);
    });
    return events;
}

} // namespace

std::uint32_t midi_ticks(double seconds, double tempo_bpm) {
    const double ticks = seconds * kMidiTicksPerQuarter * clamped_tempo(tempo_bpm) / 60.0;
    if (!(ticks > 0.0)) return 0; // negative or NaN
    return static_cast<std::uint32_t>(std::min(std::round(ticks), double{kMaxTick}));
}

int midi_velocity(double level_db) {
    if (std::isnan(level_db)) return 64;
    const double velocity = 127.0 + level_db * (107.0 / 60.0);
    return static_cast<int>(std::lround(std::clamp(velocity, 1.0, 127.0)));
}

std::vector<unsigned char> midi_file_bytes(std::span<const Note> notes,
                                           const MidiOptions& options) {
    const double bpm = clamped_tempo(options.tempo_bpm);
    const unsigned channel = static_cast<unsigned>(std::clamp(options.channel, 0, 15));
    const unsigned program = static_cast<unsigned>(std::clamp(options.program, 0, 127));

    ChunkWriter file;
    file.bytes({'M', 'T', 'h', 'd', 0, 0, 0, 6});
    file.bytes({0, 1, 0, 2}); // format 1, two tracks
    file.big_endian(kMidiTicksPerQuarter, 2);

    ChunkWriter conductor;
    conductor.text_meta(0, 0x03, options.title);
    conductor.vlq(0);
    conductor.bytes({0xFF, 0x51, 0x03});
    conductor.big_endian(static_cast<std::uint32_t>(std::lround(60'000'000.0 / bpm)), 3);
    conductor.vlq(0);
    // 4/4; 24 MIDI clocks per metronome click; 8 thirty-seconds per quarter.
    conductor.bytes({0xFF, 0x58, 0x04, 4, 2, 24, 8});
    conductor.end_of_track();
    file.append_track(conductor);

    ChunkWriter melody;
    melody.text_meta(0, 0x03, "melody");
    melody.vlq(0);
    melody.byte(0xC0 | channel);
    melody.byte(program);
    std::uint32_t now = 0;
    for (const Event& event : note_events(note_spans(notes, bpm))) {
        melody.vlq(event.tick - now);
        now = event.tick;
        melody.byte((event.on ? 0x90u : 0x80u) | channel);
        melody.byte(static_cast<unsigned>(event.key));
        melody.byte(event.on ? static_cast<unsigned>(event.velocity) : 64u);
    }
    melody.end_of_track();
    file.append_track(melody);
    return file.take();
}

} // namespace pitchscribe

#include "note_fixture.hpp"

#include <cmath>
#include <cstdint>
#include <gtest/gtest.h>
#include <pitchscribe/midi_file.hpp>
#include <string>
#include <vector>

namespace pitchscribe {
namespace {

using Bytes = std::vector<unsigned char>;

// A channel or meta event at an absolute tick, decoded independently of the writer.
struct Event {
    std::uint32_t tick;
    std::vector<unsigned> bytes; // status and data; for meta events FF, type, then the data
};

std::uint32_t read_u32(const Bytes& b, std::size_t at) {
    return (std::uint32_t{b.at(at)} << 24) | (std::uint32_t{b.at(at + 1)} << 16) |
           (std::uint32_t{b.at(at + 2)} << 8) | b.at(at + 3);
}

std::uint32_t read_vlq(const Bytes& b, std::size_t& at) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        const unsigned char c = b.at(at++);
        value = (value << 7) | (c & 0x7Fu);
        if ((c & 0x80u) == 0) return value;
    }
    ADD_FAILURE() << "variable-length quantity longer than 4 bytes";
    return value;
}

// Splits the file into its MTrk chunks and decodes their events (no running status).
std::vector<std::vector<Event>> read_tracks(const Bytes& file) {
    std::vector<std::vector<Event>> tracks;
    std::size_t at = 14;
    while (at < file.size()) {
        EXPECT_EQ(std::string(file.begin() + static_cast<long>(at),
                              file.begin() + static_cast<long>(at) + 4),
                  "MTrk");
        const std::size_t end = at + 8 + read_u32(file, at + 4);
        EXPECT_LE(end, file.size());
        at += 8;
        std::vector<Event> events;
        std::uint32_t tick = 0;
        while (at < end) {
            tick += read_vlq(file, at);
            Event e{tick, {file.at(at++)}};
            if (e.bytes[0] == 0xFF) {
                e.bytes.push_back(file.at(at++));
                const std::uint32_t len = read_vlq(file, at);
                for (std::uint32_t i = 0; i < len; ++i)
                    e.bytes.push_back(file.at(at++));
            } else {
                const int data = (e.bytes[0] & 0xF0u) == 0xC0u ? 1 : 2;
                for (int i = 0; i < data; ++i)
                    e.bytes.push_back(file.at(at++));
            }
            events.push_back(e);
        }
        EXPECT_EQ(at, end);
        tracks.push_back(events);
    }
    return tracks;
}

// Note on/off events only, as "on 60@960 v91" strings: easy to compare and to read.
std::vector<std::string> note_events(const Bytes& file) {
    std::vector<std::string> out;
    const auto tracks = read_tracks(file);
    for (const Event& e : tracks.at(1)) {
        const unsigned kind = e.bytes[0] & 0xF0u;
        if (kind == 0x90)
            out.push_back("on " + std::to_string(e.bytes[1]) + "@" + std::to_string(e.tick) + " v" +
                          std::to_string(e.bytes[2]));
        else if (kind == 0x80)
            out.push_back("off " + std::to_string(e.bytes[1]) + "@" + std::to_string(e.tick));
    }
    return out;
}

TEST(MidiFile, HeaderIsFormatOneWithTwoTracksAt480Ticks) {
    const Note notes[] = {make_note(40, 0.5, 1.0)};
    const Bytes file = midi_file_bytes(notes);
    const Bytes header = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 2, 0x01, 0xE0};
    ASSERT_GE(file.size(), header.size());
    EXPECT_EQ(Bytes(file.begin(), file.begin() + 14), header);
    EXPECT_EQ(read_tracks(file).size(), 2u);
}

TEST(MidiFile, ConductorTrackHasTempoTimeSignatureAndName) {
    const auto tracks = read_tracks(midi_file_bytes({}));
    const std::vector<Event> track = tracks.at(0);
    ASSERT_EQ(track.size(), 4u);
    for (const Event& e : track)
        EXPECT_EQ(e.tick, 0u);
    const std::vector<unsigned> name = {0xFF, 0x03, 'p', 'i', 't', 'c', 'h',
                                        's',  'c',  'r', 'i', 'b', 'e'};
    EXPECT_EQ(track[0].bytes, name);
    EXPECT_EQ(track[1].bytes, (std::vector<unsigned>{0xFF, 0x51, 0x07, 0xA1, 0x20}));
    EXPECT_EQ(track[2].bytes, (std::vector<unsigned>{0xFF, 0x58, 4, 2, 24, 8}));
    EXPECT_EQ(track[3].bytes, (std::vector<unsigned>{0xFF, 0x2F}));
}

TEST(MidiFile, TempoOptionChangesTempoEventAndTicks) {
    MidiOptions options;
    options.tempo_bpm = 90.0; // 666667 us per quarter, 720 ticks per second
    const Note notes[] = {make_note(60, 1.0, 2.0)};
    const Bytes file = midi_file_bytes(notes, options);
    EXPECT_EQ(read_tracks(file).at(0).at(1).bytes,
              (std::vector<unsigned>{0xFF, 0x51, 0x0A, 0x2C, 0x2B}));
    EXPECT_EQ(note_events(file), (std::vector<std::string>{"on 60@720 v91", "off 60@1440"}));
}

TEST(MidiFile, SecondsRoundToTicks) {
    EXPECT_EQ(midi_ticks(1.0, 120.0), 960u);
    EXPECT_EQ(midi_ticks(1.0, 60.0), 480u);
    EXPECT_EQ(midi_ticks(0.0005, 120.0), 0u);  // 0.48 ticks
    EXPECT_EQ(midi_ticks(0.00053, 120.0), 1u); // 0.51 ticks
    EXPECT_EQ(midi_ticks(2.4999, 120.0), 2400u);
    EXPECT_EQ(midi_ticks(-1.0, 120.0), 0u);
    EXPECT_EQ(midi_ticks(std::nan(""), 120.0), 0u);
}

TEST(MidiFile, VelocityIsLinearInDecibels) {
    EXPECT_EQ(midi_velocity(0.0), 127);
    EXPECT_EQ(midi_velocity(-60.0), 20);
    EXPECT_EQ(midi_velocity(-3.0), 122);
    EXPECT_EQ(midi_velocity(-20.0), 91);
    EXPECT_EQ(midi_velocity(-30.0), 74);
    EXPECT_EQ(midi_velocity(6.0), 127);
    EXPECT_EQ(midi_velocity(-120.0), 1);
    EXPECT_EQ(midi_velocity(-INFINITY), 1);
    EXPECT_EQ(midi_velocity(std::nan("")), 64);
    for (double db = -80; db < 0; db += 1)
        EXPECT_LE(midi_velocity(db), midi_velocity(db + 1));
}

TEST(MidiFile, NotesLandOnTheirTicksWithTheirVelocities) {
    const Note notes[] = {make_note(40, 0.5, 1.0, 1.0, -20.0), make_note(45, 1.25, 2.0, 1.0, 0.0)};
    const Bytes file = midi_file_bytes(notes);
    EXPECT_EQ(note_events(file), (std::vector<std::string>{"on 40@480 v91", "off 40@960",
                                                           "on 45@1200 v127", "off 45@1920"}));
    const std::vector<Event> track = read_tracks(file).at(1);
    EXPECT_EQ(track.front().bytes[0], 0xFFu); // the track name
    EXPECT_EQ(track.at(1).bytes, (std::vector<unsigned>{0xC0, 0}));
    EXPECT_EQ(track.back().bytes, (std::vector<unsigned>{0xFF, 0x2F}));
    EXPECT_EQ(track.back().tick, 1920u);
}

TEST(MidiFile, NoteOffComesBeforeNoteOnAtTheSameTick) {
    const Note other_pitch[] = {make_note(60, 0.0, 1.0), make_note(62, 1.0, 2.0)};
    EXPECT_EQ(
        note_events(midi_file_bytes(other_pitch)),
        (std::vector<std::string>{"on 60@0 v91", "off 60@960", "on 62@960 v91", "off 62@1920"}));
    const Note same_pitch[] = {make_note(60, 0.0, 1.0), make_note(60, 1.0, 2.0)};
    EXPECT_EQ(
        note_events(midi_file_bytes(same_pitch)),
        (std::vector<std::string>{"on 60@0 v91", "off 60@960", "on 60@960 v91", "off 60@1920"}));
}

TEST(MidiFile, OverlappingNotesOfOnePitchAreCutAtTheNextOnset) {
    const Note notes[] = {make_note(60, 1.0, 2.0), make_note(60, 0.0, 1.5)}; // out of order
    EXPECT_EQ(
        note_events(midi_file_bytes(notes)),
        (std::vector<std::string>{"on 60@0 v91", "off 60@960", "on 60@960 v91", "off 60@1920"}));
}

TEST(MidiFile, OverlappingNotesOfDifferentPitchesKeepTheirLengths) {
    const Note notes[] = {make_note(60, 0.0, 1.5), make_note(64, 1.0, 2.0)};
    EXPECT_EQ(
        note_events(midi_file_bytes(notes)),
        (std::vector<std::string>{"on 60@0 v91", "on 64@960 v91", "off 60@1440", "off 64@1920"}));
}

TEST(MidiFile, ANoteShorterThanATickLastsOneTick) {
    const Note notes[] = {make_note(60, 1.0, 1.0002)};
    EXPECT_EQ(note_events(midi_file_bytes(notes)),
              (std::vector<std::string>{"on 60@960 v91", "off 60@961"}));
}

TEST(MidiFile, UnrepresentableNotesAreLeftOut) {
    Note nan_onset = make_note(60, 0.0, 1.0);
    nan_onset.onset = std::nan("");
    const Note notes[] = {make_note(128, 0.0, 1.0), make_note(-1, 0.0, 1.0), nan_onset,
                          make_note(61, 0.0, 1.0)};
    EXPECT_EQ(note_events(midi_file_bytes(notes)),
              (std::vector<std::string>{"on 61@0 v91", "off 61@960"}));
}

TEST(MidiFile, ProgramAndChannelOptions) {
    MidiOptions options;
    options.program = 24; // nylon guitar
    options.channel = 2;
    const Note notes[] = {make_note(52, 0.0, 0.5)};
    const std::vector<Event> track = read_tracks(midi_file_bytes(notes, options)).at(1);
    ASSERT_EQ(track.size(), 5u);
    EXPECT_EQ(track[1].bytes, (std::vector<unsigned>{0xC2, 24}));
    EXPECT_EQ(track[2].bytes, (std::vector<unsigned>{0x92, 52, 91}));
    EXPECT_EQ(track[3].bytes, (std::vector<unsigned>{0x82, 52, 64}));
}

TEST(MidiFile, EmptyNoteListGivesAValidFile) {
    const Bytes file = midi_file_bytes({});
    const auto tracks = read_tracks(file);
    ASSERT_EQ(tracks.size(), 2u);
    ASSERT_EQ(tracks[1].size(), 3u); // name, program change, end of track
    EXPECT_EQ(tracks[1][2].bytes, (std::vector<unsigned>{0xFF, 0x2F}));
    EXPECT_TRUE(note_events(file).empty());
}

TEST(MidiFile, LongDeltasUseMultiByteQuantities) {
    const Note notes[] = {make_note(60, 3600.0, 3601.0)}; // tick 3456000 needs 4 VLQ bytes
    EXPECT_EQ(note_events(midi_file_bytes(notes)),
              (std::vector<std::string>{"on 60@3456000 v91", "off 60@3456960"}));
}

} // namespace
} // namespace pitchscribe

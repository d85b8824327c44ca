#include "memory_file.hpp"
#include "note_fixture.hpp"
#include "note_writers.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pitchscribe/midi_file.hpp>
#include <string>
#include <vector>

namespace pitchscribe::cli {
namespace {

std::vector<Note> two_notes() {
    return {make_note(40, 0.5, 2.25, 0.9712, -20.0, -3.4),
            make_note(61, 2.3004, 3.0, 0.5, -20.0, 12.2)};
}

TEST(NoteWriters, CsvHasHeaderAndFixedDecimals) {
    MemoryFile file;
    NoteCsvWriter csv(file.stream());
    for (const Note& n : two_notes())
        csv.write(n);
    EXPECT_EQ(file.text(), "onset,offset,frequency,midi,note,confidence\n"
                           "0.500,2.250,82.25,40,E2,0.971\n"
                           "2.300,3.000,279.14,61,C#4,0.500\n");
}

TEST(NoteWriters, CsvLeavesNonFiniteFieldsEmptyAndHasNoNegativeZero) {
    Note n = make_note(69, -0.0001, 1.0, 1.0);
    n.frequency = std::nan("");
    n.confidence = INFINITY;
    MemoryFile file;
    NoteCsvWriter csv(file.stream());
    csv.write(n);
    EXPECT_EQ(file.text(), "onset,offset,frequency,midi,note,confidence\n"
                           "0.000,1.000,,69,A4,\n");
}

TEST(NoteWriters, TableShowsNamesCentsAndDurations) {
    MemoryFile file;
    NoteTablePrinter table(file.stream());
    for (const Note& n : two_notes())
        table.write(n);
    table.write(make_note(64, 3.0, 3.5, 0.8, -20.0, 0.2));
    const std::string text = file.text();
    EXPECT_EQ(text, "onset (s)  dur (s)  note  cents  conf\n"
                    "    0.500    1.750  E2       -3  0.97\n"
                    "    2.300    0.700  C#4     +12  0.50\n"
                    "    3.000    0.500  E4        0  0.80\n");
}

TranscriptionInfo info_for_tests() {
    TranscriptionInfo info;
    info.version = "0.1.0";
    info.input = "songs/take \"1\".wav";
    info.track.hop = 0.01;
    info.notes.tuning.a4 = 442.0;
    return info;
}

AnalysisSummary summary_for_tests() {
    AnalysisSummary s;
    s.audio.sample_rate = 44100;
    s.audio.channels = 2;
    s.audio.codec = "pcm_s16le";
    s.samples = 44100 * 3 + 22050;
    return s;
}

std::vector<PitchFrame> frames() {
    std::vector<PitchFrame> track(5);
    for (std::size_t i = 0; i < track.size(); ++i) {
        track[i].time = 0.01 * static_cast<double>(i);
        track[i].voiced = i >= 2;
        track[i].frequency = i >= 2 ? 82.4 + static_cast<double>(i) : 0.0;
        track[i].confidence = 0.25 * static_cast<double>(i);
        track[i].level_db = -30.5;
    }
    return track;
}

TEST(JsonWriter, DocumentParsesAndRoundTripsNotesAndTrack) {
    const std::vector<Note> notes = two_notes();
    MemoryFile file;
    write_json(file.stream(), info_for_tests(), summary_for_tests(), notes, frames());
    const std::string text = file.text();
    const nlohmann::json doc = nlohmann::json::parse(text);

    EXPECT_EQ(doc["pitchscribe"]["version"], "0.1.0");
    EXPECT_EQ(doc["pitchscribe"]["format"], 1);
    EXPECT_EQ(doc["input"]["path"], "songs/take \"1\".wav");
    EXPECT_EQ(doc["input"]["sample_rate"], 44100);
    EXPECT_EQ(doc["input"]["channels"], 2);
    EXPECT_EQ(doc["input"]["codec"], "pcm_s16le");
    EXPECT_DOUBLE_EQ(doc["input"]["duration"].get<double>(), 3.5);
    EXPECT_DOUBLE_EQ(doc["settings"]["hop"].get<double>(), 0.01);
    EXPECT_DOUBLE_EQ(doc["settings"]["a4"].get<double>(), 442.0);
    EXPECT_DOUBLE_EQ(doc["settings"]["fmin"].get<double>(), TrackConfig{}.fmin);
    EXPECT_DOUBLE_EQ(doc["settings"]["min_duration"].get<double>(), NoteConfig{}.min_duration);

    ASSERT_EQ(doc["notes"].size(), notes.size());
    for (std::size_t i = 0; i < notes.size(); ++i) {
        const nlohmann::json& n = doc["notes"][i];
        EXPECT_NEAR(n["onset"].get<double>(), notes[i].onset, 1e-4);
        EXPECT_NEAR(n["offset"].get<double>(), notes[i].offset, 1e-4);
        EXPECT_NEAR(n["frequency"].get<double>(), notes[i].frequency, 1e-3);
        EXPECT_EQ(n["midi"], notes[i].midi);
        EXPECT_EQ(n["note"], notes[i].name);
        EXPECT_NEAR(n["cents"].get<double>(), notes[i].cents, 0.005);
        EXPECT_NEAR(n["confidence"].get<double>(), notes[i].confidence, 1e-4);
        EXPECT_EQ(n["velocity"], midi_velocity(notes[i].level_db));
    }

    const nlohmann::json& track = doc["track"];
    EXPECT_DOUBLE_EQ(track["hop"].get<double>(), 0.01);
    EXPECT_EQ(track["columns"],
              (nlohmann::json{"time", "frequency", "confidence", "voiced", "level_db"}));
    const std::vector<PitchFrame> expected = frames();
    ASSERT_EQ(track["frames"].size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const nlohmann::json& row = track["frames"][i];
        ASSERT_EQ(row.size(), 5u);
        EXPECT_NEAR(row[0].get<double>(), expected[i].time, 1e-9);
        EXPECT_NEAR(row[1].get<double>(), expected[i].frequency, 1e-9);
        EXPECT_NEAR(row[2].get<double>(), expected[i].confidence, 1e-9);
        EXPECT_EQ(row[3], expected[i].voiced ? 1 : 0);
        EXPECT_DOUBLE_EQ(row[4].get<double>(), -30.5);
    }
}

TEST(JsonWriter, NonFiniteNumbersBecomeNull) {
    std::vector<Note> notes = two_notes();
    notes[0].cents = std::nan("");
    notes[1].level_db = -INFINITY;
    std::vector<PitchFrame> track = frames();
    track[3].frequency = INFINITY;
    track[4].level_db = std::nan("");
    MemoryFile file;
    write_json(file.stream(), info_for_tests(), summary_for_tests(), notes, track);
    const std::string text = file.text();
    for (const char* bad : {"nan", "NaN", "inf", "Inf"})
        EXPECT_EQ(text.find(bad), std::string::npos) << bad;
    const nlohmann::json doc = nlohmann::json::parse(text);
    EXPECT_TRUE(doc["notes"][0]["cents"].is_null());
    EXPECT_TRUE(doc["notes"][1]["level_db"].is_null());
    EXPECT_EQ(doc["notes"][1]["velocity"], 1);
    EXPECT_TRUE(doc["track"]["frames"][3][1].is_null());
    EXPECT_TRUE(doc["track"]["frames"][4][4].is_null());
}

TEST(JsonWriter, EmptyRunIsAValidDocument) {
    MemoryFile file;
    write_json(file.stream(), info_for_tests(), AnalysisSummary{}, {}, {});
    const nlohmann::json doc = nlohmann::json::parse(file.text());
    EXPECT_TRUE(doc["notes"].is_array());
    EXPECT_TRUE(doc["notes"].empty());
    EXPECT_TRUE(doc["track"]["frames"].empty());
    EXPECT_EQ(doc["input"]["duration"], 0);
}

TEST(JsonWriter, StringsAreEscapedAndInvalidUtf8Replaced) {
    TranscriptionInfo info = info_for_tests();
    info.input = std::string("caf\xc3\xa9 \\ \t\x01 \xe9t\xe9 \xf0\x9f\x8e\xb8 \xc0\xaf.wav");
    MemoryFile file;
    write_json(file.stream(), info, summary_for_tests(), {}, {});
    const nlohmann::json doc = nlohmann::json::parse(file.text()); // throws on bad UTF-8
    EXPECT_EQ(doc["input"]["path"].get<std::string>(),
              "caf\xc3\xa9 \\ \t\x01 \xef\xbf\xbdt\xef\xbf\xbd \xf0\x9f\x8e\xb8 "
              "\xef\xbf\xbd\xef\xbf\xbd.wav");
}

TEST(JsonWriter, StreamingMatchesTheOneCallWriter) {
    const std::vector<Note> notes = two_notes();
    const std::vector<PitchFrame> track = frames();
    MemoryFile whole, streamed;
    write_json(whole.stream(), info_for_tests(), summary_for_tests(), notes, track);
    JsonWriter writer(streamed.stream(), info_for_tests());
    // Notes arrive interleaved with frames in the CLI; the document must not change.
    writer.write_frame(track[0]);
    writer.write_note(notes[0]);
    for (std::size_t i = 1; i < track.size(); ++i)
        writer.write_frame(track[i]);
    writer.write_note(notes[1]);
    writer.finish(summary_for_tests());
    EXPECT_EQ(whole.text(), streamed.text());
}

} // namespace
} // namespace pitchscribe::cli

// Framing of the stream: frame times, frame count, chunking, short inputs, long hops.
#include "track_helpers.hpp"

#include <cmath>

namespace pitchscribe::test {
namespace {

TEST(PitchTrack, FramesAreCentredAtMultiplesOfTheHop) {
    const double rate = 44100.0;
    const auto frames = track(sine(330.0, rate, 2.0), rate);
    ASSERT_EQ(frames.size(), 200u); // centres 0.00 .. 1.99 s; 2.00 s is past the last sample
    for (std::size_t i = 0; i < frames.size(); ++i)
        EXPECT_DOUBLE_EQ(frames[i].time, static_cast<double>(i) * 0.01);
}

TEST(PitchTrack, FrameCountFollowsTheHopAtAwkwardRates) {
    TrackConfig config;
    config.hop = 0.0123;
    const double rate = 22050.0; // hop = 271.215 samples
    const auto frames = track(sine(200.0, rate, 1.0), rate, config);
    const auto expected = static_cast<std::size_t>(std::floor((rate - 1.0) / (0.0123 * rate))) + 1;
    EXPECT_EQ(frames.size(), expected);
    EXPECT_NEAR(frames.back().time, static_cast<double>(expected - 1) * 0.0123, 1e-12);
}

// Frames are cut in batches of about 64 K input samples (148 frames at 44.1 kHz, 136 at
// 48 kHz); the last frames can lie past a batch whose own last frames read beyond the end
// (found by fuzz_decode_analyze: a 1.37 s opus file lost its last two frames).
TEST(PitchTrack, FrameCountIsRightAroundBatchBoundaries) {
    for (const double rate : {44100.0, 48000.0}) {
        const double hop = 0.01 * rate;
        for (const std::size_t frames_in_batch : {136u, 148u, 272u, 296u})
            for (int delta = -1500; delta <= 1500; delta += 97) {
                const auto n =
                    static_cast<std::size_t>(static_cast<double>(frames_in_batch) * hop + delta);
                const auto frames = track(std::vector<float>(n, 0.0f), rate);
                const auto expected =
                    static_cast<std::size_t>(std::floor(static_cast<double>(n - 1) / hop)) + 1;
                ASSERT_EQ(frames.size(), expected) << rate << " Hz, " << n << " samples";
                ASSERT_NEAR(frames.back().time, static_cast<double>(expected - 1) * 0.01, 1e-9);
            }
    }
}

TEST(PitchTrack, ChunkSizeDoesNotChangeTheTrack) {
    const double rate = 16000.0;
    auto signal = harmonic_complex(150.0, rate, 1.3, {1.0, 0.5, 0.25});
    const auto whole = track(signal, rate);
    for (std::size_t chunk : {1u, 7u, 160u, 999u, 50000u}) {
        auto tracker = PitchTracker::create(rate, {});
        ASSERT_TRUE(tracker.has_value());
        std::vector<PitchFrame> frames;
        const FrameSink sink = [&](const PitchFrame& f) { frames.push_back(f); };
        for (std::size_t at = 0; at < signal.size(); at += chunk)
            tracker->push({signal.data() + at, std::min(chunk, signal.size() - at)}, sink);
        tracker->finish(sink);
        ASSERT_EQ(frames.size(), whole.size()) << "chunk " << chunk;
        for (std::size_t i = 0; i < frames.size(); ++i) {
            EXPECT_EQ(frames[i].frequency, whole[i].frequency) << "chunk " << chunk;
            EXPECT_EQ(frames[i].voiced, whole[i].voiced) << "chunk " << chunk;
        }
    }
}

TEST(PitchTrack, InputShorterThanOneFrameStillGetsItsPitch) {
    const double rate = 44100.0;
    // 30 ms of A4: shorter than the 50 ms frame that fmin = 40 Hz asks for.
    const auto frames = track(sine(440.0, rate, 0.03), rate);
    ASSERT_EQ(frames.size(), 3u);
    std::size_t voiced = 0;
    for (const auto& f : frames) {
        if (!f.voiced) continue;
        ++voiced;
        EXPECT_LT(std::abs(cents(f.frequency, 440.0)), 5.0) << "at " << f.time;
    }
    EXPECT_GE(voiced, 2u);
}

TEST(PitchTrack, ATenthOfASecondNoteIsFound) {
    const double rate = 48000.0;
    std::vector<float> signal(static_cast<std::size_t>(rate * 0.5), 0.0f);
    const auto note = sine(523.25, rate, 0.1);
    std::copy(note.begin(), note.end(), signal.begin() + static_cast<std::ptrdiff_t>(rate * 0.2));
    const auto frames = track(signal, rate);
    for (const auto& f : frames) {
        if (f.voiced) { // frames overlapping the note by at least a few milliseconds
            EXPECT_GT(f.time, 0.17);
            EXPECT_LT(f.time, 0.33);
        }
        if (f.time >= 0.2 && f.time <= 0.3) { // centred on the note
            EXPECT_TRUE(f.voiced) << "at " << f.time;
            EXPECT_LT(std::abs(cents(f.frequency, 523.25)), 10.0) << "at " << f.time;
        }
    }
}

// A quiet recording: two notes at -55 and -65 dBFS RMS (peaks at -52 dBFS), under the fixed
// -60 dBFS gate. The gate follows the loudest frame so far down (30 dB under it), so both are
// tracked; with the relative gate off, the quieter note is silence.
TEST(PitchTrack, AQuietRecordingKeepsItsNotes) {
    const double rate = 44100.0;
    auto signal = sine(220.0, rate, 0.5, std::sqrt(2.0) * std::pow(10.0, -55.0 / 20.0));
    const auto second = sine(330.0, rate, 0.5, std::sqrt(2.0) * std::pow(10.0, -65.0 / 20.0));
    signal.insert(signal.end(), second.begin(), second.end());
    auto voiced_share = [](const std::vector<PitchFrame>& frames, double from, double to,
                           double hz) {
        std::size_t n = 0, near = 0;
        for (const auto& f : frames) {
            if (f.time < from || f.time > to) continue;
            ++n;
            near += f.voiced && std::abs(cents(f.frequency, hz)) < 10.0 ? 1 : 0;
        }
        return double(near) / double(n);
    };
    const auto frames = track(signal, rate);
    EXPECT_GT(voiced_share(frames, 0.1, 0.4, 220.0), 0.95);
    EXPECT_GT(voiced_share(frames, 0.6, 0.9, 330.0), 0.95);
    TrackConfig fixed;
    fixed.silence_below_loudest_db = 0.0;
    const auto gated = track(signal, rate, fixed);
    EXPECT_GT(voiced_share(gated, 0.1, 0.4, 220.0), 0.95);
    EXPECT_EQ(voiced_share(gated, 0.6, 0.9, 330.0), 0.0);
}

TEST(PitchTrack, HopLongerThanAFrameSkipsAhead) {
    TrackConfig config;
    config.hop = 0.25;
    const double rate = 8000.0;
    const auto frames = track(sine(100.0, rate, 2.0), rate, config);
    ASSERT_EQ(frames.size(), 8u);
    for (std::size_t i = 1; i + 1 < frames.size(); ++i) {
        EXPECT_TRUE(frames[i].voiced);
        EXPECT_LT(std::abs(cents(frames[i].frequency, 100.0)), 5.0);
    }
}

TEST(PitchTrack, EmptyInputGivesNoFrames) {
    EXPECT_TRUE(track({}, 44100.0).empty());
}

TEST(PitchTrack, FmaxAboveAQuarterOfTheRateIsClampedNotRefused) {
    const auto frames = track(sine(440.0, 6000.0, 0.5), 6000.0); // default fmax 2000 > 1500
    EXPECT_LT(std::abs(stats(frames, 440.0).median_cents), 5.0);
}

TEST(PitchTrack, OutOfRangeSettingsNameTheOption) {
    TrackConfig config;
    config.hop = 0.0;
    auto bad = PitchTracker::create(44100.0, config);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message, "--hop must be > 0");
    config = {};
    config.fmin = 500.0;
    config.fmax = 400.0;
    EXPECT_EQ(validate(config).error().message, "--fmin must be less than --fmax");
    config = {};
    config.silence_below_loudest_db = -1.0;
    EXPECT_EQ(validate(config).error().message, "the relative silence gate must be >= 0 dB");
}

TEST(PitchTrack, AnalysisRateFollowsFmax) {
    auto at = [](double rate, TrackConfig config) {
        auto tracker = PitchTracker::create(rate, config);
        EXPECT_TRUE(tracker.has_value());
        return tracker ? tracker->analysis_rate() : 0.0;
    };
    EXPECT_EQ(at(44100.0, {}), 22050.0); // fmax 2000 Hz: 44.1 kHz / 2
    EXPECT_EQ(at(48000.0, {}), 24000.0);
    EXPECT_EQ(at(96000.0, {}), 24000.0);
    EXPECT_EQ(at(16000.0, {}), 16000.0); // too close to fmax to decimate
    TrackConfig off;
    off.decimate = false;
    EXPECT_EQ(at(44100.0, off), 44100.0);
    TrackConfig low;
    low.fmax = 200.0;
    EXPECT_EQ(at(44100.0, low), 44100.0 / 16.0); // the largest factor
}

// Decimation changes the analysis, not the framing: same frames, same times, same pitch.
TEST(PitchTrack, DecimationKeepsFramesAndPitch) {
    for (double rate : {22050.0, 44100.0, 48000.0, 96000.0}) {
        const auto signal = harmonic_complex(146.83, rate, 1.237, {0.4, 1.0, 0.6, 0.5, 0.3, 0.2});
        TrackConfig off;
        off.decimate = false;
        const auto full = track(signal, rate, off);
        const auto decimated = track(signal, rate);
        ASSERT_EQ(decimated.size(), full.size()) << rate;
        for (std::size_t i = 0; i < full.size(); ++i)
            EXPECT_EQ(decimated[i].time, full[i].time);
        const TrackStats a = stats(full, 146.83), b = stats(decimated, 146.83);
        EXPECT_LT(std::abs(b.median_cents), 2.0) << rate;
        EXPECT_NEAR(b.voiced_share, a.voiced_share, 0.02) << rate;
        EXPECT_EQ(b.octave_errors, 0u) << rate;
    }
}

// No group delay: a tone starting at 0.5 s turns voiced at the same frame as without
// decimation (give or take one).
TEST(PitchTrack, DecimationDoesNotDelayOnsets) {
    const double rate = 44100.0;
    std::vector<float> signal(static_cast<std::size_t>(rate), 0.0f);
    const auto note = sine(392.0, rate, 0.4);
    std::copy(note.begin(), note.end(), signal.begin() + static_cast<std::ptrdiff_t>(rate * 0.5));
    TrackConfig off;
    off.decimate = false;
    auto first_voiced = [](const std::vector<PitchFrame>& frames) {
        for (const auto& f : frames)
            if (f.voiced) return f.time;
        return -1.0;
    };
    const double full = first_voiced(track(signal, rate, off));
    const double decimated = first_voiced(track(signal, rate));
    EXPECT_GT(full, 0.4);
    EXPECT_NEAR(decimated, full, 0.0101);
}

// Frames are analysed in parallel batches but the track is the same, bit for bit.
TEST(PitchTrack, ThreadCountDoesNotChangeTheTrack) {
    const double rate = 44100.0;
    auto signal = harmonic_complex(220.0, rate, 3.3, {1.0, 0.5, 0.3});
    const auto noise = white_noise(rate, 3.3, 0.2, 11);
    for (std::size_t i = 0; i < signal.size(); ++i)
        signal[i] = (i / 20000 % 2 ? 0.5f : 0.05f) * signal[i] + noise[i];
    const auto reference = track(signal, rate);
    for (int threads : {2, 3, 5}) {
        TrackConfig config;
        config.threads = threads;
        auto tracker = PitchTracker::create(rate, config);
        ASSERT_TRUE(tracker.has_value());
        std::vector<PitchFrame> frames;
        const FrameSink sink = [&](const PitchFrame& f) { frames.push_back(f); };
        for (std::size_t at = 0; at < signal.size(); at += 777)
            tracker->push({signal.data() + at, std::min<std::size_t>(777, signal.size() - at)},
                          sink);
        tracker->finish(sink);
        ASSERT_EQ(frames.size(), reference.size()) << threads;
        for (std::size_t i = 0; i < frames.size(); ++i) {
            EXPECT_EQ(frames[i].time, reference[i].time);
            EXPECT_EQ(frames[i].frequency, reference[i].frequency) << threads << " at " << i;
            EXPECT_EQ(frames[i].confidence, reference[i].confidence);
            EXPECT_EQ(frames[i].voiced, reference[i].voiced);
            EXPECT_EQ(frames[i].level_db, reference[i].level_db);
        }
    }
}

TEST(PitchTrack, ThreadsMustBeAtLeastOne) {
    TrackConfig config;
    config.threads = 0;
    EXPECT_EQ(validate(config).error().message, "--threads must be >= 1");
    config.threads = -3;
    EXPECT_FALSE(PitchTracker::create(44100.0, config).has_value());
}

} // namespace
} // namespace pitchscribe::test

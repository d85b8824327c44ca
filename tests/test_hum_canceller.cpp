// Mains hum removal: a steady buzz goes after two seconds, music (and a G1 beside 50 Hz)
// passes bit for bit, and notes in the rests of a buzzing recording disappear.
#include "hum_canceller.hpp"
#include "test_signals.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <numbers>
#include <pitchscribe/notes.hpp>
#include <pitchscribe/pitch_track.hpp>
#include <vector>

namespace {

using namespace pitchscribe;
using namespace pitchscribe::test;

// A 60 Hz buzz: harmonics 1-3 at 1, 0.5, 0.3, at `db` dBFS RMS overall.
std::vector<float> buzz(double rate, double seconds, double db, double hz = 60.0) {
    std::vector<float> out(static_cast<std::size_t>(rate * seconds));
    const double scale = std::pow(10.0, db / 20.0) * std::sqrt(2.0) / std::sqrt(1.0 + 0.25 + 0.09);
    for (std::size_t n = 0; n < out.size(); ++n) {
        const double t = double(n) / rate, w = 2.0 * std::numbers::pi * hz * t;
        out[n] = float(
            scale * (std::sin(w) + 0.5 * std::sin(2.0 * w + 1.0) + 0.3 * std::sin(3.0 * w + 2.0)));
    }
    return out;
}

double rms_db(const std::vector<float>& x, std::size_t from, std::size_t to) {
    double sum = 0.0;
    for (std::size_t n = from; n < to; ++n)
        sum += double(x[n]) * x[n];
    return 10.0 * std::log10(sum / double(to - from) + 1e-30);
}

TEST(HumCanceller, ASteadyBuzzIsRemovedAfterTwoSeconds) {
    for (double rate : {8000.0, 44100.0, 48000.0})
        for (double hz : {50.0, 60.0}) {
            auto x = buzz(rate, 6.0, -50.0, hz * 1.0004); // mains a little sharp
            detail::HumCanceller canceller(rate);
            canceller.process(x.data(), x.size());
            EXPECT_EQ(canceller.removing(), 3u) << rate << " Hz, " << hz << " Hz mains";
            EXPECT_LT(rms_db(x, std::size_t(3.0 * rate), x.size()), -80.0)
                << rate << " Hz, " << hz << " Hz mains";
        }
}

// A hum that stops (an amplifier switched off, an edit) is no longer removed from the block
// after: removing it any longer would add it back, inverted.
TEST(HumCanceller, AHumThatStopsIsNoLongerRemoved) {
    const double rate = 44100.0;
    auto x = buzz(rate, 8.0, -50.0);
    std::fill(x.begin() + std::ptrdiff_t(4.0 * rate), x.end(), 0.0f);
    detail::HumCanceller canceller(rate);
    canceller.process(x.data(), x.size());
    EXPECT_EQ(canceller.removing(), 0u);
    for (std::size_t n = std::size_t(5.0 * rate); n < x.size(); ++n)
        ASSERT_EQ(x[n], 0.0f) << "at " << double(n) / rate << " s";
}

TEST(HumCanceller, HowTheStreamIsCutDoesNotMatter) {
    const double rate = 22050.0;
    const auto input = buzz(rate, 4.0, -40.0);
    auto whole = input;
    detail::HumCanceller one(rate);
    one.process(whole.data(), whole.size());
    for (std::size_t chunk : {1u, 37u, 4096u}) {
        auto pieces = input;
        detail::HumCanceller cut(rate);
        for (std::size_t at = 0; at < pieces.size(); at += chunk)
            cut.process(pieces.data() + at, std::min(chunk, pieces.size() - at));
        EXPECT_EQ(pieces, whole) << "chunks of " << chunk;
    }
}

// Held tones are not hum: a G1 (49 Hz) peaks beside 50 Hz, and a harmonic complex on A2
// (110 Hz) has partials at 220 and 330 Hz, none at 50 k or 60 k Hz. Both pass bit for bit.
TEST(HumCanceller, HeldNotesPassUntouched) {
    const double rate = 44100.0;
    for (double hz : {49.0, 110.0, 120.5}) {
        const auto input = harmonic_complex(hz, rate, 5.0, {0.3, 0.2, 0.1, 0.05});
        auto output = input;
        detail::HumCanceller canceller(rate);
        canceller.process(output.data(), output.size());
        EXPECT_EQ(output, input) << hz << " Hz";
    }
}

// A melody with rests over a 60 Hz buzz at -50 dBFS: after the first two seconds, no note
// at the buzz's pitch (B1, A#1) and every melody note found.
TEST(HumCanceller, NoNotesInTheRestsOfABuzzingRecording) {
    const double rate = 44100.0;
    auto signal = buzz(rate, 8.0, -50.0);
    const double melody[] = {220.0, 261.63, 329.63, 293.66, 246.94};
    for (int i = 0; i < 5; ++i) { // 0.4 s notes from 2.5 s, 0.8 s apart
        const auto note = harmonic_complex(melody[i], rate, 0.4, {0.1, 0.05, 0.03});
        const auto at = static_cast<std::size_t>((2.5 + 0.8 * i) * rate);
        for (std::size_t n = 0; n < note.size(); ++n)
            signal[at + n] += note[n];
    }
    for (bool remove : {true, false}) {
        TrackConfig config;
        config.remove_hum = remove;
        auto tracker = PitchTracker::create(rate, config);
        ASSERT_TRUE(tracker.has_value());
        NoteSegmenter segmenter;
        std::vector<Note> notes;
        const NoteSink keep = [&](const Note& n) {
            if (n.onset > 2.0) notes.push_back(n);
        };
        const FrameSink sink = [&](const PitchFrame& f) { segmenter.push(f, keep); };
        tracker->push(signal, sink);
        tracker->finish(sink);
        segmenter.finish(keep);
        std::vector<std::string> names;
        for (const Note& n : notes)
            names.push_back(n.name);
        if (remove) {
            EXPECT_EQ(names, (std::vector<std::string>{"A3", "C4", "E4", "D4", "B3"}));
        } else { // the test's premise: without removal the rests hold buzz notes
            EXPECT_GT(names.size(), 5u);
        }
    }
}

} // namespace

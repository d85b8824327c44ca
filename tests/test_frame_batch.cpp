// Frame batches: the input a batch needs is bounded and located right, and a frame's estimate
// does not depend on how frames are grouped into batches.
#include "frame_batch.hpp"
#include "test_signals.hpp"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <tuple>

namespace pitchscribe::test {
namespace {

using detail::BatchAnalyzer;
using detail::Decimator;
using detail::FrameBatch;
using detail::FrameGeometry;

FrameGeometry geometry_for(double rate, std::size_t factor, double hop, const Decimator* d,
                           std::size_t frame_size) {
    FrameGeometry g;
    g.hop = hop;
    g.input_rate = rate;
    g.analysis_rate = rate / static_cast<double>(factor);
    g.factor = factor;
    g.delay = d ? d->delay() : 0;
    g.frame_size = frame_size;
    g.level_frame = factor > 1 ? frame_size * factor + 3 : 0;
    return g;
}

TEST(FrameGeometry, BatchesStayWithinTheirBound) {
    const Decimator by2(2), by3(3);
    for (const auto& [rate, factor, d] : {std::tuple{44100.0, 2u, &by2},
                                          {48000.0, 3u, &by3},
                                          {22050.0, 1u, static_cast<const Decimator*>(nullptr)}})
        for (double hop : {0.0001, 0.0037, 0.01, 0.0123, 0.5}) {
            const FrameGeometry g = geometry_for(rate, factor, hop, d, 1135);
            for (std::size_t frames : {1u, 7u, 148u, 256u}) {
                const std::size_t bound = g.max_batch_input(frames);
                for (std::size_t first = 0; first < 3000; first += 37) {
                    const std::size_t last = first + frames - 1;
                    ASSERT_LE(g.input_end(last) - g.input_begin(first),
                              static_cast<std::int64_t>(bound))
                        << rate << " Hz, hop " << hop << ", frames " << first << ".." << last;
                    ASSERT_LE(g.input_begin(first), g.input_begin(first + 1));
                    ASSERT_LE(g.input_end(first), g.input_end(first + 1));
                    // Frame i's analysis window, decimated, and its level window are inside.
                    ASSERT_LE(g.input_begin(first),
                              g.analysis_start(first) * static_cast<std::int64_t>(factor) -
                                  static_cast<std::int64_t>(g.delay));
                    ASSERT_LE(g.input_begin(first), g.level_start(first));
                }
            }
        }
}

const Decimator& by2() {
    static const Decimator decimator(2);
    return decimator;
}

MpmDetector detector_at_22050() {
    MpmConfig config;
    config.sample_rate = 22050.0;
    auto detector = MpmDetector::create(config);
    EXPECT_TRUE(detector.has_value());
    return std::move(*detector);
}

// The geometry analyse() uses: 44.1 kHz halved, a 10 ms hop.
FrameGeometry batch_geometry() {
    return geometry_for(44100.0, 2, 0.01, &by2(), detector_at_22050().frame_size());
}

// Analyses frames [0, total) in batches of `size` frames over `signal` (zeros outside it).
std::vector<PitchEstimate> analyse(const std::vector<float>& signal, std::size_t size,
                                   std::size_t total) {
    const FrameGeometry g = batch_geometry();
    BatchAnalyzer analyzer(detector_at_22050(), &by2(), g, size);
    std::vector<PitchEstimate> out;
    FrameBatch batch;
    batch.input.resize(g.max_batch_input(size));
    batch.estimates.resize(size);
    for (std::size_t first = 0; first < total; first += size) {
        batch.first = first;
        batch.count = std::min(size, total - first);
        batch.input_begin = g.input_begin(first);
        const std::int64_t end = g.input_end(first + batch.count - 1);
        for (std::int64_t n = batch.input_begin; n < end; ++n) {
            const bool inside = n >= 0 && n < static_cast<std::int64_t>(signal.size());
            batch.input[static_cast<std::size_t>(n - batch.input_begin)] =
                inside ? signal[static_cast<std::size_t>(n)] : 0.0f;
        }
        analyzer.analyze(batch);
        out.insert(out.end(), batch.estimates.begin(),
                   batch.estimates.begin() + static_cast<std::ptrdiff_t>(batch.count));
    }
    return out;
}

TEST(BatchAnalyzer, EstimatesDoNotDependOnTheBatching) {
    std::vector<float> signal = harmonic_complex(196.0, 44100.0, 0.6, {1.0, 0.5, 0.3});
    const std::vector<float> noise = white_noise(44100.0, 0.6, 0.05);
    for (std::size_t i = 0; i < signal.size(); ++i)
        signal[i] += noise[i];
    const auto reference = analyse(signal, 61, 61);
    ASSERT_EQ(reference.size(), 61u);
    EXPECT_NEAR(cents(reference[30].frequency, 196.0), 0.0, 5.0);
    EXPECT_GT(reference[30].rms, 0.1); // the full-band level
    for (std::size_t size : {1u, 4u, 7u, 60u}) {
        const auto batched = analyse(signal, size, 61);
        ASSERT_EQ(batched.size(), reference.size());
        for (std::size_t i = 0; i < batched.size(); ++i) {
            ASSERT_EQ(batched[i].frequency, reference[i].frequency) << size << " at " << i;
            ASSERT_EQ(batched[i].clarity, reference[i].clarity) << size << " at " << i;
            ASSERT_EQ(batched[i].rms, reference[i].rms) << size << " at " << i;
        }
    }
}

// A frame's level is the RMS about the mean of its full-rate window, read from fixed blocks
// plus its two ends: the same as from its samples, even under a DC offset 70 dB above the
// rest (where sum(x^2) - n mean^2 in float would be all rounding).
TEST(BatchAnalyzer, TheLevelIsTheCentredRmsOfTheFullRateWindow) {
    std::vector<float> signal = white_noise(44100.0, 0.6, 1e-4);
    for (float& x : signal)
        x += 0.3f;
    const FrameGeometry g = batch_geometry();
    const auto estimates = analyse(signal, 7, 61);
    std::vector<float> window(g.level_frame);
    for (std::size_t i = 0; i < estimates.size(); ++i) {
        for (std::size_t k = 0; k < window.size(); ++k) {
            const std::int64_t n = g.level_start(i) + static_cast<std::int64_t>(k);
            const bool inside = n >= 0 && n < static_cast<std::int64_t>(signal.size());
            window[k] = inside ? signal[static_cast<std::size_t>(n)] : 0.0f;
        }
        double mean = 0.0, squares = 0.0; // in double, two passes
        for (float x : window)
            mean += x / static_cast<double>(window.size());
        for (float x : window)
            squares += (x - mean) * (x - mean);
        const double expected = std::sqrt(squares / static_cast<double>(window.size()));
        EXPECT_NEAR(estimates[i].rms, expected, 1e-5 * expected) << i;
    }
    EXPECT_NEAR(estimates[30].rms, 1e-4 / std::sqrt(3.0), 1e-5); // uniform noise's RMS
}

} // namespace
} // namespace pitchscribe::test

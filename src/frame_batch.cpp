#include "frame_batch.hpp"

#include "float8.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace pitchscribe::detail {

// The products are formed as (i * hop) * rate, in one fixed order, so that every caller
// puts frame i at the same sample.
std::int64_t FrameGeometry::analysis_start(std::size_t i) const {
    return std::llround(static_cast<double>(i) * hop * analysis_rate) -
           static_cast<std::int64_t>(frame_size / 2);
}

std::int64_t FrameGeometry::level_start(std::size_t i) const {
    return std::llround(static_cast<double>(i) * hop * input_rate) -
           static_cast<std::int64_t>(level_frame / 2);
}

std::int64_t FrameGeometry::input_begin(std::size_t i) const {
    const auto f = static_cast<std::int64_t>(factor);
    const std::int64_t filter = analysis_start(i) * f - static_cast<std::int64_t>(delay);
    return factor == 1 ? filter : std::min(filter, level_start(i));
}

std::int64_t FrameGeometry::input_end(std::size_t i) const {
    const auto f = static_cast<std::int64_t>(factor);
    const std::int64_t last = analysis_start(i) + static_cast<std::int64_t>(frame_size) - 1;
    const std::int64_t filter = last * f + static_cast<std::int64_t>(delay) + 1;
    return factor == 1 ? filter
                       : std::max(filter, level_start(i) + static_cast<std::int64_t>(level_frame));
}

std::size_t FrameGeometry::max_batch_input(std::size_t frames) const {
    // One frame's reach plus the hops between the first and last frame, with a margin for
    // the rounding of each frame's position.
    const auto reach = static_cast<std::size_t>(input_end(0) - input_begin(0));
    const double hops = std::ceil(static_cast<double>(frames - 1) * hop * input_rate);
    return reach + static_cast<std::size_t>(hops) + 4 * factor + 4;
}

std::size_t FrameGeometry::max_batch_analysis(std::size_t frames) const {
    const double hops = std::ceil(static_cast<double>(frames - 1) * hop * analysis_rate);
    return frame_size + static_cast<std::size_t>(hops) + 4;
}

BatchAnalyzer::BatchAnalyzer(MpmDetector detector, const Decimator* decimator,
                             const FrameGeometry& geometry, std::size_t max_frames)
    : detector_(std::move(detector)), decimator_(decimator), geometry_(geometry),
      decimated_(decimator ? geometry.max_batch_analysis(max_frames) : 0),
      phases_(decimator ? decimator->scratch_size(decimated_.size()) : 0),
      blocks_(decimator ? geometry.max_batch_input(max_frames) / kLevelBlock + 2 : 0) {}

namespace {

// Rounded down and up, for either sign of a (b > 0).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - (a % b != 0 && a < 0 ? 1 : 0);
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
    return floor_div(a + b - 1, b);
}

} // namespace

Moments& Moments::operator+=(const Moments& other) {
    if (other.count == 0.0) return *this;
    const double total = count + other.count;
    const double delta = other.mean - mean;
    mean += delta * other.count / total;
    squares += other.squares + delta * delta * count * other.count / total;
    count = total;
    return *this;
}

double Moments::centred_rms() const {
    return count > 0.0 ? std::sqrt(std::max(squares, 0.0) / count) : 0.0;
}

Moments Moments::of_equal_runs(const Moments* runs, std::size_t n) {
    if (n == 0) return {};
    const double reference = runs[0].mean;
    double offsets = 0.0, squares = 0.0;
    for (std::size_t r = 0; r < n; ++r) {
        const double off = runs[r].mean - reference;
        offsets += off;
        squares += runs[r].squares + runs[r].count * off * off;
    }
    const double count = runs[0].count * static_cast<double>(n);
    const double mean_off = offsets / static_cast<double>(n);
    return {count, reference + mean_off, std::max(squares - count * mean_off * mean_off, 0.0)};
}

double BatchAnalyzer::level_rms(const FrameBatch& batch, std::int64_t start) const {
    const auto block = static_cast<std::int64_t>(kLevelBlock);
    const std::int64_t end = start + static_cast<std::int64_t>(geometry_.level_frame);
    const float* input = batch.input.data() - batch.input_begin; // indexed by input sample
    const std::int64_t from = ceil_div(start, block), to = floor_div(end, block);
    if (to <= from) return Moments::of(input + start, geometry_.level_frame).centred_rms();
    Moments m = Moments::of_equal_runs(&blocks_[static_cast<std::size_t>(from - first_block_)],
                                       static_cast<std::size_t>(to - from));
    m += Moments::of(input + start, static_cast<std::size_t>(from * block - start));
    m += Moments::of(input + to * block, static_cast<std::size_t>(end - to * block));
    return m.centred_rms();
}

void BatchAnalyzer::analyze(FrameBatch& batch) {
    const FrameGeometry& g = geometry_;
    if (batch.count == 0) return;
    const std::int64_t first = g.analysis_start(batch.first);
    // The analysis stream this batch reads, and the index of its first sample.
    const float* stream = batch.input.data();
    std::int64_t stream_begin = batch.input_begin;
    if (decimator_) {
        const std::int64_t end = g.analysis_start(batch.first + batch.count - 1) +
                                 static_cast<std::int64_t>(g.frame_size);
        const std::int64_t input_at =
            first * static_cast<std::int64_t>(g.factor) - static_cast<std::int64_t>(g.delay);
        decimator_->decimate(batch.input.data() + (input_at - batch.input_begin),
                             static_cast<std::size_t>(end - first), decimated_.data(),
                             phases_.data());
        stream = decimated_.data();
        stream_begin = first;
    }
    if (decimator_) {
        // The blocks wholly inside the batch's level windows.
        const auto block = static_cast<std::int64_t>(kLevelBlock);
        const std::int64_t lo = g.level_start(batch.first);
        const std::int64_t hi =
            g.level_start(batch.first + batch.count - 1) + static_cast<std::int64_t>(g.level_frame);
        first_block_ = ceil_div(lo, block);
        const float* input = batch.input.data() - batch.input_begin;
        for (std::int64_t b = first_block_; b < floor_div(hi, block); ++b)
            blocks_[static_cast<std::size_t>(b - first_block_)] =
                Moments::of(input + b * block, kLevelBlock);
    }
    for (std::size_t k = 0; k < batch.count; ++k) {
        const std::size_t i = batch.first + k;
        PitchEstimate estimate =
            detector_.analyze({stream + (g.analysis_start(i) - stream_begin), g.frame_size});
        // With decimation the level still comes from the full-band input, so the silence
        // gate does not depend on the analysis rate.
        if (decimator_) estimate.rms = level_rms(batch, g.level_start(i));
        batch.estimates[k] = estimate;
    }
}

namespace {

// Eight lanes (stored from a vector: no vector-typed argument, whose ABI differs between
// the clones) added in a fixed order, in double.
inline double lanes_total(const float (&lanes)[8]) {
    return (double(lanes[0] + lanes[4]) + double(lanes[1] + lanes[5])) +
           (double(lanes[2] + lanes[6]) + double(lanes[3] + lanes[7]));
}

} // namespace

// Two passes: the mean, then the energy about it, each in eight lanes.
__attribute__((target_clones("avx2", "default"))) Moments Moments::of(const float* x,
                                                                      std::size_t n) {
    if (n == 0) return {};
    const std::size_t whole = n - n % 8;
    Float8 lanes{};
    for (std::size_t k = 0; k < whole; k += 8) {
        Float8 v;
        std::memcpy(&v, x + k, sizeof v);
        lanes += v;
    }
    float stored[8];
    std::memcpy(stored, &lanes, sizeof stored);
    double sum = lanes_total(stored);
    for (std::size_t k = whole; k < n; ++k)
        sum += x[k];
    const auto count = static_cast<double>(n);
    const auto mean = static_cast<float>(sum / count);
    lanes = Float8{};
    for (std::size_t k = 0; k < whole; k += 8) {
        Float8 v;
        std::memcpy(&v, x + k, sizeof v);
        v -= mean;
        lanes += v * v;
    }
    std::memcpy(stored, &lanes, sizeof stored);
    double energy = lanes_total(stored);
    for (std::size_t k = whole; k < n; ++k)
        energy += (x[k] - mean) * (x[k] - mean);
    // About the exact mean rather than its float rounding (n (m - mean)^2 less).
    const double exact = sum / count, off = exact - static_cast<double>(mean);
    return {count, exact, std::max(energy - count * off * off, 0.0)};
}

} // namespace pitchscribe::detail

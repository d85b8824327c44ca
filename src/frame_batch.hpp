// Internal: frames analysed in batches. A batch is a run of consecutive frames together with
// the stretch of input samples they read; analysing it needs nothing else, so batches can be
// analysed on any thread, in any order, and give the same estimates bit for bit.
#pragma once

#include "decimator.hpp"
#include "pitchscribe/mpm.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pitchscribe::detail {

// Where frame i lies, in input samples (index 0 = the first input sample; negative indices
// and those past the end are zeros). The detector reads frame_size samples of the analysis
// stream (the input decimated by `factor`) from analysis_start(i); each of them is a filter
// output that reads the input within delay samples of it. The frame's level is the RMS of
// the full-rate window an undecimated analysis would cut, from level_start(i).
struct FrameGeometry {
    double hop = 0.01;              // seconds between frame centres
    double input_rate = 44100.0;    // Hz
    double analysis_rate = 44100.0; // input_rate / factor
    std::size_t factor = 1;
    std::size_t delay = 0;       // the decimating filter's half length (0 without one)
    std::size_t frame_size = 0;  // analysis-stream samples per frame
    std::size_t level_frame = 0; // input samples in the level window (with factor > 1)

    std::int64_t analysis_start(std::size_t i) const;
    std::int64_t level_start(std::size_t i) const;
    // Input samples [input_begin(i), input_end(i)) are all that frame i reads; both are
    // non-decreasing in i.
    std::int64_t input_begin(std::size_t i) const;
    std::int64_t input_end(std::size_t i) const;
    // Bounds, for any run of `frames` consecutive frames, on the input samples it reads and
    // on the analysis-stream samples it needs.
    std::size_t max_batch_input(std::size_t frames) const;
    std::size_t max_batch_analysis(std::size_t frames) const;
};

struct FrameBatch {
    std::size_t first = 0; // frames [first, first + count)
    std::size_t count = 0;
    std::int64_t input_begin = 0;         // input[k] is input sample input_begin + k
    std::vector<float> input;             // sized once for the longest batch
    std::vector<PitchEstimate> estimates; // one per frame; rms holds the frame's level
};

// Count, mean and sum of squared deviations of a run of samples; two runs' moments combine
// exactly (Chan et al.), so a window's level is the sum of its blocks' without the
// cancellation of sum(x^2) - n mean^2 under a large DC offset.
struct Moments {
    double count = 0.0;
    double mean = 0.0;
    double squares = 0.0;

    static Moments of(const float* x, std::size_t n); // two passes: the mean, then about it
    // n runs of equal length combined at once: about the first one's mean (a DC offset
    // cancels there), without the division += makes per run.
    static Moments of_equal_runs(const Moments* runs, std::size_t n);
    Moments& operator+=(const Moments& other);
    double centred_rms() const;
};

constexpr std::size_t kLevelBlock = 64; // input samples per block of a frame's level window

// One thread's analysis state: a detector and the decimation buffers.
class BatchAnalyzer {
public:
    // `decimator` is shared by every analyzer (read only) and outlives them; null when the
    // input is analysed at its own rate.
    BatchAnalyzer(MpmDetector detector, const Decimator* decimator, const FrameGeometry& geometry,
                  std::size_t max_frames);

    // Fills batch.estimates[0 .. count) from batch.input. No allocation.
    void analyze(FrameBatch& batch);

private:
    // The level window of the frame whose window starts at input sample `start`: its
    // blocks' moments combined, and only the samples at its two ends read.
    double level_rms(const FrameBatch& batch, std::int64_t start) const;

    MpmDetector detector_;
    const Decimator* decimator_;
    FrameGeometry geometry_;
    std::vector<float> decimated_;
    std::vector<float> phases_; // the decimator's scratch
    // The batch's kLevelBlock-sample blocks at fixed input positions (block b holds samples
    // b * kLevelBlock ..): their count, mean and sum of squares about it (see Moments).
    std::int64_t first_block_ = 0;
    std::vector<Moments> blocks_;
};

} // namespace pitchscribe::detail

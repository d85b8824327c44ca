// The real-time contract: after construction, analysis performs no heap allocation.
#include "test_signals.hpp"

#include <atomic>
#include <cstdlib>
#include <gtest/gtest.h>
#include <new>
#include <pitchscribe/mpm.hpp>
#include <pitchscribe/pitch_track.hpp>
#include <utility>
#include <vector>

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    return operator new(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

namespace pitchscribe::test {
namespace {

TEST(NoAllocation, DetectorAnalyzeDoesNotAllocate) {
    auto detector = MpmDetector::create({});
    ASSERT_TRUE(detector.has_value());
    const auto signal = harmonic_complex(196.0, 44100.0, 0.5, {1.0, 0.5, 0.3});
    const long before = allocations.load();
    double sum = 0.0;
    for (std::size_t at = 0; at + detector->frame_size() <= signal.size(); at += 441)
        sum += detector->analyze({signal.data() + at, detector->frame_size()}).frequency;
    EXPECT_EQ(allocations.load() - before, 0);
    EXPECT_GT(sum, 0.0);
}

// Streams a 330 Hz tone through a tracker made by create(); returns the allocations made
// by push() and finish(), and the voiced frames seen.
std::pair<long, std::size_t> tracker_allocations(double rate, double seconds,
                                                 const TrackConfig& config) {
    auto tracker = PitchTracker::create(rate, config);
    EXPECT_TRUE(tracker.has_value());
    if (!tracker) return {-1, 0};
    const auto signal = harmonic_complex(330.0, rate, seconds, {1.0, 0.4});
    std::size_t frames = 0;
    const FrameSink sink = [&](const PitchFrame& f) { frames += f.voiced ? 1 : 0; };
    const long before = allocations.load();
    for (std::size_t at = 0; at < signal.size(); at += 1000)
        tracker->push({signal.data() + at, std::min<std::size_t>(1000, signal.size() - at)}, sink);
    tracker->finish(sink);
    return {allocations.load() - before, frames};
}

TEST(NoAllocation, TrackerPushAndFinishDoNotAllocate) {
    const auto [allocated, frames] = tracker_allocations(48000.0, 2.0, {});
    EXPECT_EQ(allocated, 0);
    EXPECT_GT(frames, 150u);
}

// At 8 kHz the detector samples the NSDF at thirds of a sample (its own buffers and plan).
TEST(NoAllocation, OversampledDetectorAtEightKilohertzDoesNotAllocate) {
    const auto [allocated, frames] = tracker_allocations(8000.0, 2.0, {});
    EXPECT_EQ(allocated, 0);
    EXPECT_GT(frames, 150u);
}

TEST(NoAllocation, ThreadedTrackerPushAndFinishDoNotAllocate) {
    TrackConfig config;
    config.threads = 2; // the workers and their batch are set up by create()
    const auto [allocated, frames] = tracker_allocations(44100.0, 4.0, config);
    EXPECT_EQ(allocated, 0);
    EXPECT_GT(frames, 350u);
}

TEST(NoAllocation, CounterSeesAllocations) { // the test above could not fail without this
    const long before = allocations.load();
    auto* p = new std::vector<int>(100);
    delete p;
    EXPECT_GE(allocations.load() - before, 2);
}

} // namespace
} // namespace pitchscribe::test

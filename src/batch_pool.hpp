// Internal: a ring of frame batches analysed by worker threads. The caller fills the slots
// in order and takes the analysed batches back in the same order, so the track does not
// depend on which thread analysed what. While the caller waits for a result it analyses
// queued batches itself, so it is one of the pool's threads.
#pragma once

#include "frame_batch.hpp"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace pitchscribe::detail {

class BatchPool {
public:
    // analyzers[0] belongs to the caller; one worker thread starts for each further one.
    // Each of the `slots` batches holds `input_capacity` samples and `max_frames` frames.
    BatchPool(std::vector<BatchAnalyzer> analyzers, std::size_t slots, std::size_t input_capacity,
              std::size_t max_frames);
    ~BatchPool(); // stops and joins the workers
    BatchPool(const BatchPool&) = delete;
    BatchPool& operator=(const BatchPool&) = delete;

    // The batch to fill next. Fill it only while filling_free().
    FrameBatch& filling() { return slots_[fill_].batch; }
    bool filling_free();
    // Queues filling() for analysis; the next slot of the ring becomes filling().
    void submit();
    // The oldest queued batch once it is analysed; null when none is queued, or when it is
    // not analysed yet and `wait` is false. Hand it back with release().
    FrameBatch* oldest_result(bool wait);
    void release();

private:
    enum class State { Free, Queued, Busy, Done };
    struct Slot {
        FrameBatch batch;
        State state = State::Free;
    };

    // Locks only when there are workers: a single-threaded pool takes no lock.
    std::unique_lock<std::mutex> lock();
    // Marks the oldest queued slot busy and returns its index, or slots_.size() if none.
    std::size_t claim();
    void analyze_on(std::size_t analyzer, std::size_t slot, std::unique_lock<std::mutex>& held);
    void work(std::size_t analyzer);
    void stop();

    std::vector<BatchAnalyzer> analyzers_;
    std::vector<Slot> slots_;
    std::size_t fill_ = 0;        // the slot being filled
    std::size_t oldest_ = 0;      // the oldest slot handed to submit() and not released
    std::size_t outstanding_ = 0; // slots submitted and not released
    std::mutex mutex_;
    std::condition_variable queued_, done_;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

} // namespace pitchscribe::detail

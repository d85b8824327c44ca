#include "batch_pool.hpp"

namespace pitchscribe::detail {

BatchPool::BatchPool(std::vector<BatchAnalyzer> analyzers, std::size_t slots,
                     std::size_t input_capacity, std::size_t max_frames)
    : analyzers_(std::move(analyzers)), slots_(slots) {
    for (Slot& slot : slots_) {
        slot.batch.input.assign(input_capacity, 0.0f);
        slot.batch.estimates.resize(max_frames);
    }
    workers_.reserve(analyzers_.size() - 1);
    try {
        for (std::size_t k = 1; k < analyzers_.size(); ++k)
            workers_.emplace_back([this, k] { work(k); });
    } catch (...) { // no thread left joinable when the constructor fails
        stop();
        throw;
    }
}

BatchPool::~BatchPool() {
    stop();
}

void BatchPool::stop() {
    {
        std::lock_guard guard(mutex_);
        stopping_ = true;
    }
    queued_.notify_all();
    for (std::thread& t : workers_)
        t.join();
    workers_.clear();
}

std::unique_lock<std::mutex> BatchPool::lock() {
    return workers_.empty() ? std::unique_lock<std::mutex>(mutex_, std::defer_lock)
                            : std::unique_lock<std::mutex>(mutex_);
}

bool BatchPool::filling_free() {
    auto held = lock();
    return slots_[fill_].state == State::Free;
}

void BatchPool::submit() {
    {
        auto held = lock();
        slots_[fill_].state = State::Queued;
        ++outstanding_;
    }
    if (!workers_.empty()) queued_.notify_one();
    fill_ = (fill_ + 1) % slots_.size();
}

std::size_t BatchPool::claim() {
    for (std::size_t n = 0, k = oldest_; n < outstanding_; ++n, k = (k + 1) % slots_.size()) {
        if (slots_[k].state == State::Queued) {
            slots_[k].state = State::Busy;
            return k;
        }
    }
    return slots_.size();
}

// Analyses a claimed slot with the lock released (the slot is this thread's while Busy).
void BatchPool::analyze_on(std::size_t analyzer, std::size_t slot,
                           std::unique_lock<std::mutex>& held) {
    if (held.owns_lock()) held.unlock();
    analyzers_[analyzer].analyze(slots_[slot].batch);
    if (!workers_.empty()) held.lock();
    slots_[slot].state = State::Done;
}

FrameBatch* BatchPool::oldest_result(bool wait) {
    auto held = lock();
    for (;;) {
        if (outstanding_ == 0) return nullptr;
        if (slots_[oldest_].state == State::Done) return &slots_[oldest_].batch;
        if (!wait) return nullptr;
        if (const std::size_t slot = claim(); slot < slots_.size())
            analyze_on(0, slot, held);
        else
            done_.wait(held); // only reached with workers, which hold the other slots
    }
}

void BatchPool::release() {
    auto held = lock();
    slots_[oldest_].state = State::Free;
    oldest_ = (oldest_ + 1) % slots_.size();
    --outstanding_;
}

void BatchPool::work(std::size_t analyzer) {
    std::unique_lock held(mutex_);
    for (;;) {
        std::size_t slot = slots_.size();
        queued_.wait(held, [&] { return stopping_ || (slot = claim()) < slots_.size(); });
        if (stopping_) {
            if (slot < slots_.size()) slots_[slot].state = State::Queued;
            return;
        }
        analyze_on(analyzer, slot, held);
        done_.notify_one();
    }
}

} // namespace pitchscribe::detail

// The smallest (or largest) of the last `span` values of a stream, O(1) amortised per value
// and no allocation after construction: a ring used as a deque of (index, value) pairs whose
// values rise (fall) from the front, so the front is the extreme. Internal to the library.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace pitchscribe::detail {

// Compare: std::less<> keeps the minimum, std::greater<> the maximum.
template <typename Compare> class SlidingExtreme {
public:
    explicit SlidingExtreme(std::size_t span) : ring_(std::max<std::size_t>(span, 1)) {}

    std::size_t span() const { return ring_.size(); }

    // Adds the next value and returns the extreme of the last span() values.
    double push(double value) {
        while (count_ > 0 && !Compare{}(at(count_ - 1).second, value))
            --count_; // outdone by the newer value for as long as either stays in the window
        if (count_ > 0 && at(0).first + ring_.size() <= pushed_) { // the front left the window
            head_ = (head_ + 1) % ring_.size();
            --count_;
        }
        at(count_++) = {pushed_++, value};
        return at(0).second;
    }

private:
    std::pair<std::size_t, double>& at(std::size_t k) { return ring_[(head_ + k) % ring_.size()]; }

    std::vector<std::pair<std::size_t, double>> ring_;
    std::size_t head_ = 0, count_ = 0, pushed_ = 0;
};

using SlidingMinimum = SlidingExtreme<std::less<>>;

} // namespace pitchscribe::detail

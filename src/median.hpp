// The median of a few values, reordering them in place (no allocation). Internal.
#pragma once

#include <algorithm>
#include <span>

namespace pitchscribe::detail {

// The median of `values` (the mean of the middle two for an even count); 0 when empty.
inline double median(std::span<double> values) {
    if (values.empty()) return 0.0;
    const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end());
    if (values.size() % 2 == 1) return *mid;
    return (*mid + *std::max_element(values.begin(), mid)) / 2.0;
}

} // namespace pitchscribe::detail

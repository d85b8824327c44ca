// The sliding minimum / maximum against a brute-force scan of the same window.
#include "sliding_extreme.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <random>
#include <vector>

namespace {

using namespace pitchscribe::detail;

template <typename Compare> void expect_matches_scan(std::size_t span) {
    std::mt19937 random(static_cast<unsigned>(span));
    std::uniform_int_distribution<int> value(0, 9); // small range: many ties
    SlidingExtreme<Compare> extreme(span);
    std::vector<double> seen;
    for (int i = 0; i < 500; ++i) {
        seen.push_back(value(random));
        const auto from = seen.end() - std::ptrdiff_t(std::min(span, seen.size()));
        const double expected = *std::min_element(from, seen.end(), Compare{});
        ASSERT_EQ(extreme.push(seen.back()), expected) << "span " << span << ", value " << i;
    }
}

TEST(SlidingExtreme, MinimumAndMaximumMatchAScanOfTheWindow) {
    for (std::size_t span : {1u, 2u, 3u, 7u, 150u}) {
        expect_matches_scan<std::less<>>(span);
        expect_matches_scan<std::greater<>>(span);
    }
}

TEST(SlidingExtreme, ASpanOfZeroActsAsOne) {
    SlidingMinimum minimum(0);
    EXPECT_EQ(minimum.span(), 1u);
    EXPECT_EQ(minimum.push(3.0), 3.0);
    EXPECT_EQ(minimum.push(5.0), 5.0);
}

} // namespace

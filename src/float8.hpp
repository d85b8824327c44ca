// Internal: eight floats as one vector (GCC/Clang vector extensions, no -ffast-math needed):
// one register with AVX2, two SSE registers otherwise; target_clones picks the code at load
// time. Code using it sums in a fixed order (no FMA), so the bits do not depend on the machine,
// and loads it with std::memcpy, never passing or returning it across a call (its ABI
// differs between the clones).
#pragma once

namespace pitchscribe::detail {

using Float8 = float __attribute__((vector_size(32)));
// Lane indices for __builtin_shuffle of Float8s, and the type a Float8 comparison yields.
using Int8 = int __attribute__((vector_size(32)));

} // namespace pitchscribe::detail

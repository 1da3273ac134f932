#pragma once
// Single-writer counters read by another thread at scrape time: relaxed atomics, no locks, no
// read-modify-write instruction on the hot path (the one writer loads, adds and stores).
// Each layer keeps its own stats struct built from these (transport/transport_stats.h,
// sfu/shard_stats.h); metrics/ only renders them (docs/DESIGN.md, "Metrics").

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sfu::base {

// Adds n to a counter that only the calling thread writes.
inline void Bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

inline double Read(const std::atomic<uint64_t>& c) {
  return static_cast<double>(c.load(std::memory_order_relaxed));
}

// A histogram with fixed upper bounds (the last bucket is +Inf), single writer, relaxed atomics.
template <size_t N>
struct FixedHistogram {
  explicit constexpr FixedHistogram(std::array<double, N> upper) : bounds(upper) {}
  void Observe(double v) {
    size_t i = 0;
    while (i < N && v > bounds[i]) ++i;
    Bump(counts[i]);
    sum.store(sum.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
  }
  std::array<double, N> bounds;
  std::array<std::atomic<uint64_t>, N + 1> counts{};  // per bucket (not cumulative)
  std::atomic<double> sum{0};
};

}  // namespace sfu::base

#pragma once
// Per-shard counters. Single writer (the shard's thread) with relaxed atomics; read by the
// control thread at scrape time and summed/labelled there. No locks on the media path.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace sfu::metrics {

enum class DropReason : uint8_t {
  kNoTransport = 0,  // datagram from an address no transport owns
  kMalformed,        // failed to parse
  kTooLarge,         // larger than a packet slot
  kCount
};
std::string_view DropReasonName(DropReason r);

struct ShardStats {
  void Add(std::atomic<uint64_t>& c, uint64_t n = 1) { c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void Drop(DropReason r) { Add(drops[static_cast<size_t>(r)]); }

  std::atomic<uint64_t> packets_in{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> packets_out{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> tasks_run{0};  // cross-thread tasks executed on the shard
  std::array<std::atomic<uint64_t>, static_cast<size_t>(DropReason::kCount)> drops{};
  std::atomic<int64_t> rooms{0};
  std::atomic<int64_t> transports{0};
  std::atomic<bool> running{false};
};

}  // namespace sfu::metrics

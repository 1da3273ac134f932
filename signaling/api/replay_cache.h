#pragma once
// Signatures of non-idempotent API requests seen within the SigV4 validity window, so a
// captured request cannot be sent again to create another meeting (docs/SECURITY.md, "Replay").
// Bounded: at most `capacity` entries; when full the oldest entry is forgotten first (counted:
// such a signature could then be replayed until its own window ends). Pure, single-threaded.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace sfu::api {

class ReplayCache {
 public:
  explicit ReplayCache(size_t capacity = 100'000) : capacity_(capacity) {}

  // True if `signature` was recorded and has not expired (a replay); otherwise records it until
  // expires_ms and returns false.
  bool SeenOrRecord(std::string_view signature, int64_t expires_ms, int64_t now_ms);

  size_t size() const { return set_.size(); }
  uint64_t evicted_early() const { return evicted_early_; }

 private:
  struct Entry {
    int64_t expires_ms;
    std::string signature;
  };
  size_t capacity_;
  std::deque<Entry> order_;  // by insertion; expiry times are close to insertion order
  std::unordered_set<std::string_view> set_;  // views into order_'s strings (deque keeps addresses)
  uint64_t evicted_early_ = 0;
};

}  // namespace sfu::api

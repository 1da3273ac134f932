#pragma once
// Lets one event through per interval and counts the ones held back, for log lines that an
// attacker or a failing syscall could otherwise repeat without bound (accept failures, refused
// signatures). Pure: the caller passes the time. Thread: one owner (no locking).
//
//   if (uint64_t held = 0; limiter.Allow(now_ms, &held))
//     SFU_LOG(kWarn, "accept failed").Kv("suppressed", held);

#include <cstdint>

namespace sfu::base {

class RateLimitedEvent {
 public:
  explicit RateLimitedEvent(int64_t interval_ms) : interval_ms_(interval_ms) {}

  // True for the first event and then at most once per interval. *held_back gets the number of
  // events refused since the last one allowed.
  bool Allow(int64_t now_ms, uint64_t* held_back) {
    if (have_last_ && now_ms - last_ms_ < interval_ms_) {
      ++held_;
      return false;
    }
    have_last_ = true;
    last_ms_ = now_ms;
    *held_back = held_;
    held_ = 0;
    return true;
  }

 private:
  int64_t interval_ms_;
  int64_t last_ms_ = 0;
  bool have_last_ = false;
  uint64_t held_ = 0;
};

}  // namespace sfu::base

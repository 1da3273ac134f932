#include "signaling/api/replay_cache.h"

namespace sfu::api {

bool ReplayCache::SeenOrRecord(std::string_view signature, int64_t expires_ms, int64_t now_ms) {
  // Forget what expired (entries are roughly in expiry order: each is now + the same window).
  while (!order_.empty() && order_.front().expires_ms <= now_ms) {
    set_.erase(order_.front().signature);
    order_.pop_front();
  }
  if (set_.count(signature)) return true;
  if (capacity_ == 0) return false;
  if (order_.size() >= capacity_) {
    set_.erase(order_.front().signature);
    order_.pop_front();
    ++evicted_early_;
  }
  order_.push_back({expires_ms, std::string(signature)});
  set_.insert(order_.back().signature);
  return false;
}

}  // namespace sfu::api

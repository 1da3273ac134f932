#include "signaling/api/rate_limiter.h"

#include <algorithm>

namespace sfu::api {

TokenBucketLimiter::TokenBucketLimiter(double rate_per_second, double burst, size_t max_keys)
    : rate_(rate_per_second),
      burst_(std::max(1.0, burst)),
      max_keys_(std::max<size_t>(1, max_keys)) {}

bool TokenBucketLimiter::Allow(std::string_view key, int64_t now_ms) {
  if (rate_ <= 0) return true;  // limiting disabled
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) EvictOldest();
    it = buckets_.emplace(std::string(key), Bucket{burst_, now_ms}).first;
  }
  Bucket& b = it->second;
  const int64_t elapsed = std::max<int64_t>(0, now_ms - b.last_ms);
  b.tokens = std::min(burst_, b.tokens + static_cast<double>(elapsed) * rate_ / 1000.0);
  b.last_ms = now_ms;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void TokenBucketLimiter::EvictOldest() {
  auto oldest = buckets_.begin();
  for (auto it = buckets_.begin(); it != buckets_.end(); ++it)
    if (it->second.last_ms < oldest->second.last_ms) oldest = it;
  if (oldest != buckets_.end()) buckets_.erase(oldest);
}

}  // namespace sfu::api

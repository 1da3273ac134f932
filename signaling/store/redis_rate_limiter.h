#pragma once
// The control API's per-caller token buckets shared by every node (cluster mode): one Redis
// hash per caller, refilled and taken by one Lua script against Redis's own clock, so nodes
// with skewed clocks agree. When Redis cannot be reached the node falls back to its own
// buckets (the API answers 503 for anything that needs the store anyway).
//
// Thread: one owner (the control thread).

#include <string>

#include "signaling/api/rate_limiter.h"
#include "signaling/store/redis_client.h"

namespace sfu::store {

class RedisRateLimiter final : public api::RateLimiter {
 public:
  // client: borrowed, outlives this.
  RedisRateLimiter(RedisClient& client, double rate_per_second, double burst);
  bool Allow(std::string_view key, int64_t now_ms) override;
  double rate() const override { return rate_; }
  double burst() const override { return burst_; }

 private:
  RedisClient& client_;
  double rate_;
  double burst_;
  api::TokenBucketLimiter local_;
};

}  // namespace sfu::store

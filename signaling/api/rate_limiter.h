#pragma once
// Token buckets keyed by caller (access key id, or the address of an unsigned caller).
// Defaults follow the Chime SDK Meetings API: 10 requests/s with a burst of 20 per key.
// Thread: one owner. The number of keys is bounded; the stalest buckets are evicted.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sfu::api {

// What the control API's router asks: one token per request, per caller. In cluster mode the
// buckets live in Redis (signaling/store/redis_rate_limiter.h) so every node shares them.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Takes one token for key; false when the bucket is empty (answer 429).
  virtual bool Allow(std::string_view key, int64_t now_ms) = 0;
  virtual double rate() const = 0;
  virtual double burst() const = 0;
};

class TokenBucketLimiter final : public RateLimiter {
 public:
  TokenBucketLimiter(double rate_per_second, double burst, size_t max_keys = 10000);
  bool Allow(std::string_view key, int64_t now_ms) override;
  double rate() const override { return rate_; }
  double burst() const override { return burst_; }

 private:
  struct Bucket {
    double tokens;
    int64_t last_ms;
  };
  void EvictOldest();
  double rate_;
  double burst_;
  size_t max_keys_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace sfu::api

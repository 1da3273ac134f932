#pragma once
// Token buckets keyed by caller (access key id, or the address of an unsigned caller).
// Defaults follow the Chime SDK Meetings API: 10 requests/s with a burst of 20 per key.
// Thread: one owner. The number of keys is bounded; the stalest buckets are evicted.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sfu::api {

class TokenBucketLimiter {
 public:
  TokenBucketLimiter(double rate_per_second, double burst, size_t max_keys = 10000);
  // Takes one token for key; false when the bucket is empty (answer 429).
  bool Allow(std::string_view key, int64_t now_ms);
  double rate() const { return rate_; }
  double burst() const { return burst_; }

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

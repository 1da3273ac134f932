#include "signaling/store/redis_rate_limiter.h"

#include "signaling/store/redis_keys.h"

namespace sfu::store {
namespace {

// KEYS: the caller's bucket; ARGV: rate per second, burst. 1: allowed.
constexpr char kTake[] = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ms')
local tokens = tonumber(b[1]) or burst
local last = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate / 1000)
local ok = 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ms', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return ok
)lua";

}  // namespace

RedisRateLimiter::RedisRateLimiter(RedisClient& client, double rate_per_second, double burst)
    : client_(client), rate_(rate_per_second), burst_(burst), local_(rate_per_second, burst) {}

bool RedisRateLimiter::Allow(std::string_view key, int64_t now_ms) {
  if (rate_ <= 0) return true;  // limiting disabled
  try {
    return client_.Eval(kTake, {keys::Rate(key)}, {std::to_string(rate_), std::to_string(burst_)})
               .AsInt() == 1;
  } catch (const StoreError&) {
    return local_.Allow(key, now_ms);
  }
}

}  // namespace sfu::store

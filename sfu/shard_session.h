#pragma once
// Something that lives on a shard: a participant's media (with its transport), a meeting's mixer
// or video forwarder, an echo session. The shard owns it, calls OnTick about every 20 ms and
// destroys it once finished().
// Thread: the shard's thread only.

#include <cstdint>

namespace sfu {

class ShardSession {
 public:
  virtual ~ShardSession() = default;
  virtual void OnTick(int64_t now_ms) = 0;
  virtual bool finished() const = 0;
};

}  // namespace sfu

#pragma once
// Something that lives on a shard and owns transports (an echo session now; participants
// later). The shard calls OnTick about every 20 ms and destroys the session once finished().
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

#pragma once
// What a meeting's mixer (MeetingAudio) needs of a member: its payload of each tick, its level
// reports, and notice that the mixer goes first. ParticipantMedia is one (an attendee); the
// cascade's sender and receiver are others (docs/DESIGN.md, "Replica meetings": the sender
// listens to the shared mix for a replica node, the receiver is the one talker of a relayed
// meeting). Thread: the owning shard only.
#include <cstdint>
#include <span>

namespace sfu {

class MixListener {
 public:
  // The Opus payload of this tick for this member (shared mix, own mix-minus or silence).
  virtual void SendMixedAudio(std::span<const uint8_t> opus, uint64_t tick) = 0;
  // Every 250 ms while it sends audio: its loudest level (RFC 6464 scale) and signal strength.
  virtual void ReportLevel(int level_dbov, int signal_strength) = 0;
  // The mixer is going away first (shard shutdown).
  virtual void DetachAudio() = 0;

 protected:
  ~MixListener() = default;
};

}  // namespace sfu

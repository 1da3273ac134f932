#pragma once
// The control thread's handle on one attendee's ParticipantMedia: owns its media id and the
// shard it lives on, and turns each change the signaling session decides (create, renegotiate,
// mute, video updates, pause/resume, data frames, stop) into one Shard::Post that finds the
// participant by id on its shard. The participant may be gone when a task runs (transport
// closed, meeting ended): the task then does nothing. The only place in the signaling layer that
// posts to a participant.
// Thread: control thread. Owned by its SignalingSession; tasks it posts run on the shard.

#include <cstdint>
#include <vector>

#include "sfu/video_types.h"

namespace sfu {
class ShardSet;
struct ParticipantMediaPlan;
}  // namespace sfu

namespace sfu::signaling {

class MediaBridge {
 public:
  // shards borrowed; null: no media (every call does nothing).
  explicit MediaBridge(ShardSet* shards) : shards_(shards) {}
  MediaBridge(const MediaBridge&) = delete;
  MediaBridge& operator=(const MediaBridge&) = delete;

  // A participant exists (or is being created) for this attendee.
  bool open() const { return id_ != 0; }
  // Process-unique media id of the current participant; 0 when closed.
  uint64_t id() const { return id_; }

  // A new transport (first SUBSCRIBE, ICE restart): stops the current participant if any and
  // takes a fresh media id on `shard_index`; the next Apply creates the participant.
  void Open(int shard_index);
  // Makes the participant match `plan`: after Open, creates it (plan.id is set to id()); else
  // renegotiates in place: audio payload types, mute and video (the transport stays).
  void Apply(ParticipantMediaPlan plan);
  void SetMuted(bool muted);
  void SetAudioCapabilities(bool send, bool receive);
  void SetVideo(const VideoPlanForMedia& video);
  void SetVideoPaused(std::vector<uint32_t> stream_ids, bool paused);
  // A signaling frame (0x05 + SdkSignalFrame) for the attendee's data channel.
  void SendDataFrame(const std::vector<uint8_t>& frame);
  // Ends the participant's transport; closed until the next Open.
  void Stop();

 private:
  // Posts fn(ParticipantMedia&) to the participant's shard, run if it is still there.
  template <typename Fn>
  void PostToParticipant(Fn fn);

  ShardSet* shards_;
  uint64_t id_ = 0;
  int shard_ = -1;
  bool created_ = false;  // Apply has posted the creation of id_
};

}  // namespace sfu::signaling

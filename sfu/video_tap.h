#pragma once
// Something that receives every video packet a meeting's publishers send, as forwarded (the
// original or the unwrapped retransmission, under its layer's stream id), besides the
// subscribers: the cascade's sender, which relays a primary meeting's video once to each
// replica node (docs/DESIGN.md, "Replica meetings"). Thread: the owning shard only.
#include <cstdint>

namespace sfu::wire {
class RtpPacketView;
}

namespace sfu {

class VideoTap {
 public:
  // A media packet of the layer with this stream id (its key frames within the meeting's
  // MaxResolution).
  virtual void OnPublishedMedia(uint32_t stream_id, const wire::RtpPacketView& pkt) = 0;
  // The MeetingVideo it was added to is going away first (shard shutdown).
  virtual void DetachVideoTap() = 0;

 protected:
  ~VideoTap() = default;
};

}  // namespace sfu

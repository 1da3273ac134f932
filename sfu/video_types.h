#pragma once
// What the signaling side tells a participant's media about video (plain values, copied across
// threads): the camera it publishes and the remote streams it receives, one per m-section.
#include <cstdint>
#include <string>
#include <vector>

namespace sfu {

// One encoding of a published camera: the only one without simulcast, else one per RID.
struct VideoLayer {
  uint32_t stream_id = 0;
  std::string rid;  // "" without simulcast
  uint32_t ssrc =
      0;  // from the offer's a=ssrc; 0: learn (from the RID extension, or the first packet)
  uint32_t rtx_ssrc = 0;  // from the offer's a=ssrc-group:FID; 0: learn (repaired-rtp-stream-id)
};

struct VideoPublication {
  std::vector<VideoLayer> layers;  // empty: not publishing
  int payload_type = -1;           // VP8
  int rid_ext_id = 0;              // urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id, 0: none
  int rtx_payload_type = -1;       // RFC 4588 retransmissions (apt = payload_type); -1: none
  int repaired_rid_ext_id = 0;  // urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id, 0: none
  // MeetingFeatures.Video/Content.MaxResolution as a pixel count (0: no limit): a layer whose
  // key frames are larger is not forwarded (docs/PROTOCOL.md, "Attendee capabilities").
  uint32_t max_pixels = 0;
  uint32_t stream_id() const { return layers.empty() ? 0 : layers.front().stream_id; }
};

struct VideoSubscription {
  std::string mid;
  uint32_t ssrc = 0;          // ours, fixed for the section's life
  int payload_type = -1;      // the subscriber's VP8 payload type on that section
  uint32_t stream_id = 0;     // the forwarded source
  int rtx_payload_type = -1;  // RFC 4588 retransmission format (apt = payload_type); -1: none
  uint32_t rtx_ssrc = 0;      // ours, for retransmissions and probing padding
};

// A stream arriving at the server and its measured rate (for BITRATES, docs/PROTOCOL.md §4.9).
struct StreamBitrate {
  uint32_t stream_id = 0;
  uint32_t avg_bitrate_bps = 0;
};

struct VideoPlanForMedia {
  VideoPublication publication;
  std::vector<VideoSubscription> subscriptions;
};

}  // namespace sfu

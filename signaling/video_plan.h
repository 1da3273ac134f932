#pragma once
// The video part of answering a SUBSCRIBE (docs/PROTOCOL.md §4.4-4.7, §6.3-6.7):
// walks the offer's video sections in order - the first is the attendee's camera, the others
// pair with receive_stream_ids - and decides, against the meeting's published sources:
//   - the camera: published (answered recvonly, VP8; with RIDs, a=rid recv + a=simulcast:recv and
//     one stream id per layer, the active ones - max_bitrate_kbps > 0 - in the index; stream and
//     group ids allocated, kept
//     while the same camera track stays on, new ones on a republish) or not (inactive); a new
//     sender beyond `max_video_senders` in the meeting is refused (inactive, status 206);
//   - capabilities: a non-sender's camera is answered inactive (unpublished), a non-receiver's
//     sections inactive (VideoIdentity); a view-only (replica) attendee's camera inactive with
//     status 206;
//   - each remote-video section: sendonly with a=msid:v_<mid> and one fixed SSRC for the
//     section's life when it asks for a live source of someone else, else inactive; at most
//     `subscription_limit` sections are filled;
//   - SUBSCRIBE_ACK allocations (video only, in send_streams order) and tracks.
// Control thread; no I/O.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sfu/video_types.h"
#include "signaling/meeting_state.h"
#include "signaling/proto/chime_signaling.pb.h"
#include "signaling/sdp/answer_builder.h"

namespace sfu::signaling {

// What one attendee's session keeps across SUBSCRIBEs.
// The longest mid a video section may have (longer ones are rejected, not remembered).
inline constexpr size_t kMaxMidLength = 32;

struct SessionVideoState {
  std::map<std::string, uint32_t> section_ssrcs;      // mid -> our SSRC on that section
  std::map<std::string, uint32_t> section_rtx_ssrcs;  // mid -> our RTX SSRC on that section
  uint32_t stream_id = 0;                             // our published camera (first layer), 0: none
  uint32_t group_id = 0;
  uint32_t uplink_ssrc = 0;                // without simulcast
  std::vector<std::string> rids;           // with simulcast, in offer order
  std::vector<uint32_t> layer_stream_ids;  // one per rid
};

struct VideoPlanResult {
  VideoPlanForMedia media;
  bool index_changed = false;
  bool over_sender_capacity = false;  // the camera was refused: answer status 206 (§7.2)
  bool view_only_refused = false;     // a view-only attendee offered a camera: status 206 too
  std::vector<proto::SdkStreamAllocation> allocations;
  std::vector<proto::SdkTrackMapping> tracks;
};

struct VideoIdentity {
  std::string attendee_id;
  std::string external_user_id;
  // Capabilities (docs/PROTOCOL.md, "Attendee capabilities"): without may_send the camera (or
  // the content share) is answered inactive and not in the index; without may_receive_* the
  // sections asking for cameras (or content shares, "<id>#content") are answered inactive.
  bool may_send = true;
  bool may_receive_video = true;
  bool may_receive_content = true;
  // A replica meeting's attendee (docs/DESIGN.md, "Replica meetings"): a camera it offers to
  // send is answered inactive, never indexed, and the answer says so with status 206
  // (view_only_refused), as a sender over the meeting's cap is told.
  bool view_only = false;
};

// Fills answers[i] for every video section of the offer. random_ssrc() gives fresh SSRCs.
VideoPlanResult PlanVideo(const sdp::SessionDescription& offer, const proto::SdkSubscribeFrame& sub,
                          const VideoIdentity& self, MeetingState& state,
                          SessionVideoState& session, std::vector<sdp::MediaAnswer>& answers,
                          uint32_t (*random_ssrc)(), size_t subscription_limit = 25,
                          size_t max_video_senders = 25);

}  // namespace sfu::signaling

#pragma once
// The audio part of answering a SUBSCRIBE (docs/PROTOCOL.md §4.4, §6.2, §6.5), beside PlanVideo:
// walks the offer's sections that are not video and decides
//   - the first audio section: Opus (the client's payload type; no Opus: rejected), and RED
//     (RFC 2198) carrying that Opus when offered, answered first so the client sends it uplink
//     (we send plain Opus down); the direction mirrored; when the client receives, our one
//     downlink SSRC (kept for the session's life) announced as msid "sfu mix0";
//   - the first SCTP application section: the data channel (kept, it carries DATA_MESSAGE);
//   - every other non-video section (a second audio, a second data channel, port 0): rejected.
// Video sections are left to PlanVideo. Also what the shard needs: the mute state of the
// SUBSCRIBE and the offer's ssrc-audio-level extension id.
// Control thread; no I/O.

#include <cstdint>
#include <vector>

#include "signaling/proto/chime_signaling.pb.h"
#include "signaling/sdp/answer_builder.h"
#include "signaling/sdp/session_description.h"

namespace sfu::signaling {

// What one attendee's session keeps across SUBSCRIBEs.
struct SessionAudioState {
  uint32_t ssrc = 0;  // our downlink SSRC, chosen on the first SUBSCRIBE that receives audio
};

struct AudioPlanResult {
  int opus_payload_type =
      -1;  // -1: no audio downlink (no Opus offered, or the client does not receive)
  int red_payload_type = -1;  // the offer's RED over Opus; -1: none
  uint32_t ssrc = 0;          // our downlink SSRC (session.ssrc; 0 until the client receives audio)
  int level_ext_id = 0;       // ssrc-audio-level id of the first audio section; 0: not offered
  bool muted = false;         // the SUBSCRIBE's audio_muted
  bool data_channel = false;  // an SCTP section was kept
  uint32_t remote_max_message_size = 0;  // its a=max-message-size; 0: not given
};

// Fills answers[i] for every section of the offer that is not video. random_ssrc() gives a fresh
// SSRC (called at most once per session).
AudioPlanResult PlanAudio(const sdp::SessionDescription& offer, const proto::SdkSubscribeFrame& sub,
                          SessionAudioState& session, std::vector<sdp::MediaAnswer>& answers,
                          uint32_t (*random_ssrc)());

}  // namespace sfu::signaling

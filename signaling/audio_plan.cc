#include "signaling/audio_plan.h"

#include <string>

namespace sfu::signaling {
namespace {

constexpr char kAudioLevelUri[] = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

int OpusPayloadType(const sdp::MediaSection& m) {
  for (const sdp::Codec& c : m.codecs)
    if (c.name == "opus" || c.name == "OPUS") return c.payload_type;
  return -1;
}

// RED (RFC 2198) whose fmtp names `opus` as its redundant encoding ("<opus>/<opus>"), -1: none.
int RedPayloadType(const sdp::MediaSection& m, int opus) {
  const std::string prefix = std::to_string(opus) + "/";
  for (const sdp::Codec& c : m.codecs)
    if ((c.name == "red" || c.name == "RED") && c.clock_rate == 48000 &&
        c.fmtp.rfind(prefix, 0) == 0)
      return c.payload_type;
  return -1;
}

bool IsDataChannel(const sdp::MediaSection& m) {
  return m.kind == "application" && m.port != 0 && m.proto.find("SCTP") != std::string::npos;
}

// The first audio section: Opus (and RED) in the client's payload types, our SSRC when the
// client receives.
void AnswerAudio(const sdp::MediaSection& m, SessionAudioState& session, uint32_t (*random_ssrc)(),
                 sdp::MediaAnswer& a, AudioPlanResult& r) {
  const int opus = OpusPayloadType(m);
  if (opus < 0) {
    a.reject = true;
    return;
  }
  r.opus_payload_type = opus;
  r.red_payload_type = RedPayloadType(m, opus);
  a.payload_types =
      r.red_payload_type >= 0 ? std::vector<int>{r.red_payload_type, opus} : std::vector<int>{opus};
  a.direction = sdp::MirrorDirection(m.direction);
  if (a.direction == "sendrecv" || a.direction == "sendonly") {
    if (!session.ssrc) session.ssrc = random_ssrc();
    a.send_streams.push_back({session.ssrc, 0, "sfu", "mix0", "mix0-track"});
  } else {
    r.opus_payload_type = -1;  // the client does not receive audio (RED uplink is still accepted)
  }
}

}  // namespace

AudioPlanResult PlanAudio(const sdp::SessionDescription& offer, const proto::SdkSubscribeFrame& sub,
                          SessionAudioState& session, std::vector<sdp::MediaAnswer>& answers,
                          uint32_t (*random_ssrc)()) {
  AudioPlanResult r;
  r.muted = sub.audio_muted();
  bool audio_seen = false;  // the first audio section with a port: the one answered
  bool level_seen = false;  // the extension id comes from the first audio section, port or not
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const sdp::MediaSection& m = offer.media[i];
    sdp::MediaAnswer& a = answers[i];
    if (m.kind == "video") continue;  // PlanVideo
    if (m.kind == "audio" && !level_seen) {
      level_seen = true;
      r.level_ext_id = m.ExtensionId(kAudioLevelUri);
    }
    if (IsDataChannel(m) && !r.data_channel) {
      r.data_channel =
          true;  // one data-channel section: carries DATA_MESSAGE frames (docs/PROTOCOL.md §6.5)
      r.remote_max_message_size = m.max_message_size.value_or(0);
      continue;
    }
    if (m.port == 0 || !m.IsRtp() || m.kind != "audio" || audio_seen) {
      a.reject = true;
      continue;
    }
    audio_seen = true;
    AnswerAudio(m, session, random_ssrc, a, r);
  }
  r.ssrc = session.ssrc;
  return r;
}

}  // namespace sfu::signaling

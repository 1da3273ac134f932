#include "server/echo_service.h"

#include <algorithm>

#include "base/log.h"
#include "base/random.h"
#include "sfu/echo_session.h"
#include "sfu/shard_set.h"
#include "signaling/sdp/answer_builder.h"
#include "signaling/sdp/session_description.h"
#include "transport/dtls/dtls_context.h"
#include "transport/ice/ice_lite.h"

namespace sfu::server {
namespace {

// Header extensions the echo keeps: echoed packets carry the peer's own extension ids, so only
// those whose meaning survives a loop back are announced.
const std::set<std::string> kEchoExtensions = {
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "urn:ietf:params:rtp-hdrext:toffset",
    "urn:3gpp:video-orientation",
};
const std::set<std::string> kEchoFeedback = {"nack", "nack pli", "ccm fir"};

}  // namespace

EchoService::EchoService(ShardSet& shards, const transport::DtlsContext& dtls,
                         std::vector<std::string> announce_ips)
    : shards_(shards), dtls_(dtls), announce_ips_(std::move(announce_ips)) {}

EchoService::Result EchoService::Offer(std::string_view offer_sdp) {
  auto parsed = sdp::Parse(offer_sdp);
  if (!parsed.description) return {400, "bad SDP offer: " + parsed.error + "\n"};
  const sdp::SessionDescription& offer = *parsed.description;
  if (offer.media.empty()) return {400, "bad SDP offer: no m= sections\n"};
  const sdp::MediaSection& first = offer.media.front();
  if (first.ice_ufrag.empty() || first.ice_pwd.empty())
    return {400, "bad SDP offer: no ICE credentials\n"};
  if (first.fingerprint.empty()) return {400, "bad SDP offer: no a=fingerprint\n"};
  if (first.setup == "passive")
    return {400, "bad SDP offer: a=setup:passive (we are DTLS server)\n"};
  for (const auto& m : offer.media) {
    if (m.port != 0 && m.IsRtp() && !m.rtcp_mux)
      return {400, "bad SDP offer: rtcp-mux is required\n"};
  }

  // Least busy shard by live transports.
  size_t best = 0;
  for (size_t i = 1; i < shards_.size(); ++i) {
    if (shards_.shard(i).stats().transports.load() < shards_.shard(best).stats().transports.load())
      best = i;
  }
  Shard& shard = shards_.shard(best);
  if (static_cast<size_t>(shard.stats().transports.load()) >= kMaxSessionsPerShard) {
    return {503, "echo capacity reached\n"};
  }

  EchoPlan plan;
  plan.transport.local_ufrag = transport::RandomIceString(8);
  plan.transport.local_pwd = transport::RandomIceString(24);
  plan.transport.remote_fingerprint_algorithm = first.fingerprint_algorithm;
  plan.transport.remote_fingerprint = first.fingerprint;

  sdp::AnswerParams params;
  params.ice_ufrag = plan.transport.local_ufrag;
  params.ice_pwd = plan.transport.local_pwd;
  params.fingerprint_algorithm = dtls_.fingerprint_algorithm();
  params.fingerprint = dtls_.fingerprint();
  for (const std::string& ip : announce_ips_) params.candidates.push_back({ip, shard.media_port()});
  if (shard.tcp_port() != 0) {
    for (const std::string& ip : announce_ips_)
      params.candidates.push_back({ip, shard.tcp_port(), /*tcp=*/true});
  }
  params.extension_uris = kEchoExtensions;
  params.feedback = kEchoFeedback;
  params.session_id = std::to_string(base::RandomNonZeroU32());

  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const sdp::MediaSection& m = offer.media[i];
    sdp::MediaAnswer& a = answers[i];
    if (m.port == 0) {
      a.reject = true;
      continue;
    }
    if (m.kind == "application") {
      if (m.proto.find("SCTP") == std::string::npos || plan.data_channel) {
        a.reject = true;  // one data-channel section, SCTP only
      } else {
        plan.data_channel = true;
        plan.remote_max_message_size = m.max_message_size.value_or(0);
      }
      continue;
    }
    if (!m.IsRtp()) {
      a.reject = true;
      continue;
    }
    EchoStreamPlan s;
    for (const sdp::Codec& c : m.codecs) {
      (c.name == "rtx" ? s.rtx_payload_types : s.payload_types).push_back(c.payload_type);
    }
    // The peer's primary and RTX SSRCs, from its FID group or its lone a=ssrc.
    for (const sdp::SsrcGroup& g : m.ssrc_groups) {
      if (g.semantics == "FID" && g.ssrcs.size() == 2) {
        s.in_ssrc = g.ssrcs[0];
        s.in_rtx_ssrc = g.ssrcs[1];
      }
    }
    if (!s.in_ssrc && !m.Ssrcs().empty()) s.in_ssrc = m.Ssrcs().front();
    s.out_ssrc = base::RandomNonZeroU32();
    s.out_rtx_ssrc = s.rtx_payload_types.empty() ? 0 : base::RandomNonZeroU32();
    // We echo what the peer sends: send if it sends, receive if it receives.
    a.direction = m.direction == "sendrecv"   ? "sendrecv"
                  : m.direction == "sendonly" ? "recvonly"
                  : m.direction == "recvonly" ? "sendonly"
                                              : "inactive";
    if (a.direction == "sendrecv" || a.direction == "sendonly") {
      a.send_streams.push_back(
          {s.out_ssrc, s.out_rtx_ssrc, "sfu-echo", "echo", "echo-" + m.kind + "-" + m.mid});
    }
    plan.streams.push_back(std::move(s));
  }
  Result result{201, sdp::BuildAnswer(offer, params, answers)};
  shard.Post([&shard, plan = std::move(plan)]() mutable {
    shard.AddSession(std::make_unique<EchoSession>(shard, std::move(plan)));
  });
  SFU_LOG(kInfo, "echo session")
      .Kv("shard", shard.index())
      .Kv("ufrag", params.ice_ufrag)
      .Kv("sections", static_cast<uint64_t>(offer.media.size()));
  return result;
}

}  // namespace sfu::server

#include "signaling/video_plan.h"

#include <strings.h>

#include <algorithm>

namespace sfu::signaling {
namespace {

int Vp8PayloadType(const sdp::MediaSection& m) {
  for (const sdp::Codec& c : m.codecs)
    if (strcasecmp(c.name.c_str(), "VP8") == 0) return c.payload_type;
  return -1;
}

// The camera's primary SSRC: the first of an FID group, else the first a=ssrc; 0 when the offer
// names none (RID-based simulcast: learned from the packets).
uint32_t PrimarySsrc(const sdp::MediaSection& m) {
  for (const sdp::SsrcGroup& g : m.ssrc_groups)
    if (g.semantics == "FID" && !g.ssrcs.empty()) return g.ssrcs.front();
  const auto ssrcs = m.Ssrcs();
  return ssrcs.empty() ? 0 : ssrcs.front();
}

// The offer's RTX format for `apt` (a=fmtp:<pt> apt=<apt>), -1 when there is none.
int RtxPayloadType(const sdp::MediaSection& m, int apt) {
  const std::string want = "apt=" + std::to_string(apt);
  for (const sdp::Codec& c : m.codecs) {
    if (strcasecmp(c.name.c_str(), "rtx") != 0) continue;
    const size_t at = c.fmtp.find(want);
    if (at == std::string::npos) continue;
    const size_t end = at + want.size();
    if (end == c.fmtp.size() || c.fmtp[end] == ';' || c.fmtp[end] == ' ') return c.payload_type;
  }
  return -1;
}

// The camera stopped: forget it, keep the subscription sections' SSRCs.
void ForgetPublication(SessionVideoState& session) {
  SessionVideoState next;
  next.section_ssrcs = std::move(session.section_ssrcs);
  next.section_rtx_ssrcs = std::move(session.section_rtx_ssrcs);
  session = std::move(next);
}

}  // namespace

VideoPlanResult PlanVideo(const sdp::SessionDescription& offer, const proto::SdkSubscribeFrame& sub,
                          const VideoIdentity& self, MeetingState& state,
                          SessionVideoState& session, std::vector<sdp::MediaAnswer>& answers,
                          uint32_t (*random_ssrc)(), size_t subscription_limit,
                          size_t max_video_senders) {
  VideoPlanResult r;
  std::vector<const proto::SdkStreamDescriptor*> video_descriptors;
  for (const auto& d : sub.send_streams())
    if (d.media_type() == proto::VIDEO) video_descriptors.push_back(&d);
  size_t k = 0;  // index among video sections
  bool camera_seen = false;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const sdp::MediaSection& m = offer.media[i];
    if (m.kind != "video") continue;
    sdp::MediaAnswer& a = answers[i];
    const size_t index = k++;
    const int vp8 = Vp8PayloadType(m);
    // Mids are the client's names for sections and become keys of the session's state: a long
    // one is refused rather than kept (browsers use "0", "1", ...).
    if (m.port == 0 || !m.IsRtp() || vp8 < 0 || m.mid.size() > kMaxMidLength) {
      a.reject = true;
      session.section_ssrcs.erase(m.mid);
      session.section_rtx_ssrcs.erase(m.mid);
      continue;
    }
    a.payload_types = {vp8};
    if (index == 0) {
      camera_seen = true;
      const bool offered =
          (m.direction == "sendrecv" || m.direction == "sendonly") && !video_descriptors.empty();
      const bool sending = self.may_send && !self.view_only && offered;
      if (self.view_only && offered) r.view_only_refused = true;
      if (!sending) {
        a.direction = "inactive";
        if (session.stream_id) {
          r.index_changed |= state.UnpublishVideo(self.attendee_id);
          ForgetPublication(session);
        }
        continue;
      }
      if (session.stream_id == 0 && state.VideoSenderCount() >= max_video_senders) {
        a.direction = "inactive";  // over the cap: view only
        r.over_sender_capacity = true;
        continue;
      }
      a.direction = "recvonly";
      // Simulcast: the RIDs the camera sends (Chrome: low, mid, hi), one layer each.
      std::vector<std::string> rids;
      for (const sdp::Rid& rid : m.rids)
        if (rid.direction == "send" && !rid.id.empty() && rid.id.size() <= 16 && rids.size() < 4)
          rids.push_back(rid.id);
      const uint32_t ssrc = rids.empty() ? PrimarySsrc(m) : 0;
      const bool republish = session.stream_id == 0 ||
                             (rids.empty() ? ssrc != session.uplink_ssrc : rids != session.rids);
      if (republish) {  // a new camera track: new stream ids and a larger group id
        session.group_id = state.AllocateGroupId();
        session.uplink_ssrc = ssrc;
        session.rids = rids;
        session.layer_stream_ids.clear();
        for (size_t i = 0; i < std::max<size_t>(1, rids.size()); ++i)
          session.layer_stream_ids.push_back(state.AllocateVideoStreamId());
        session.stream_id = session.layer_stream_ids.front();
      }
      std::vector<VideoSource> sources;
      r.media.publication.payload_type = vp8;
      r.media.publication.rid_ext_id =
          rids.empty() ? 0 : m.ExtensionId("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
      // Retransmissions on RTX when offered, its SSRC from the FID group. Not with simulcast:
      // Chrome 1xx encodes no frame at all for RID simulcast when the answer takes RTX (seen in
      // tests/integration/chime_video.test.js: framesEncoded stays 0), so simulcast layers are
      // repaired on their own SSRCs. (MeetingVideo still learns RTX per RID from
      // repaired-rtp-stream-id, should a client send it.)
      const int rtx = rids.empty() ? RtxPayloadType(m, vp8) : -1;
      uint32_t rtx_ssrc = 0;
      if (rtx >= 0) {
        a.payload_types = {vp8, rtx};
        r.media.publication.rtx_payload_type = rtx;
        r.media.publication.repaired_rid_ext_id =
            rids.empty() ? 0
                         : m.ExtensionId("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id");
        for (const sdp::SsrcGroup& g : m.ssrc_groups)
          if (g.semantics == "FID" && g.ssrcs.size() == 2 && g.ssrcs[0] == ssrc)
            rtx_ssrc = g.ssrcs[1];
      }
      for (size_t i = 0; i < session.layer_stream_ids.size(); ++i) {
        const proto::SdkStreamDescriptor* d =
            i < video_descriptors.size() ? video_descriptors[i] : nullptr;
        r.media.publication.layers.push_back(
            {session.layer_stream_ids[i], rids.empty() ? "" : rids[i], ssrc, rtx_ssrc});
        // Layers the sender reports at 0 kb/s are off: not in the index (docs/PROTOCOL.md §4.7).
        if (!rids.empty() && d && d->max_bitrate_kbps() == 0) continue;
        VideoSource src;
        src.stream_id = session.layer_stream_ids[i];
        src.group_id = session.group_id;
        src.attendee_id = self.attendee_id;
        src.external_user_id = self.external_user_id;
        src.max_bitrate_kbps = d ? d->max_bitrate_kbps() : 0;
        src.framerate = d ? d->framerate() : 0;
        sources.push_back(src);
      }
      r.index_changed |= state.PublishVideoLayers(self.attendee_id, sources);
      state.SetVideoLayerIds(self.attendee_id, session.layer_stream_ids);
      a.recv_rids = rids;
      for (size_t d = 0; d < video_descriptors.size(); ++d) {
        proto::SdkStreamAllocation al;
        al.set_track_label(video_descriptors[d]->track_label());
        al.set_stream_id(d < session.layer_stream_ids.size() ? session.layer_stream_ids[d] : 0);
        al.set_group_id(session.group_id);
        r.allocations.push_back(al);
      }
      continue;
    }
    const uint32_t want = index < static_cast<size_t>(sub.receive_stream_ids_size())
                              ? sub.receive_stream_ids(static_cast<int>(index))
                              : 0;
    const VideoSource* source = want ? state.FindVideoForSubscription(want) : nullptr;
    const bool content_source = source && source->attendee_id.ends_with("#content");
    if (!source || source->attendee_id == self.attendee_id ||
        !(content_source ? self.may_receive_content : self.may_receive_video) ||
        r.media.subscriptions.size() >= subscription_limit ||
        (m.direction != "recvonly" && m.direction != "sendrecv")) {
      a.direction = "inactive";
      continue;
    }
    uint32_t& ssrc = session.section_ssrcs[m.mid];
    if (ssrc == 0) ssrc = random_ssrc();
    // RTX when offered: retransmissions and bandwidth probes go on their own SSRC (RFC 4588).
    const int rtx = RtxPayloadType(m, vp8);
    uint32_t rtx_ssrc = 0;
    if (rtx >= 0) {
      uint32_t& r_ssrc = session.section_rtx_ssrcs[m.mid];
      while (r_ssrc == 0 || r_ssrc == ssrc) r_ssrc = random_ssrc();
      rtx_ssrc = r_ssrc;
      a.payload_types = {vp8, rtx};
    }
    a.direction = "sendonly";
    a.send_streams.push_back({ssrc, rtx_ssrc, "sfu", "v_" + m.mid, "v_" + m.mid + "-track"});
    VideoSubscription vs{m.mid, ssrc, vp8, want};
    vs.rtx_payload_type = rtx;
    vs.rtx_ssrc = rtx_ssrc;
    r.media.subscriptions.push_back(vs);
    proto::SdkTrackMapping t;
    t.set_stream_id(want);
    t.set_ssrc(ssrc);
    t.set_track_label("v_" + m.mid);
    r.tracks.push_back(t);
  }
  if (!camera_seen && session.stream_id) {
    r.index_changed |= state.UnpublishVideo(self.attendee_id);
    ForgetPublication(session);
  }
  // Keep SSRCs only for the sections this offer has (an offer replaces the whole set): a client
  // that renames its mids on every SUBSCRIBE must not grow the session's state.
  auto prune = [&offer](std::map<std::string, uint32_t>& by_mid) {
    for (auto it = by_mid.begin(); it != by_mid.end();) {
      const bool offered = std::any_of(
          offer.media.begin(), offer.media.end(),
          [&](const sdp::MediaSection& m) { return m.kind == "video" && m.mid == it->first; });
      it = offered ? std::next(it) : by_mid.erase(it);
    }
  };
  prune(session.section_ssrcs);
  prune(session.section_rtx_ssrcs);
  return r;
}

}  // namespace sfu::signaling

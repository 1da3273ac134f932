#include "signaling/video_plan.h"

#include <strings.h>

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

}  // namespace

VideoPlanResult PlanVideo(const sdp::SessionDescription& offer, const proto::SdkSubscribeFrame& sub,
                          const VideoIdentity& self, MeetingState& state, SessionVideoState& session,
                          std::vector<sdp::MediaAnswer>& answers, uint32_t (*random_ssrc)(),
                          size_t subscription_limit, size_t max_video_senders) {
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
    if (m.port == 0 || !m.IsRtp() || vp8 < 0) {
      a.reject = true;
      session.section_ssrcs.erase(m.mid);
      continue;
    }
    a.payload_types = {vp8};
    if (index == 0) {
      camera_seen = true;
      const bool sending = (m.direction == "sendrecv" || m.direction == "sendonly") && !video_descriptors.empty();
      if (!sending) {
        a.direction = "inactive";
        if (session.stream_id) {
          r.index_changed |= state.UnpublishVideo(self.attendee_id);
          session.stream_id = session.group_id = session.uplink_ssrc = 0;
        }
        continue;
      }
      if (session.stream_id == 0 && state.video_sources().size() >= max_video_senders) {
        a.direction = "inactive";  // over the cap: view only
        r.over_sender_capacity = true;
        continue;
      }
      a.direction = "recvonly";
      const uint32_t ssrc = PrimarySsrc(m);
      if (session.stream_id == 0 || ssrc != session.uplink_ssrc) {  // a new camera track: republish
        session.stream_id = state.AllocateVideoStreamId();
        session.group_id = state.AllocateGroupId();
        session.uplink_ssrc = ssrc;
      }
      VideoSource src;
      src.stream_id = session.stream_id;
      src.group_id = session.group_id;
      src.attendee_id = self.attendee_id;
      src.external_user_id = self.external_user_id;
      src.max_bitrate_kbps = video_descriptors.front()->max_bitrate_kbps();
      src.framerate = video_descriptors.front()->framerate();
      r.index_changed |= state.PublishVideo(src);
      r.media.publication = {session.stream_id, ssrc, vp8};
      for (size_t d = 0; d < video_descriptors.size(); ++d) {
        proto::SdkStreamAllocation al;
        al.set_track_label(video_descriptors[d]->track_label());
        // Only the first encoding is received (no a=simulcast in the answer).
        al.set_stream_id(d == 0 ? session.stream_id : 0);
        al.set_group_id(session.group_id);
        r.allocations.push_back(al);
      }
      continue;
    }
    const uint32_t want = index < static_cast<size_t>(sub.receive_stream_ids_size())
                              ? sub.receive_stream_ids(static_cast<int>(index))
                              : 0;
    const VideoSource* source = want ? state.FindVideo(want) : nullptr;
    if (!source || source->attendee_id == self.attendee_id || r.media.subscriptions.size() >= subscription_limit ||
        (m.direction != "recvonly" && m.direction != "sendrecv")) {
      a.direction = "inactive";
      continue;
    }
    uint32_t& ssrc = session.section_ssrcs[m.mid];
    if (ssrc == 0) ssrc = random_ssrc();
    a.direction = "sendonly";
    a.send_streams.push_back({ssrc, 0, "sfu", "v_" + m.mid, "v_" + m.mid + "-track"});
    r.media.subscriptions.push_back({m.mid, ssrc, vp8, want});
    proto::SdkTrackMapping t;
    t.set_stream_id(want);
    t.set_ssrc(ssrc);
    t.set_track_label("v_" + m.mid);
    r.tracks.push_back(t);
  }
  if (!camera_seen && session.stream_id) {
    r.index_changed |= state.UnpublishVideo(self.attendee_id);
    session.stream_id = session.group_id = session.uplink_ssrc = 0;
  }
  return r;
}

}  // namespace sfu::signaling

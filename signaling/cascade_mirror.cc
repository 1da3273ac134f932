#include "signaling/cascade_mirror.h"

#include <map>

#include "signaling/proto/frame_codec.h"
#include "signaling/signaling_hub.h"
#include "signaling/signaling_session.h"

namespace sfu::signaling {
namespace {

constexpr int64_t kLevelWindowMs = 500;

using proto::SdkSignalFrame;

void SendToSubscribed(SignalingHub& hub, const std::string& media_meeting_id,
                      const SdkSignalFrame& frame) {
  for (SignalingSession* s : hub.MediaSessionsOf(media_meeting_id))
    if (s->subscribed()) s->Send(frame);
}

}  // namespace

proto::CascadeMirror MirrorOf(const MeetingState& state, uint32_t joined, int64_t now_ms) {
  proto::CascadeMirror m;
  for (const auto& [id, e] : state.present()) {
    auto* a = m.add_present();
    a->set_attendee_id(e.attendee_id);
    a->set_external_user_id(e.external_user_id);
    a->set_audio_stream_id(e.audio_stream_id);
    a->set_muted(e.muted);
  }
  for (const auto& [id, v] : state.video_sources()) {
    auto* o = m.add_video();
    o->set_stream_id(v.stream_id);
    o->set_group_id(v.group_id);
    o->set_attendee_id(v.attendee_id);
    o->set_external_user_id(v.external_user_id);
    o->set_max_bitrate_kbps(v.max_bitrate_kbps);
    o->set_framerate(v.framerate);
  }
  for (const auto& [attendee, ids] : state.video_layer_ids()) {
    auto* l = m.add_layers();
    l->set_attendee_id(attendee);
    for (uint32_t id : ids) l->add_stream_ids(id);
  }
  for (const auto& [attendee, level] : state.levels()) {
    if (now_ms - level.at_ms > kLevelWindowMs) continue;
    auto* l = m.add_levels();
    l->set_attendee_id(attendee);
    l->set_level(level.level);
    l->set_signal_strength(level.signal_strength);
  }
  m.set_joined(joined);
  return m;
}

bool ApplyMirror(SignalingHub& hub, const std::string& media_meeting_id,
                 const proto::CascadeMirror& m, int64_t now_ms) {
  MeetingState& state = hub.State(media_meeting_id);
  state.SetMirrored();
  state.set_mirrored_joined(m.joined());
  // The roster: deltas for who left, who came and whose entry changed (mute).
  std::map<std::string, PresenceEntry> next;
  for (const auto& a : m.present()) {
    if (a.attendee_id().empty() || a.audio_stream_id() == 0 ||
        a.audio_stream_id() >= MeetingState::kHiddenStreamIds)
      continue;
    PresenceEntry e;
    e.attendee_id = a.attendee_id();
    e.external_user_id = a.external_user_id();
    e.audio_stream_id = a.audio_stream_id();
    e.muted = a.muted();
    next[e.attendee_id] = e;
  }
  SdkSignalFrame delta = proto::MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO);
  std::vector<std::string> gone;
  for (const auto& [id, e] : state.present()) {
    auto it = next.find(id);
    if (it != next.end() && it->second.audio_stream_id == e.audio_stream_id) continue;
    delta.mutable_audio_stream_id_info()->add_streams()->set_audio_stream_id(e.audio_stream_id);
    gone.push_back(id);
  }
  for (const std::string& id : gone) state.Absent(id);
  for (const auto& [id, e] : next) {
    const PresenceEntry* old = state.Find(id);
    if (old && old->muted == e.muted && old->external_user_id == e.external_user_id) continue;
    auto* d = delta.mutable_audio_stream_id_info()->add_streams();
    d->set_audio_stream_id(e.audio_stream_id);
    d->set_attendee_id(e.attendee_id);
    d->set_external_user_id(e.external_user_id);
    d->set_muted(e.muted);
    state.SetPresent(e);
  }
  if (delta.audio_stream_id_info().streams_size() > 0)
    SendToSubscribed(hub, media_meeting_id, delta);
  // Levels: PublishAudioMetadata sends them with the primary's own cadence.
  for (const auto& l : m.levels()) {
    if (!state.Find(l.attendee_id())) continue;
    state.ReportLevel(l.attendee_id(), static_cast<uint8_t>(std::min<uint32_t>(l.level(), 127)),
                      static_cast<uint8_t>(std::min<uint32_t>(l.signal_strength(), 2)), now_ms);
  }
  // Video sources: the INDEX.
  std::map<uint32_t, VideoSource> video;
  for (const auto& v : m.video()) {
    if (v.stream_id() == 0 || v.attendee_id().empty()) continue;
    VideoSource s;
    s.stream_id = v.stream_id();
    s.group_id = v.group_id();
    s.attendee_id = v.attendee_id();
    s.external_user_id = v.external_user_id();
    s.max_bitrate_kbps = v.max_bitrate_kbps();
    s.framerate = v.framerate();
    video[s.stream_id] = s;
  }
  std::map<std::string, std::vector<uint32_t>> layer_ids;
  for (const auto& l : m.layers())
    layer_ids[l.attendee_id()].assign(l.stream_ids().begin(), l.stream_ids().end());
  const bool video_changed = state.SetVideo(std::move(video), std::move(layer_ids));
  if (video_changed) hub.BroadcastIndex(media_meeting_id);
  return video_changed;
}

int DeliverRelayedData(SignalingHub& hub, const std::string& media_meeting_id,
                       const proto::SdkDataMessageFrame& m, int64_t now_ms) {
  MeetingState& state = hub.State(media_meeting_id);
  SdkSignalFrame deliver = proto::MakeFrame(SdkSignalFrame::DATA_MESSAGE);
  for (const proto::SdkDataMessagePayload& in : m.messages()) {
    if (!MeetingState::ValidDataMessage(in) || in.sender_attendee_id().empty()) continue;
    state.Keep(in, now_ms);
    *deliver.mutable_data_message()->add_messages() = in;
  }
  const int n = deliver.data_message().messages_size();
  if (n == 0) return 0;
  for (SignalingSession* s : hub.MediaSessionsOf(media_meeting_id))
    if (s->joined()) s->Send(deliver);
  return n;
}

}  // namespace sfu::signaling

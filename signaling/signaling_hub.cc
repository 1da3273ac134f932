#include "signaling/signaling_hub.h"

#include <algorithm>

#include "signaling/proto/frame_codec.h"
#include "signaling/signaling_session.h"

namespace sfu::signaling {

MeetingEventSink& NoMeetingEvents() {
  class None final : public MeetingEventSink {
    void SessionJoined(const SignalingSession&) override {}
    void SessionEnded(const SignalingSession&, bool) override {}
    void VideoPublishing(const SignalingSession&, bool) override {}
  };
  static None none;
  return none;
}

void SignalingHub::Add(SignalingSession* s) {
  by_meeting_[s->identity().meeting_id].push_back(s);
  by_media_[s->identity().media_meeting_id].push_back(s);
  ++count_;
}

void SignalingHub::Remove(SignalingSession* s) {
  auto it = by_meeting_.find(s->identity().meeting_id);
  if (it == by_meeting_.end()) return;
  auto& v = it->second;
  const auto before = v.size();
  v.erase(std::remove(v.begin(), v.end(), s), v.end());
  count_ -= before - v.size();
  if (v.empty()) by_meeting_.erase(it);
  auto media = by_media_.find(s->identity().media_meeting_id);
  if (media == by_media_.end()) return;
  std::erase(media->second, s);
  if (media->second.empty()) {
    states_.erase(media->first);
    by_media_.erase(media);
  }
}

void SignalingHub::MarkNeedsRelay(const std::string& meeting_id, const std::string& attendee_id,
                                  int64_t now_ms) {
  if (relay_marks_.size() >= kMaxRelayMarks) {
    std::erase_if(relay_marks_,
                  [now_ms](const auto& m) { return now_ms - m.second > kRelayMarkMs; });
    if (relay_marks_.size() >= kMaxRelayMarks) relay_marks_.erase(relay_marks_.begin());
  }
  relay_marks_[meeting_id + "/" + attendee_id] = now_ms;
}

bool SignalingHub::NeedsRelay(const std::string& meeting_id, const std::string& attendee_id,
                              int64_t now_ms) const {
  auto it = relay_marks_.find(meeting_id + "/" + attendee_id);
  return it != relay_marks_.end() && now_ms - it->second <= kRelayMarkMs;
}

bool SignalingHub::HasConnected(const std::string& meeting_id) const {
  return by_meeting_.count(meeting_id) > 0;
}

size_t SignalingHub::JoinedCount(const std::string& media_meeting_id) const {
  auto state = states_.find(media_meeting_id);
  if (state != states_.end() && state->second.mirrored()) return state->second.mirrored_joined();
  auto it = by_media_.find(media_meeting_id);
  if (it == by_media_.end()) return 0;
  return static_cast<size_t>(std::count_if(
      it->second.begin(), it->second.end(),
      [](const SignalingSession* s) { return s->joined() && !s->identity().hidden_receive_only; }));
}

std::vector<SignalingSession*> SignalingHub::SessionsOf(const std::string& meeting_id) const {
  auto it = by_meeting_.find(meeting_id);
  return it == by_meeting_.end() ? std::vector<SignalingSession*>{} : it->second;
}

std::vector<SignalingSession*> SignalingHub::MediaSessionsOf(
    const std::string& media_meeting_id) const {
  auto it = by_media_.find(media_meeting_id);
  return it == by_media_.end() ? std::vector<SignalingSession*>{} : it->second;
}

void SignalingHub::EndMeeting(const std::string& meeting_id) {
  for (SignalingSession* s : SessionsOf(meeting_id)) s->End(410, "meeting ended");
}

void SignalingHub::RemoveAttendee(const std::string& meeting_id, const std::string& attendee_id) {
  for (SignalingSession* s : SessionsOf(meeting_id)) {
    // The attendee and its content share ("<id>#content") end together.
    if (s->identity().attendee_id == attendee_id ||
        s->identity().attendee_id == attendee_id + "#content") {
      s->End(411, "attendee removed");
    }
  }
}

void SignalingHub::SetCapabilities(const std::string& meeting_id, const std::string& attendee_id,
                                   const std::string& audio, const std::string& video,
                                   const std::string& content) {
  for (SignalingSession* s : SessionsOf(meeting_id)) {
    if (s->identity().attendee_id == attendee_id ||
        s->identity().attendee_id == attendee_id + "#content") {
      s->SetCapabilities(audio, video, content);
    }
  }
}

}  // namespace sfu::signaling

namespace sfu::signaling {

void SignalingHub::BroadcastIndex(const std::string& media_meeting_id) {
  for (SignalingSession* s : MediaSessionsOf(media_meeting_id))
    if (s->joined()) s->SendIndex();
}

void SignalingHub::PublishAudioMetadata(int64_t now_ms) {
  for (auto& [meeting_id, state] : states_) {
    proto::SdkSignalFrame frame = proto::MakeFrame(proto::SdkSignalFrame::AUDIO_METADATA);
    for (const auto& [attendee_id, level] : state.levels()) {
      if (now_ms - level.at_ms > 500 || level.level >= 42) continue;
      const PresenceEntry* e = state.Find(attendee_id);
      if (!e) continue;
      auto* s = frame.mutable_audio_metadata()->add_attendee_states();
      s->set_audio_stream_id(e->audio_stream_id);
      s->set_volume(level.level);  // "-dB": the client maps 42..14 onto 0..1
      s->set_signal_strength(level.signal_strength);
    }
    if (frame.audio_metadata().attendee_states_size() == 0) continue;
    for (SignalingSession* session : MediaSessionsOf(meeting_id)) {
      if (session->subscribed()) session->Send(frame);
    }
  }
}

}  // namespace sfu::signaling

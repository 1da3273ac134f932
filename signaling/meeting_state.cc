#include "signaling/meeting_state.h"

namespace sfu::signaling {

uint32_t MeetingState::Present(const std::string& attendee_id, const std::string& external_user_id, bool muted) {
  PresenceEntry& e = present_[attendee_id];
  e.audio_stream_id = next_stream_id_++;
  e.attendee_id = attendee_id;
  e.external_user_id = external_user_id;
  e.muted = muted;
  return e.audio_stream_id;
}

void MeetingState::Absent(const std::string& attendee_id) { present_.erase(attendee_id); }

PresenceEntry* MeetingState::Find(const std::string& attendee_id) {
  auto it = present_.find(attendee_id);
  return it == present_.end() ? nullptr : &it->second;
}

void MeetingState::Keep(const proto::SdkDataMessagePayload& payload, int64_t now_ms) {
  const int64_t lifetime = std::min<int64_t>(payload.lifetime_ms(), kMaxLifetimeMs);
  if (lifetime <= 0) return;
  kept(now_ms);
  if (kept_.size() >= kMaxKeptMessages) kept_.pop_front();
  kept_.push_back({payload, now_ms + lifetime});
}

std::deque<KeptDataMessage>& MeetingState::kept(int64_t now_ms) {
  // Lifetimes differ, so expired messages may sit behind live ones: filter fully.
  std::erase_if(kept_, [now_ms](const KeptDataMessage& m) { return m.expires_ms <= now_ms; });
  return kept_;
}

}  // namespace sfu::signaling

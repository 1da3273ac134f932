#include "signaling/meeting_state.h"

#include <algorithm>

namespace sfu::signaling {

uint32_t MeetingState::Present(const std::string& attendee_id, const std::string& external_user_id,
                               bool muted) {
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

bool MeetingState::ValidDataMessage(const proto::SdkDataMessagePayload& m) {
  const std::string& t = m.topic();
  if (t.empty() || t.size() > 36 || m.data().size() > 2048) return false;
  for (char c : t)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  return true;
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

bool MeetingState::PublishVideo(const VideoSource& source) {
  bool changed = false;
  for (auto it = video_.begin(); it != video_.end();) {
    if (it->second.attendee_id == source.attendee_id && it->first != source.stream_id) {
      it = video_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  auto it = video_.find(source.stream_id);
  if (it == video_.end() || it->second.group_id != source.group_id ||
      it->second.max_bitrate_kbps != source.max_bitrate_kbps ||
      it->second.framerate != source.framerate) {
    video_[source.stream_id] = source;
    changed = true;
  }
  return changed;
}

bool MeetingState::PublishVideoLayers(const std::string& attendee_id,
                                      const std::vector<VideoSource>& layers) {
  bool changed = false;
  for (auto it = video_.begin(); it != video_.end();) {
    const bool keep = std::any_of(layers.begin(), layers.end(),
                                  [&](const VideoSource& l) { return l.stream_id == it->first; });
    if (it->second.attendee_id == attendee_id && !keep) {
      it = video_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  for (const VideoSource& l : layers) {
    auto it = video_.find(l.stream_id);
    if (it == video_.end() || it->second.group_id != l.group_id ||
        it->second.max_bitrate_kbps != l.max_bitrate_kbps || it->second.framerate != l.framerate) {
      video_[l.stream_id] = l;
      changed = true;
    }
  }
  return changed;
}

bool MeetingState::SetVideo(std::map<uint32_t, VideoSource> video,
                            std::map<std::string, std::vector<uint32_t>> layer_ids) {
  const auto same = [](const VideoSource& a, const VideoSource& b) {
    return a.stream_id == b.stream_id && a.group_id == b.group_id &&
           a.attendee_id == b.attendee_id && a.external_user_id == b.external_user_id &&
           a.max_bitrate_kbps == b.max_bitrate_kbps && a.framerate == b.framerate;
  };
  const bool changed =
      video.size() != video_.size() ||
      !std::equal(video.begin(), video.end(), video_.begin(), [&](const auto& a, const auto& b) {
        return a.first == b.first && same(a.second, b.second);
      });
  video_ = std::move(video);
  video_layer_ids_ = std::move(layer_ids);
  return changed;
}

bool MeetingState::UnpublishVideo(const std::string& attendee_id) {
  video_layer_ids_.erase(attendee_id);
  return std::erase_if(video_,
                       [&](const auto& kv) { return kv.second.attendee_id == attendee_id; }) > 0;
}

size_t MeetingState::VideoSenderCount() const {
  std::vector<const std::string*> seen;
  for (const auto& [id, v] : video_) {
    if (std::none_of(seen.begin(), seen.end(),
                     [&](const std::string* a) { return *a == v.attendee_id; }))
      seen.push_back(&v.attendee_id);
  }
  return seen.size();
}

const VideoSource* MeetingState::FindVideo(uint32_t stream_id) const {
  auto it = video_.find(stream_id);
  return it == video_.end() ? nullptr : &it->second;
}

void MeetingState::SetVideoLayerIds(const std::string& attendee_id,
                                    std::vector<uint32_t> stream_ids) {
  video_layer_ids_[attendee_id] = std::move(stream_ids);
}

const VideoSource* MeetingState::FindVideoForSubscription(uint32_t stream_id) const {
  if (const VideoSource* v = FindVideo(stream_id)) return v;
  for (const auto& [attendee, ids] : video_layer_ids_) {
    if (std::find(ids.begin(), ids.end(), stream_id) == ids.end()) continue;
    for (uint32_t id : ids)
      if (const VideoSource* v = FindVideo(id)) return v;
    return nullptr;
  }
  return nullptr;
}

}  // namespace sfu::signaling

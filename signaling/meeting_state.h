#pragma once
// Live per-meeting state on the control thread, next to the signaling sessions: audio stream ids
// and mute state for presence (docs/PROTOCOL.md §4.12), and data messages (§4.15): the
// per-meeting token bucket and the messages kept for late joiners (lifetime_ms).
// Thread: control thread only.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "signaling/api/rate_limiter.h"
#include "signaling/proto/chime_signaling.pb.h"

namespace sfu::signaling {

struct PresenceEntry {
  uint32_t audio_stream_id = 0;
  std::string attendee_id;
  std::string external_user_id;
  bool muted = false;
};

// One published video stream (a camera layer), as listed in the INDEX (§4.7).
struct VideoSource {
  uint32_t stream_id = 0;
  uint32_t group_id = 0;
  std::string attendee_id;
  std::string external_user_id;
  uint32_t max_bitrate_kbps = 0;
  uint32_t framerate = 0;
};

struct KeptDataMessage {
  proto::SdkDataMessagePayload payload;
  int64_t expires_ms = 0;  // steady ms
};

class MeetingState {
 public:
  static constexpr size_t kMaxKeptMessages = 1024;
  static constexpr int64_t kMaxLifetimeMs = 5 * 60 * 1000;

  MeetingState() : data_bucket_(100, 200, 1) {}

  // A new, larger stream id for the attendee (every rejoin gets a larger one).
  uint32_t Present(const std::string& attendee_id, const std::string& external_user_id, bool muted);
  void Absent(const std::string& attendee_id);
  // A stream id in nobody's roster: a hidden (replica) attendee's own, which only it is shown
  // (docs/DESIGN.md, "Replica meetings"). From a range of their own, above any the roster's
  // attendees reach, so that on a replica's node (where the roster is the primary node's,
  // mirrored) they never meet one of the primary's.
  static constexpr uint32_t kHiddenStreamIds = 0x40000000;
  uint32_t AllocateHiddenStreamId() { return next_hidden_stream_id_++; }
  // A mirror of a primary meeting on another node (docs/DESIGN.md, "Replica meetings"): the
  // roster and video sources are the primary node's, set whole by signaling/cascade_mirror.cc.
  void SetMirrored() { mirrored_ = true; }
  bool mirrored() const { return mirrored_; }
  void SetPresent(const PresenceEntry& e) { present_[e.attendee_id] = e; }
  // Replaces the video sources and layer ids; true if the INDEX changed.
  bool SetVideo(std::map<uint32_t, VideoSource> video,
                std::map<std::string, std::vector<uint32_t>> layer_ids);
  const std::map<std::string, std::vector<uint32_t>>& video_layer_ids() const {
    return video_layer_ids_;
  }
  // The primary's joined count (INDEX num_participants) as its node reported it.
  uint32_t mirrored_joined() const { return mirrored_joined_; }
  void set_mirrored_joined(uint32_t n) { mirrored_joined_ = n; }
  PresenceEntry* Find(const std::string& attendee_id);
  const std::map<std::string, PresenceEntry>& present() const { return present_; }

  // Audio levels (RFC 6464, 0 loudest .. 127 silent) reported by the media shard.
  void ReportLevel(const std::string& attendee_id, uint8_t level, uint8_t signal_strength,
                   int64_t now_ms) {
    levels_[attendee_id] = {level, signal_strength, now_ms};
  }
  struct Level {
    uint8_t level = 127;          // RFC 6464 -dBov, from the mixer
    uint8_t signal_strength = 2;  // 0..2
    int64_t at_ms = 0;
  };
  const std::map<std::string, Level>& levels() const { return levels_; }

  // Video sources. Stream and group ids are meeting-unique and only grow (a republish gets a
  // larger group id: the client keeps the highest per attendee).
  uint32_t AllocateVideoStreamId() { return next_video_stream_id_++; }
  uint32_t AllocateGroupId() { return next_group_id_++; }
  // Replaces the attendee's published stream(s) (one per simulcast layer); true if the index
  // changed.
  bool PublishVideo(const VideoSource& source);
  bool PublishVideoLayers(const std::string& attendee_id, const std::vector<VideoSource>& layers);
  bool UnpublishVideo(const std::string& attendee_id);
  const VideoSource* FindVideo(uint32_t stream_id) const;
  // Every layer id of an attendee's camera, those it turned off included (a sender's uplink
  // policy turns simulcast layers off and on, e.g. when a content share starts; off layers are
  // not in the index). Cleared by UnpublishVideo.
  void SetVideoLayerIds(const std::string& attendee_id, std::vector<uint32_t> stream_ids);
  // What a subscription to stream_id receives: that layer, or, when it is a layer its camera
  // has just turned off, another layer of that camera still published (the section is kept and
  // fed the best arriving layer, sfu/ video forwarding). nullptr for streams of no live camera.
  // A subscriber often asks for the layer it had in the same instant the sender drops it: its
  // section must not go inactive, or the client ends the track and removes the tile.
  const VideoSource* FindVideoForSubscription(uint32_t stream_id) const;
  // Attendees publishing video (a simulcast camera has several sources but is one sender).
  size_t VideoSenderCount() const;
  const std::map<uint32_t, VideoSource>& video_sources() const { return video_; }

  // A topic of 1-36 letters, digits, '_' or '-', and at most 2 KiB of data (§4.15).
  static bool ValidDataMessage(const proto::SdkDataMessagePayload& m);
  // Per-meeting soft limit: 100 messages/s, burst 200 (§4.15).
  bool AllowDataMessage(int64_t now_ms) { return data_bucket_.Allow("m", now_ms); }
  void Keep(const proto::SdkDataMessagePayload& payload, int64_t now_ms);
  // Unexpired kept messages, oldest first.
  std::deque<KeptDataMessage>& kept(int64_t now_ms);

 private:
  uint32_t next_stream_id_ = 1;
  uint32_t next_hidden_stream_id_ = kHiddenStreamIds;
  bool mirrored_ = false;
  uint32_t mirrored_joined_ = 0;
  std::map<std::string, PresenceEntry> present_;
  api::TokenBucketLimiter data_bucket_;
  std::deque<KeptDataMessage> kept_;
  std::map<std::string, Level> levels_;
  std::map<uint32_t, VideoSource> video_;                         // by stream id
  std::map<std::string, std::vector<uint32_t>> video_layer_ids_;  // by attendee, off ones too
  uint32_t next_video_stream_id_ = 1;
  uint32_t next_group_id_ = 1;
};

}  // namespace sfu::signaling

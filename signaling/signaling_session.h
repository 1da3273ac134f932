#pragma once
// One attendee's signaling WebSocket (docs/PROTOCOL.md §5): decodes 0x05-prefixed
// SdkSignalFrames, answers PING with PONG, JOIN with JOIN_ACK then INDEX, SUBSCRIBE with
// SUBSCRIBE_ACK (SDP answer from PlanAudio and PlanVideo; the attendee's media on the meeting's
// shard, reached only through its MediaBridge), LEAVE with LEAVE_ACK; presence and
// mute (AUDIO_STREAM_ID_INFO), data messages (validated, stamped, throttled, kept for late
// joiners); accepts and drops CLIENT_METRIC and timing frames. Frames are rate-limited per
// connection (§3.3) and malformed ones counted; an abusive client is closed (1008).
// Two meeting ids: the identity's meeting authenticates the session and is what the API acts on
// (end, remove, capabilities); its media meeting is whose media, live state and broadcasts the
// session shares. They differ for a replica meeting's attendees, which are hidden, receive-only
// members of their primary's media (docs/DESIGN.md, "Replica meetings").
// Thread: control thread. Owned by its WebSocket connection; registers with the hub.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "mixer/room_mixer.h"
#include "signaling/api/rate_limiter.h"
#include "signaling/audio_plan.h"
#include "signaling/media_bridge.h"
#include "signaling/proto/frame_codec.h"
#include "signaling/video_plan.h"
#include "signaling/ws/ws_connection.h"

namespace sfu {
class ShardSet;
struct ParticipantMediaPlan;
namespace transport {
class DtlsContext;
}
}  // namespace sfu

namespace sfu::signaling {

class SignalingHub;
class SignalingMetrics;

struct SignalingLimits {
  double frames_per_second = 200;  // per connection (§3.3); the JS client sends ~1-3/s
  double frame_burst = 400;
  int max_bad_frames = 20;  // then the connection is closed
};

// Who gets TURN credentials in JOIN_ACK, and for which server (docs/DESIGN.md, "Media over TCP
// and TLS"). The Chime client given any TURN URI relays everything (iceTransportPolicy relay).
struct TurnOffer {
  enum class Policy { kAuto, kAlways, kNever };
  // kAuto: only attendees whose earlier media attempt in this meeting never connected.
  Policy policy = Policy::kAuto;
  std::string secret;             // REST secret; empty: no TURN at all
  std::vector<std::string> uris;  // external servers; empty: the embedded one of the shard
  bool embedded_tls = true;       // the embedded servers also speak TLS (turns: URIs)
  uint32_t ttl_s = 86'400;        // credentials' lifetime (the username's expiry)
  // A media attempt this long without connecting counts as the direct path failing (the
  // Chime client gives up on ICE after 15 s).
  int64_t failure_after_ms = 5'000;
};

// Where attendees' media goes. Borrowed; null shards/dtls: SUBSCRIBE is refused (tests).
struct MediaContext {
  ShardSet* shards = nullptr;
  const transport::DtlsContext* dtls = nullptr;
  std::vector<std::string> announce_ips;
  // Runs a task on the control thread (from a shard). Null: no audio levels.
  std::function<void(std::function<void()>)> post_to_control;
  // Settings of each meeting's audio mixer.
  mixer::RoomMixerConfig mixer;
  size_t max_video_senders = 25;  // cameras and content shares per meeting
  TurnOffer turn;
};

struct AttendeeIdentity {
  std::string meeting_id;
  std::string attendee_id;
  std::string external_user_id;
  int audio_bitrate_bps = 0;  // the media meeting's MeetingFeatures.Audio.BitrateKbps; 0: default
  bool content = false;       // a content-share session: attendee_id is "<AttendeeId>#content"
  // The attendee's capabilities (None, Send, Receive, SendReceive; docs/PROTOCOL.md, "Attendee
  // capabilities"); a content session sends under the attendee's content capability.
  std::string cap_audio = "SendReceive";
  std::string cap_video = "SendReceive";
  std::string cap_content = "SendReceive";
  // The meeting's MaxResolution for what this session publishes (Video, or Content for a
  // content session) in pixels; 0: no limit.
  uint32_t max_video_pixels = 0;
  // The meeting whose media and live state (shard, mixer, video sources, presence, levels, data
  // messages) the session shares: meeting_id itself, or a replica meeting's primary. Empty:
  // meeting_id (the session fills it in).
  std::string media_meeting_id;
  // A replica meeting's attendee (docs/DESIGN.md, "Replica meetings"): hears the media
  // meeting's mix and may subscribe to its videos, sees its roster, levels and sources; is never
  // mixed, forwarded or listed there (its uplink audio is dropped, a camera is refused with
  // status 206, its data messages are dropped) and PRIMARY_MEETING_JOIN is answered 501.
  bool hidden_receive_only = false;
};

class SignalingSession final : public ws::WsHandler {
 public:
  SignalingSession(std::shared_ptr<ws::WsConnection> connection, AttendeeIdentity identity,
                   SignalingHub& hub, SignalingMetrics& metrics, const base::Clock& clock,
                   SignalingLimits limits, const MediaContext* media = nullptr);
  ~SignalingSession() override;

  void OnBinaryMessage(std::span<const uint8_t> message) override;
  void OnClosed(uint16_t code) override;

  // Server-initiated end: AUDIO_STATUS with `status` (410 meeting ended, 411 removed, 301
  // joined from another device), then close.
  void End(uint32_t status, const std::string& reason);

  const AttendeeIdentity& identity() const { return identity_; }
  // UpdateAttendeeCapabilities: audio applies at once (the shard's next packet and tick), video
  // and content at the client's next SUBSCRIBE (renegotiation), as the Meetings API documents.
  void SetCapabilities(const std::string& audio, const std::string& video,
                       const std::string& content);
  // Closed by the front when a newer connection of the same attendee needs its place.
  void CloseSuperseded();
  bool closing() const;
  bool joined() const { return joined_; }
  // Had its first SUBSCRIBE_ACK (and, unless hidden, is in the media meeting's roster): receives
  // presence, AUDIO_METADATA.
  bool subscribed() const { return present_; }
  uint64_t audio_session_id() const { return audio_session_id_; }
  // Sends a frame to this session (used by the hub and other sessions of the meeting). Data
  // messages also go out on the attendee's data channel when one is open.
  void Send(const proto::SdkSignalFrame& frame);
  // A frame that arrived on the attendee's SCTP data channel (control thread).
  void OnDataChannelFrame(std::span<const uint8_t> bytes);
  void OnDataChannelOpen(uint64_t media_id) {
    if (media_id == bridge_.id()) data_channel_open_ = true;
  }
  uint64_t media_id() const { return bridge_.id(); }
  // The shard reports the transport of media id `id` connected.
  void OnMediaConnected(uint64_t id) {
    if (id == bridge_.id()) media_connected_ = true;
  }
  // Sends the current INDEX (every published video source).
  void SendIndex();

 private:
  void HandleFrame(const proto::SdkSignalFrame& frame);
  void HandleJoin(const proto::SdkSignalFrame& frame);
  // Fills JOIN_ACK's turn_credentials when the policy says this attendee relays.
  void OfferTurn(proto::SdkSignalFrame& ack);
  void HandleSubscribe(const proto::SdkSignalFrame& frame);
  // The steps of a SUBSCRIBE. The offer, or nullopt after replying 400.
  std::optional<sdp::SessionDescription> ParseOffer(const std::string& sdp);
  // The meeting's shard (placed on the first SUBSCRIBE).
  int PlaceMeeting();
  // A new media id and ICE credentials for a new transport (first SUBSCRIBE, ICE restart).
  void NewTransport(const std::string& remote_ufrag, int shard_index);
  // What the shard's participant should be (bridge_.Apply creates or renegotiates it).
  sfu::ParticipantMediaPlan MediaPlan(const sdp::MediaSection& first, const AudioPlanResult& audio,
                                      const sfu::VideoPlanForMedia& video) const;
  std::string AnswerSdp(const sdp::SessionDescription& offer,
                        const std::vector<sdp::MediaAnswer>& answers, int shard_index) const;
  void SendSubscribeAck(const proto::SdkSubscribeFrame& sub, const std::string& answer,
                        const VideoPlanResult& video);
  // After the first SUBSCRIBE_ACK: present in the meeting, kept data messages replayed.
  void BecomePresent(bool muted);
  void HandleAudioControl(const proto::SdkSignalFrame& frame);
  void HandlePauseResume(const proto::SdkSignalFrame& frame);
  void HandleRemoteVideoUpdate(const proto::SdkSignalFrame& frame);
  void HandleDataMessage(const proto::SdkSignalFrame& frame);
  // Promotion of a replica attendee into the primary meeting is not supported: error ack.
  void HandlePrimaryMeetingJoin(const proto::SdkSignalFrame& frame);
  const std::string& media_meeting() const { return identity_.media_meeting_id; }
  void SendError(proto::SdkSignalFrame::Type type, uint32_t status, const std::string& description);
  // Presence: full snapshot to self, delta to the others (hidden: the snapshot and itself, with
  // `muted` as its SUBSCRIBE says).
  void AnnouncePresence(bool muted);
  void AnnounceLeft(bool dropped);
  // Ends the media transport and unpublishes video (leave, close, server end).
  void StopMedia();
  // Ends only the transport (an ICE restart makes a new one).
  void StopTransport();

  std::shared_ptr<ws::WsConnection> connection_;
  bool AudioSendAllowed() const;
  AttendeeIdentity identity_;
  SignalingHub& hub_;
  SignalingMetrics& metrics_;
  const base::Clock& clock_;
  SignalingLimits limits_;
  api::TokenBucketLimiter limiter_;
  const MediaContext* media_;  // borrowed, may be null
  int bad_frames_ = 0;
  bool joined_ = false;
  bool left_ = false;
  uint64_t audio_session_id_ = 0;
  uint32_t audio_stream_id_ = 0;  // non-zero once present in the roster (never when hidden)
  bool present_ = false;
  // Media on the shard.
  MediaBridge bridge_;
  std::string remote_ufrag_;
  std::string local_ufrag_;
  std::string local_pwd_;
  SessionAudioState audio_;
  bool data_channel_open_ = false;
  // The current transport: when it was made (-1: none), whether it connected, whether this
  // session's JOIN_ACK carried TURN credentials (a failure then is not the direct path's).
  int64_t transport_opened_ms_ = -1;
  bool media_connected_ = false;
  bool turn_sent_ = false;
  SessionVideoState video_;
  sfu::VideoPlanForMedia
      video_media_;  // what the shard was last told (REMOTE_VIDEO_UPDATE edits it)
};

}  // namespace sfu::signaling

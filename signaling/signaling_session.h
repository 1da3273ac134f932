#pragma once
// One attendee's signaling WebSocket (chime-signaling.md §4): decodes 0x05-prefixed
// SdkSignalFrames, answers PING with PONG, JOIN with JOIN_ACK then INDEX, LEAVE with LEAVE_ACK;
// accepts and drops CLIENT_METRIC and timing frames. Frames are rate-limited per connection and
// malformed ones are counted; an abusive client is closed (1008).
// Not yet (see the signaling issue): SUBSCRIBE/SUBSCRIBE_ACK with media, presence, data messages.
// Thread: control thread. Owned by its WebSocket connection; registers with the hub.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "signaling/api/rate_limiter.h"
#include "signaling/proto/frame_codec.h"
#include "signaling/ws/ws_connection.h"
#include "transport/base/clock.h"

namespace sfu::metrics {
class ServerMetrics;
}

namespace sfu::signaling {

class SignalingHub;

struct SignalingLimits {
  double frames_per_second = 50;  // per connection; the JS client sends ~1-3 per second
  double frame_burst = 200;
  int max_bad_frames = 20;        // then the connection is closed
};

struct AttendeeIdentity {
  std::string meeting_id;
  std::string attendee_id;
  std::string external_user_id;
};

class SignalingSession final : public ws::WsHandler {
 public:
  SignalingSession(std::shared_ptr<ws::WsConnection> connection, AttendeeIdentity identity,
                   SignalingHub& hub, metrics::ServerMetrics& metrics, const base::Clock& clock,
                   SignalingLimits limits);
  ~SignalingSession() override;

  void OnBinaryMessage(std::span<const uint8_t> message) override;
  void OnClosed(uint16_t code) override;

  // Server-initiated end: AUDIO_STATUS with `status` (410 meeting ended, 411 removed, 301
  // joined from another device), then close.
  void End(uint32_t status, const std::string& reason);

  const AttendeeIdentity& identity() const { return identity_; }
  bool joined() const { return joined_; }

 private:
  void Send(const proto::SdkSignalFrame& frame);
  void HandleFrame(const proto::SdkSignalFrame& frame);
  void SendIndex();

  std::shared_ptr<ws::WsConnection> connection_;
  AttendeeIdentity identity_;
  SignalingHub& hub_;
  metrics::ServerMetrics& metrics_;
  const base::Clock& clock_;
  SignalingLimits limits_;
  api::TokenBucketLimiter limiter_;
  int bad_frames_ = 0;
  bool joined_ = false;
  bool left_ = false;
};

}  // namespace sfu::signaling

#include "signaling/signaling_session.h"

#include "metrics/server_metrics.h"
#include "signaling/signaling_hub.h"
#include "transport/base/log.h"

namespace sfu::signaling {
using proto::SdkSignalFrame;

SignalingSession::SignalingSession(std::shared_ptr<ws::WsConnection> connection, AttendeeIdentity identity,
                                   SignalingHub& hub, metrics::ServerMetrics& metrics,
                                   const base::Clock& clock, SignalingLimits limits)
    : connection_(std::move(connection)),
      identity_(std::move(identity)),
      hub_(hub),
      metrics_(metrics),
      clock_(clock),
      limits_(limits),
      limiter_(limits.frames_per_second, limits.frame_burst, 1) {
  hub_.Add(this);
  SFU_LOG(kInfo, "signaling connected").Kv("meeting", identity_.meeting_id).Kv("attendee", identity_.attendee_id)
      .Kv("remote", connection_->remote_address());
}

SignalingSession::~SignalingSession() { hub_.Remove(this); }

void SignalingSession::Send(const SdkSignalFrame& frame) {
  metrics_.CountSignalingFrame("out", SdkSignalFrame::Type_Name(frame.type()));
  connection_->SendBinary(proto::EncodeFrame(frame));
}

void SignalingSession::OnBinaryMessage(std::span<const uint8_t> message) {
  if (connection_->closed()) return;
  if (!limiter_.Allow("c", clock_.NowSteadyMs())) {
    metrics_.CountSignalingFrame("in", "rate_limited");
    SFU_LOG(kWarn, "signaling rate limit exceeded, closing").Kv("meeting", identity_.meeting_id)
        .Kv("attendee", identity_.attendee_id);
    connection_->Close(1008, "frame rate limit exceeded");
    return;
  }
  std::string error;
  auto frame = proto::DecodeFrame(message, &error);
  if (!frame) {
    metrics_.CountSignalingFrame("in", "malformed");
    SFU_LOG(kDebug, "bad signaling frame").Kv("attendee", identity_.attendee_id).Kv("error", error);
    if (++bad_frames_ >= limits_.max_bad_frames) connection_->Close(1008, "too many malformed frames");
    return;
  }
  metrics_.CountSignalingFrame("in", SdkSignalFrame::Type_Name(frame->type()));
  HandleFrame(*frame);
}

void SignalingSession::HandleFrame(const SdkSignalFrame& f) {
  switch (f.type()) {
    case SdkSignalFrame::PING_PONG:
      if (f.ping_pong().type() == proto::PING) Send(proto::MakePingPong(proto::PONG, f.ping_pong().ping_id()));
      return;
    case SdkSignalFrame::JOIN: {
      // No TURN credentials: the client then uses host candidates against our ICE-lite server.
      Send(proto::MakeFrame(SdkSignalFrame::JOIN_ACK));
      joined_ = true;
      SendIndex();
      SFU_LOG(kInfo, "attendee joined").Kv("meeting", identity_.meeting_id).Kv("attendee", identity_.attendee_id);
      return;
    }
    case SdkSignalFrame::LEAVE:
      Send(proto::MakeFrame(SdkSignalFrame::LEAVE_ACK));
      joined_ = false;
      left_ = true;
      SFU_LOG(kInfo, "attendee left").Kv("meeting", identity_.meeting_id).Kv("attendee", identity_.attendee_id);
      return;
    default:
      return;  // CLIENT_METRIC, timing and not-yet-implemented frames are accepted and dropped
  }
}

void SignalingSession::SendIndex() {
  SdkSignalFrame index = proto::MakeFrame(SdkSignalFrame::INDEX);
  index.mutable_index()->set_num_participants(static_cast<uint32_t>(hub_.JoinedCount(identity_.meeting_id)));
  Send(index);
}

void SignalingSession::End(uint32_t status, const std::string& reason) {
  if (connection_->closed()) return;
  SdkSignalFrame f = proto::MakeFrame(SdkSignalFrame::AUDIO_STATUS);
  f.mutable_audio_status()->set_audio_status(status);
  Send(f);
  connection_->Close(1000, reason);
  SFU_LOG(kInfo, "signaling ended by server").Kv("meeting", identity_.meeting_id)
      .Kv("attendee", identity_.attendee_id).Kv("status", status);
}

void SignalingSession::OnClosed(uint16_t code) {
  SFU_LOG(kInfo, "signaling closed").Kv("meeting", identity_.meeting_id).Kv("attendee", identity_.attendee_id)
      .Kv("code", code);
}

}  // namespace sfu::signaling

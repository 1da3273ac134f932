#pragma once
// The echo endpoint's session (POST /echo): a connectivity check for users and the proof of
// the transport against a real browser. One WebRtcTransport; every RTP packet the peer sends
// comes back on the same transport with the server's own SSRCs (sequence numbers, timestamps
// and payload untouched); RTCP feedback about the echoed streams (NACK, PLI, FIR) is mirrored
// to the peer's own streams so its encoder answers it; data-channel messages come back
// unchanged.
// Thread: the owning shard only.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/shard_session.h"
#include "sfu/shard_transport.h"
#include "transport/sctp/sctp_association.h"
#include "transport/webrtc_transport.h"

namespace sfu {

class Shard;

struct EchoStreamPlan {
  std::vector<int> payload_types;  // of the section (media packets)
  std::vector<int> rtx_payload_types;
  uint32_t in_ssrc = 0;  // announced by the offer (0 if not)
  uint32_t in_rtx_ssrc = 0;
  uint32_t out_ssrc = 0;  // ours, announced in the answer
  uint32_t out_rtx_ssrc = 0;
};

struct EchoPlan {
  transport::WebRtcTransport::Params transport;
  std::vector<EchoStreamPlan> streams;
  bool data_channel = false;
  uint32_t remote_max_message_size = 0;  // the offer's a=max-message-size (0: not given)
};

class EchoSession final : public ShardSession,
                          public transport::WebRtcTransport::Listener,
                          public transport::SctpAssociation::Listener {
 public:
  EchoSession(Shard& shard, EchoPlan plan);
  ~EchoSession() override;

  void OnTick(int64_t now_ms) override;
  bool finished() const override { return finished_; }

 private:
  // WebRtcTransport::Listener
  void OnTransportConnected(transport::WebRtcTransport& t) override;
  void OnRtp(transport::WebRtcTransport& t, const wire::RtpPacketView& packet, uint8_t* data,
             size_t capacity) override;
  void OnRtcp(transport::WebRtcTransport& t, uint8_t* data, size_t len, size_t capacity) override;
  void OnApplicationData(transport::WebRtcTransport& t, std::span<const uint8_t> data) override;
  void OnTransportClosed(transport::WebRtcTransport& t, std::string_view reason) override;

  // SctpAssociation::Listener
  void OnSctpOutgoingPacket(std::span<const uint8_t> packet) override;
  void OnDataChannelOpen(uint16_t stream_id, const std::string& label,
                         const std::string& protocol) override;
  void OnDataChannelMessage(uint16_t stream_id, bool binary,
                            std::span<const uint8_t> data) override;
  void OnSctpStateChange(transport::SctpAssociation::State state) override;

  // Outbound SSRC for an inbound packet (learned on first sight), 0 to drop.
  uint32_t MapSsrc(uint32_t in_ssrc, int payload_type);
  uint32_t ReverseSsrc(uint32_t out_ssrc) const;

  Shard& shard_;
  EchoPlan plan_;
  ShardTransport transport_;
  std::unique_ptr<transport::SctpAssociation> sctp_;  // when the offer has m=application
  std::unordered_map<uint32_t, uint32_t> in_to_out_;
  bool finished_ = false;
};

}  // namespace sfu

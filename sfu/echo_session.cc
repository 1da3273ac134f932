#include "sfu/echo_session.h"

#include "base/log.h"
#include "sfu/shard.h"
#include "transport/endpoint_demuxer.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtp_packet.h"

namespace sfu {
namespace {

uint32_t Read32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
void Write32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace

EchoSession::EchoSession(Shard& shard, EchoPlan plan)
    : shard_(shard), plan_(std::move(plan)), transport_(shard, plan_.transport, this) {
  if (plan_.data_channel)
    sctp_ = ShardTransport::MakeSctp(shard_, this, plan_.remote_max_message_size);
  for (const EchoStreamPlan& p : plan_.streams) {
    if (p.in_ssrc) in_to_out_[p.in_ssrc] = p.out_ssrc;
    if (p.in_rtx_ssrc) in_to_out_[p.in_rtx_ssrc] = p.out_rtx_ssrc;
  }
}

EchoSession::~EchoSession() {
  sctp_.reset();  // before the transport it sends through
}

void EchoSession::OnTick(int64_t now_ms) {
  if (!transport_.Tick(now_ms)) {
    finished_ = true;
    return;
  }
}

void EchoSession::OnTransportConnected(transport::WebRtcTransport& t) {
  if (sctp_) sctp_->Start();
  SFU_LOG(kInfo, "echo connected")
      .Kv("shard", shard_.index())
      .Kv("ufrag", t.ice().local_ufrag())
      .Kv("dtls", t.dtls().version())
      .Kv("srtp", transport::SrtpProfileName(t.dtls().srtp_profile()));
}

uint32_t EchoSession::MapSsrc(uint32_t in_ssrc, int pt) {
  if (auto it = in_to_out_.find(in_ssrc); it != in_to_out_.end()) return it->second;
  if (in_to_out_.size() >= 64) return 0;  // bounded: a peer cannot grow this without limit
  // Unannounced SSRC: the payload type tells which section (and whether it is RTX).
  for (const EchoStreamPlan& p : plan_.streams) {
    for (int rtx : p.rtx_payload_types) {
      if (rtx == pt) return in_to_out_[in_ssrc] = p.out_rtx_ssrc;
    }
    for (int media : p.payload_types) {
      if (media == pt) return in_to_out_[in_ssrc] = p.out_ssrc;
    }
  }
  return 0;
}

uint32_t EchoSession::ReverseSsrc(uint32_t out_ssrc) const {
  for (const auto& [in, out] : in_to_out_)
    if (out == out_ssrc) return in;
  return 0;
}

void EchoSession::OnRtp(transport::WebRtcTransport& t, const wire::RtpPacketView& packet,
                        uint8_t* data, size_t capacity) {
  const size_t len = packet.size();
  const int pt = data[1] & 0x7f;
  const uint32_t out = MapSsrc(Read32(data + 8), pt);
  if (out == 0) return;
  Write32(data + 8, out);
  t.SendRtp(data, len, capacity);
}

void EchoSession::OnRtcp(transport::WebRtcTransport& t, uint8_t* data, size_t len,
                         size_t capacity) {
  // Keep the feedback about our echoed streams (NACK, PLI, FIR), re-addressed to the peer's own
  // streams; drop the rest. A lying length ends the walk (the blocks before it still count).
  uint8_t out[1500];
  size_t out_len = 0;
  wire::rtcp::CompoundIterator it(std::span<const uint8_t>(data, len));
  while (auto header = it.Next()) {
    const std::span<const uint8_t> block = header->block();
    const bool nack = header->type() == 205 && header->fmt() == 1;
    const bool pli = header->type() == 206 && header->fmt() == 1;
    const bool fir = header->type() == 206 && header->fmt() == 4;
    if (!(nack || pli || fir) || block.size() < 12 || out_len + block.size() > sizeof(out))
      continue;
    uint8_t* b = out + out_len;
    std::copy(block.begin(), block.end(), b);
    bool ok = true;
    if (fir) {  // RFC 5104 §4.3.1: the media SSRCs are in the FCI entries
      for (size_t f = 12; f + 8 <= block.size(); f += 8) {
        const uint32_t in = ReverseSsrc(Read32(b + f));
        ok = ok && in != 0;
        Write32(b + f, in);
      }
    } else {  // RFC 4585 §6.1: media source SSRC at offset 8
      const uint32_t in = ReverseSsrc(Read32(b + 8));
      ok = in != 0;
      Write32(b + 8, in);
    }
    if (ok) out_len += block.size();
  }
  if (out_len == 0 || out_len + transport::kSrtpMaxTrailer > capacity) return;
  std::copy(out, out + out_len, data);
  t.SendRtcp(data, out_len, capacity);
}

void EchoSession::OnApplicationData(transport::WebRtcTransport&, std::span<const uint8_t> data) {
  if (sctp_) sctp_->OnIncomingPacket(data);
}

void EchoSession::OnSctpOutgoingPacket(std::span<const uint8_t> packet) {
  if (!transport_->closed()) transport_->SendApplicationData(packet);
}

void EchoSession::OnDataChannelOpen(uint16_t stream_id, const std::string& label,
                                    const std::string&) {
  SFU_LOG(kDebug, "echo data channel open")
      .Kv("shard", shard_.index())
      .Kv("stream", stream_id)
      .Kv("label", label);
}

void EchoSession::OnDataChannelMessage(uint16_t stream_id, bool binary,
                                       std::span<const uint8_t> data) {
  ShardStats& s = shard_.mutable_stats();
  s.Add(s.sctp_messages_in);
  if (sctp_->Send(stream_id, binary, data)) s.Add(s.sctp_messages_out);
}

void EchoSession::OnSctpStateChange(transport::SctpAssociation::State state) {
  if (state == transport::SctpAssociation::State::kFailed) {
    SFU_LOG(kWarn, "echo sctp failed")
        .Kv("shard", shard_.index())
        .Kv("ufrag", plan_.transport.local_ufrag);
  }
}

void EchoSession::OnTransportClosed(transport::WebRtcTransport& t, std::string_view reason) {
  SFU_LOG(kInfo, "echo closed")
      .Kv("shard", shard_.index())
      .Kv("ufrag", t.ice().local_ufrag())
      .Kv("reason", reason);
}

}  // namespace sfu

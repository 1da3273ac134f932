#include "sfu/participant_media.h"

#include <openssl/rand.h>

#include <unordered_map>

#include "sfu/shard.h"
#include "transport/base/log.h"
#include "transport/endpoint_demuxer.h"
#include "transport/wire/rtp_packet.h"

namespace sfu {
namespace {

// An Opus packet for 20 ms of silence (TOC 0xF8: CELT-only fullband 20 ms, mono; then a frame the
// decoder renders as silence) — the same bytes WebRTC stacks send for comfort silence.
constexpr uint8_t kOpusSilence[] = {0xf8, 0xff, 0xfe};

// Registry of live participants per shard thread (the shard owns them through its sessions).
thread_local std::unordered_map<uint64_t, ParticipantMedia*> t_participants;

}  // namespace

ParticipantMedia* FindParticipantMedia(Shard&, uint64_t id) {
  auto it = t_participants.find(id);
  return it == t_participants.end() ? nullptr : it->second;
}

ParticipantMedia::ParticipantMedia(Shard& shard, ParticipantMediaPlan plan)
    : shard_(shard), plan_(std::move(plan)), transport_(shard, plan_.transport, this) {
  if (plan_.data_channel) sctp_ = ShardTransport::MakeSctp(shard_, this, plan_.remote_max_message_size);
  RAND_bytes(reinterpret_cast<unsigned char*>(&seq_), sizeof(seq_));
  RAND_bytes(reinterpret_cast<unsigned char*>(&timestamp_), sizeof(timestamp_));
  t_participants[plan_.id] = this;
}

ParticipantMedia::~ParticipantMedia() {
  t_participants.erase(plan_.id);
  sctp_.reset();  // before the transport it sends through
}

void ParticipantMedia::Update(int audio_payload_type) { plan_.audio_payload_type = audio_payload_type; }

void ParticipantMedia::Stop() {
  if (!transport_->closed()) transport_->Close("signaling ended");
  finished_ = true;
}

void ParticipantMedia::OnTick(int64_t now_ms) {
  if (!transport_.Tick(now_ms)) {
    finished_ = true;
    return;
  }
  if (now_ms >= next_level_report_ms_) {
    if (window_level_ >= 0 && plan_.report_level) plan_.report_level(static_cast<uint8_t>(window_level_));
    window_level_ = -1;
    next_level_report_ms_ = now_ms + 250;
  }
  // 20 ms of audio per 20 ms of time; catch up at most a few frames after a stall.
  if (transport_->connected() && plan_.audio_payload_type >= 0) {
    if (next_audio_ms_ == 0) next_audio_ms_ = now_ms;
    for (int i = 0; i < 5 && now_ms >= next_audio_ms_; ++i) {
      SendSilence();
      next_audio_ms_ += 20;
    }
    if (now_ms >= next_audio_ms_) next_audio_ms_ = now_ms + 20;
  }
}

void ParticipantMedia::SendSilence() {
  uint8_t buf[256];
  wire::RtpHeaderWriter w;
  w.SetPayloadType(static_cast<uint8_t>(plan_.audio_payload_type));
  w.SetSequenceNumber(seq_++);
  w.SetTimestamp(timestamp_);
  w.SetSsrc(plan_.audio_ssrc);
  timestamp_ += 960;
  const size_t header = w.WriteTo(buf);
  if (header == 0) return;
  std::copy(std::begin(kOpusSilence), std::end(kOpusSilence), buf + header);
  transport_->SendRtp(buf, header + sizeof(kOpusSilence), sizeof(buf));
}

void ParticipantMedia::OnTransportConnected(transport::WebRtcTransport& t) {
  if (sctp_) sctp_->Start();
  SFU_LOG(kInfo, "media connected").Kv("meeting", plan_.meeting_id).Kv("attendee", plan_.attendee_id)
      .Kv("shard", shard_.index()).Kv("dtls", t.dtls().version())
      .Kv("srtp", transport::SrtpProfileName(t.dtls().srtp_profile()));
}

void ParticipantMedia::OnRtp(transport::WebRtcTransport&, uint8_t* data, size_t len, size_t) {
  // Uplink audio/video: counted by the transport; the mixer and the SFU will consume it. For
  // now only the RFC 6464 audio level is read, for AUDIO_METADATA (volume indicators).
  if (plan_.audio_level_ext_id <= 0) return;
  auto pkt = wire::RtpPacketView::Parse(std::span<const uint8_t>(data, len));
  if (!pkt || pkt->payload_type() != plan_.audio_payload_type) return;
  auto ext = pkt->Extension(static_cast<uint8_t>(plan_.audio_level_ext_id));
  if (!ext || ext->empty()) return;
  const int level = (*ext)[0] & 0x7f;
  if (window_level_ < 0 || level < window_level_) window_level_ = level;
}

void ParticipantMedia::OnRtcp(transport::WebRtcTransport&, uint8_t*, size_t, size_t) {}
void ParticipantMedia::OnApplicationData(transport::WebRtcTransport&, std::span<const uint8_t> data) {
  if (sctp_) sctp_->OnIncomingPacket(data);
}

void ParticipantMedia::SendDataFrame(const std::vector<uint8_t>& frame) {
  if (!sctp_) return;
  metrics::ShardStats& s = shard_.mutable_stats();
  for (uint16_t stream : open_channels_) {
    if (sctp_->Send(stream, /*binary=*/true, frame)) s.Add(s.sctp_messages_out);
  }
}

void ParticipantMedia::OnSctpOutgoingPacket(std::span<const uint8_t> packet) {
  if (!transport_->closed()) transport_->SendApplicationData(packet);
}

void ParticipantMedia::OnDataChannelOpen(uint16_t stream_id, const std::string&, const std::string&) {
  open_channels_.push_back(stream_id);
  if (plan_.on_data_channel_open) plan_.on_data_channel_open();
}

void ParticipantMedia::OnDataChannelMessage(uint16_t, bool, std::span<const uint8_t> data) {
  metrics::ShardStats& s = shard_.mutable_stats();
  s.Add(s.sctp_messages_in);
  if (plan_.on_data_frame) plan_.on_data_frame(std::vector<uint8_t>(data.begin(), data.end()));
}

void ParticipantMedia::OnSctpStateChange(transport::SctpAssociation::State) {}

void ParticipantMedia::OnTransportClosed(transport::WebRtcTransport&, std::string_view reason) {
  SFU_LOG(kInfo, "media closed").Kv("meeting", plan_.meeting_id).Kv("attendee", plan_.attendee_id)
      .Kv("reason", reason);
}

}  // namespace sfu

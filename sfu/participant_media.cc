#include "sfu/participant_media.h"

#include <unordered_map>

#include "base/log.h"
#include "base/random.h"
#include "sfu/meeting_audio.h"
#include "sfu/meeting_video.h"
#include "sfu/shard.h"
#include "transport/endpoint_demuxer.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/fir.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/remb.h"
#include "transport/wire/rtcp/sender_report.h"
#include "transport/wire/rtp_packet.h"

namespace sfu {

ParticipantMedia* FindParticipantMedia(Shard& shard, uint64_t id) {
  auto it = shard.registry().participants.find(id);
  return it == shard.registry().participants.end() ? nullptr : it->second;
}

ParticipantMedia::ParticipantMedia(Shard& shard, ParticipantMediaPlan plan)
    : shard_(shard),
      plan_(std::move(plan)),
      transport_(shard, plan_.transport, this),
      stream_(static_cast<uint16_t>(base::RandomU32()), base::RandomU32()) {
  if (plan_.data_channel)
    sctp_ = ShardTransport::MakeSctp(shard_, this, plan_.remote_max_message_size);
  audio_ = &MeetingAudio::For(shard_, plan_.meeting_id, plan_.mixer);
  mixer_id_ = audio_->Join(this, plan_.muted || !plan_.audio_send);
  video_ = &MeetingVideo::For(shard_, plan_.meeting_id);
  video_->Set(this, plan_.video);
  shard_.registry().participants[plan_.id] = this;
}

ParticipantMedia::~ParticipantMedia() {
  shard_.registry().participants.erase(plan_.id);
  if (audio_) audio_->Leave(mixer_id_);
  if (video_) video_->Remove(this);
  sctp_.reset();  // before the transport it sends through
}

void ParticipantMedia::Update(int audio_payload_type, int red_payload_type) {
  plan_.audio_payload_type = audio_payload_type;
  plan_.red_payload_type = red_payload_type;
}

void ParticipantMedia::SetVideo(const VideoPlanForMedia& video) {
  plan_.video = video;
  if (video_) video_->Set(this, video);
}

void ParticipantMedia::SetVideoPaused(const std::vector<uint32_t>& stream_ids, bool paused) {
  if (video_) video_->SetPaused(this, stream_ids, paused);
}

bool ParticipantMedia::SendVideoRtp(uint8_t* data, size_t len, size_t capacity) {
  if (finished_ || !transport_->connected()) return false;
  return transport_->SendRtp(data, len, capacity);
}

void ParticipantMedia::SendVideoRtcp(uint8_t* data, size_t len, size_t capacity) {
  if (finished_ || !transport_->connected()) return;
  transport_->SendRtcp(data, len, capacity);
}

int64_t ParticipantMedia::NowMs() const { return shard_.NowMs(); }

void ParticipantMedia::SetMuted(bool muted) {
  plan_.muted = muted;
  if (audio_) audio_->SetMuted(mixer_id_, muted || !plan_.audio_send);
}

void ParticipantMedia::SetAudioCapabilities(bool send, bool receive) {
  plan_.audio_send = send;
  plan_.audio_receive = receive;
  if (audio_) audio_->SetMuted(mixer_id_, plan_.muted || !send);
}

void ParticipantMedia::ReportLevel(int level_dbov, int signal_strength) {
  if (plan_.report_level)
    plan_.report_level(static_cast<uint8_t>(level_dbov), static_cast<uint8_t>(signal_strength));
}

void ParticipantMedia::Stop() {
  if (!transport_->closed()) transport_->Close("signaling ended");
  finished_ = true;
}

void ParticipantMedia::OnTick(int64_t now_ms) {
  if (!transport_.Tick(now_ms)) finished_ = true;
}

void ParticipantMedia::SendMixedAudio(std::span<const uint8_t> opus, uint64_t tick) {
  if (finished_ || !transport_->connected() || plan_.audio_payload_type < 0) return;
  uint8_t buf[1500 + transport::kSrtpMaxTrailer];  // room for the SRTP tag
  if (opus.size() > 1500 - 64) return;
  // A listener without the Receive capability gets a 20 ms Opus silence frame (CELT fullband,
  // TOC 0xf8, then the silence flag): the client's audio stream stays alive, nothing is heard.
  static constexpr uint8_t kOpusSilence[] = {0xf8, 0xff, 0xfe};
  if (!plan_.audio_receive) opus = kOpusSilence;
  const mixer::ListenerStream::Header h = stream_.Next(tick);
  wire::RtpHeaderWriter w;
  w.SetPayloadType(static_cast<uint8_t>(plan_.audio_payload_type));
  w.SetSequenceNumber(h.seq);
  w.SetTimestamp(h.timestamp);
  w.SetSsrc(plan_.audio_ssrc);
  w.SetMarker(h.marker);
  const size_t header = w.WriteTo(buf);
  if (header == 0) return;
  std::copy(opus.begin(), opus.end(), buf + header);
  transport_->SendRtp(buf, header + opus.size(), sizeof(buf));
}

void ParticipantMedia::OnTransportConnected(transport::WebRtcTransport& t) {
  if (sctp_) sctp_->Start();
  if (plan_.on_connected) plan_.on_connected();
  SFU_LOG(kInfo, "media connected")
      .Kv("meeting", plan_.meeting_id)
      .Kv("attendee", plan_.attendee_id)
      .Kv("shard", shard_.index())
      .Kv("dtls", t.dtls().version())
      .Kv("path", t.selected_link() ? "stream" : "udp")
      .Kv("srtp", transport::SrtpProfileName(t.dtls().srtp_profile()));
}

void ParticipantMedia::OnRtp(transport::WebRtcTransport&, const wire::RtpPacketView& pkt, uint8_t*,
                             size_t) {
  // Uplink audio goes to the meeting's mixer, video to its forwarding.
  const int pt = pkt.payload_type();
  const bool opus = pt == plan_.audio_payload_type;
  const bool red = plan_.red_payload_type >= 0 && pt == plan_.red_payload_type;
  if (!opus && !red) {
    if (video_) video_->OnRtp(this, pkt);
    return;
  }
  if (!audio_ || !plan_.audio_send) return;  // a non-sender's audio: not decoded, not mixed
  int level = -1;
  if (plan_.audio_level_ext_id > 0) {
    auto ext = pkt.Extension(static_cast<uint8_t>(plan_.audio_level_ext_id));
    if (ext && !ext->empty()) level = (*ext)[0] & 0x7f;
  }
  const int64_t now = shard_.NowMs();
  if (opus) {
    audio_->PushOpus(mixer_id_, pkt.sequence_number(), pkt.timestamp(), pkt.payload(), level, now);
  } else {
    audio_->PushRed(mixer_id_, pkt.sequence_number(), pkt.timestamp(), pkt.payload(),
                    plan_.audio_payload_type, level, now);
  }
}

void ParticipantMedia::OnRtcp(transport::WebRtcTransport&, uint8_t* data, size_t len, size_t) {
  // Feedback for the video we send it: NACKs, key-frame requests, report blocks (its loss) and
  // REMB (its estimate). Everything else is terminated here.
  if (!video_) return;
  wire::rtcp::CompoundIterator it(std::span<const uint8_t>(data, len));
  while (auto block = it.Next()) {
    if (block->type() == wire::rtcp::kPacketTypeRr) {
      wire::rtcp::ReceiverReport rr;
      if (rr.Parse(*block) && !rr.report_blocks().empty())
        video_->OnReportBlocks(this, rr.report_blocks());
      continue;
    }
    if (block->type() == wire::rtcp::kPacketTypeSr) {
      wire::rtcp::SenderReport sr;
      if (sr.Parse(*block) && !sr.report_blocks().empty())
        video_->OnReportBlocks(this, sr.report_blocks());
      continue;
    }
    if (block->type() == wire::rtcp::kPacketTypePsfb &&
        block->fmt() == wire::rtcp::Remb::kFeedbackMessageType) {
      wire::rtcp::Remb remb;
      if (remb.Parse(*block)) video_->OnRemb(this, remb.bitrate_bps());
      continue;
    }
    if (block->type() == wire::rtcp::kPacketTypeRtpfb &&
        block->fmt() == wire::rtcp::Nack::kFeedbackMessageType) {
      wire::rtcp::Nack nack;
      if (!nack.Parse(*block)) continue;
      uint16_t lost[128];
      size_t n = 0;
      nack.ForEachLostPacket([&](uint16_t seq) {
        if (n < std::size(lost)) lost[n++] = seq;
      });
      video_->OnNack(this, nack.media_ssrc(), std::span<const uint16_t>(lost, n));
      continue;
    }
    if (block->type() != wire::rtcp::kPacketTypePsfb) continue;
    if (block->fmt() == wire::rtcp::Pli::kFeedbackMessageType) {
      wire::rtcp::Pli pli;
      if (pli.Parse(*block)) video_->OnKeyframeRequest(this, pli.media_ssrc());
    } else if (block->fmt() == wire::rtcp::Fir::kFeedbackMessageType) {
      wire::rtcp::Fir fir;
      if (!fir.Parse(*block)) continue;
      for (size_t i = 0; i < fir.request_count() && i < 16; ++i)
        video_->OnKeyframeRequest(this, fir.request(i).ssrc);
    }
  }
}
void ParticipantMedia::OnApplicationData(transport::WebRtcTransport&,
                                         std::span<const uint8_t> data) {
  if (sctp_) sctp_->OnIncomingPacket(data);
}

void ParticipantMedia::SendDataFrame(const std::vector<uint8_t>& frame) {
  if (!sctp_) return;
  ShardStats& s = shard_.mutable_stats();
  for (uint16_t stream : open_channels_) {
    if (sctp_->Send(stream, /*binary=*/true, frame)) s.Add(s.sctp_messages_out);
  }
}

void ParticipantMedia::OnSctpOutgoingPacket(std::span<const uint8_t> packet) {
  if (!transport_->closed()) transport_->SendApplicationData(packet);
}

void ParticipantMedia::OnDataChannelOpen(uint16_t stream_id, const std::string&,
                                         const std::string&) {
  open_channels_.push_back(stream_id);
  if (plan_.on_data_channel_open) plan_.on_data_channel_open();
}

void ParticipantMedia::OnDataChannelMessage(uint16_t, bool, std::span<const uint8_t> data) {
  ShardStats& s = shard_.mutable_stats();
  s.Add(s.sctp_messages_in);
  if (plan_.on_data_frame) plan_.on_data_frame(std::vector<uint8_t>(data.begin(), data.end()));
}

void ParticipantMedia::OnSctpStateChange(transport::SctpAssociation::State) {}

void ParticipantMedia::OnTransportClosed(transport::WebRtcTransport&, std::string_view reason) {
  SFU_LOG(kInfo, "media closed")
      .Kv("meeting", plan_.meeting_id)
      .Kv("attendee", plan_.attendee_id)
      .Kv("reason", reason);
}

}  // namespace sfu

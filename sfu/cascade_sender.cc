#include "sfu/cascade_sender.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/random.h"
#include "sfu/cascade_link.h"
#include "sfu/meeting_audio.h"
#include "sfu/meeting_video.h"
#include "sfu/shard.h"
#include "transport/endpoint_demuxer.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/fir.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"

namespace sfu {
namespace {}  // namespace

void CascadeSender::Open(Shard& shard, CascadeLinkPlan plan) {
  auto& senders = shard.registry().cascade_senders;
  auto it = senders.find(Key(plan.meeting_id, plan.node_id));
  if (it != senders.end() && !it->second->finished()) {
    CascadeSender& s = *it->second;
    if (s.plan_.send_key == plan.send_key && s.plan_.receive_key == plan.receive_key &&
        s.plan_.peer == plan.peer) {
      s.last_heard_ms_ = shard.NowMs();
      return;
    }
    s.Stop();  // new keys or address: the replica node restarted its end
    senders.erase(it);
  }
  shard.AddSession(std::make_unique<CascadeSender>(shard, std::move(plan)));
}

void CascadeSender::Close(Shard& shard, const std::string& meeting_id, const std::string& node_id) {
  auto& senders = shard.registry().cascade_senders;
  auto it = senders.find(Key(meeting_id, node_id));
  if (it == senders.end()) return;
  it->second->Stop();
  senders.erase(it);
}

CascadeSender::CascadeSender(Shard& shard, CascadeLinkPlan plan)
    : shard_(shard),
      plan_(std::move(plan)),
      stream_(static_cast<uint16_t>(base::RandomU32()), base::RandomU32()),
      last_heard_ms_(shard.NowMs()) {
  out_ = plan_.Session(transport::SrtpSession::Direction::kOutbound);
  in_ = plan_.Session(transport::SrtpSession::Direction::kInbound);
  if (!out_ || !in_) {
    SFU_LOG(kWarn, "cascade link refused: bad keys").Kv("meeting", plan_.meeting_id);
    finished_ = true;
    return;
  }
  shard_.registry().cascade_senders[Key(plan_.meeting_id, plan_.node_id)] = this;
  audio_ = &MeetingAudio::For(shard_, plan_.meeting_id, plan_.mixer);
  mixer_id_ = audio_->Join(this, /*muted=*/true);
  video_ = &MeetingVideo::For(shard_, plan_.meeting_id);
  video_->AddTap(this);
  shard_.demuxer().AddPeer(plan_.peer, this);
  shard_.mutable_stats().cascade_links_send.fetch_add(1, std::memory_order_relaxed);
  SFU_LOG(kInfo, "cascade link to replica node opened")
      .Kv("meeting", plan_.meeting_id)
      .Kv("node", plan_.node_id)
      .Kv("peer", cascade::AddressText(plan_.peer))
      .Kv("shard", shard_.index());
}

CascadeSender::~CascadeSender() {
  auto& senders = shard_.registry().cascade_senders;
  auto it = senders.find(Key(plan_.meeting_id, plan_.node_id));
  if (it != senders.end() && it->second == this) senders.erase(it);
  if (!out_ || !in_) return;
  if (audio_) audio_->Leave(mixer_id_);
  if (video_) video_->RemoveTap(this);
  shard_.demuxer().RemovePeer(plan_.peer, this);
  shard_.mutable_stats().cascade_links_send.fetch_sub(1, std::memory_order_relaxed);
  SFU_LOG(kInfo, "cascade link to replica node closed")
      .Kv("meeting", plan_.meeting_id)
      .Kv("node", plan_.node_id);
}

void CascadeSender::OnTick(int64_t now_ms) {
  if (!finished_ && now_ms - last_heard_ms_ > kSilenceMs) {
    SFU_LOG(kWarn, "cascade link ended: replica node silent")
        .Kv("meeting", plan_.meeting_id)
        .Kv("node", plan_.node_id);
    Stop();
  }
  // The meeting ended here (its last attendee left and its mixer and forwarder went): a link
  // to nothing. The replica node sees silence and its control thread a meeting that ended.
  if (!audio_ && !video_) Stop();
}

void CascadeSender::SendMixedAudio(std::span<const uint8_t> opus, uint64_t tick) {
  if (finished_) return;
  ShardStats& st = shard_.mutable_stats();
  base::CpuSample cpu(cpu_sampler_, st.cascade_send_cpu_ns);
  uint8_t buf[1500 + transport::kSrtpMaxTrailer];
  const mixer::ListenerStream::Header h = stream_.Next(tick);
  size_t len = cascade::WriteRelayedAudio(h.seq, h.timestamp, opus, std::span(buf, 1500));
  if (len == 0 || out_->ProtectRtp(buf, &len, sizeof(buf)) != transport::SrtpResult::kOk) return;
  shard_.endpoint().Send(plan_.peer, std::span<const uint8_t>(buf, len));
  st.Add(st.cascade_sent_audio);
}

void CascadeSender::OnPublishedMedia(uint32_t stream_id, const wire::RtpPacketView& pkt) {
  if (finished_) return;
  base::CpuSample cpu(cpu_sampler_, shard_.mutable_stats().cascade_send_cpu_ns);
  const uint16_t link_seq = sequences_[stream_id].Next(pkt.ssrc(), pkt.sequence_number());
  SendVideo(stream_id, link_seq, pkt, /*retransmit=*/false);
}

void CascadeSender::SendVideo(uint32_t stream_id, uint16_t link_seq, const wire::RtpPacketView& pkt,
                              bool retransmit) {
  if (drop_for_test_ && drop_for_test_(stream_id, link_seq, retransmit)) return;
  uint8_t buf[1500 + transport::kSrtpMaxTrailer];
  size_t len = cascade::WriteRelayedVideo(pkt, stream_id, link_seq, std::span(buf, 1500));
  if (len == 0 || out_->ProtectRtp(buf, &len, sizeof(buf)) != transport::SrtpResult::kOk) return;
  shard_.endpoint().Send(plan_.peer, std::span<const uint8_t>(buf, len));
  ShardStats& st = shard_.mutable_stats();
  st.Add(retransmit ? st.cascade_sent_retransmit : st.cascade_sent_video);
}

void CascadeSender::OnDatagram(const transport::PeerAddress&, uint8_t* data, size_t len, size_t) {
  if (finished_) return;
  ShardStats& st = shard_.mutable_stats();
  base::CpuSample cpu(cpu_sampler_, st.cascade_send_cpu_ns);
  if (in_->UnprotectRtcp(data, &len) != transport::SrtpResult::kOk) {
    st.Add(st.cascade_refused);
    return;
  }
  st.Add(st.cascade_received_rtcp);
  last_heard_ms_ = shard_.NowMs();
  if (!video_) return;
  const int64_t now = shard_.NowMs();
  wire::rtcp::CompoundIterator it(std::span<const uint8_t>(data, len));
  while (auto block = it.Next()) {
    if (block->type() == wire::rtcp::kPacketTypeRtpfb &&
        block->fmt() == wire::rtcp::Nack::kFeedbackMessageType) {
      wire::rtcp::Nack nack;
      if (!nack.Parse(*block)) continue;
      const uint32_t stream_id = nack.media_ssrc();
      auto seqs = sequences_.find(stream_id);
      if (seqs == sequences_.end()) continue;  // nothing sent of it
      const cascade::LinkSequence& link = seqs->second;
      size_t n = 0;
      nack.ForEachLostPacket([&](uint16_t link_seq) {
        if (++n > 128 || !video_) return;
        const std::span<const uint8_t> stored =
            video_->StoredPacket(stream_id, link.Source(link_seq));
        if (stored.empty()) return;
        auto original = wire::RtpPacketView::Parse(stored);
        // Only from the current SSRC's numbering: older packets belong to another offset.
        if (original && original->ssrc() == link.source_ssrc())
          SendVideo(stream_id, link_seq, *original, /*retransmit=*/true);
      });
      continue;
    }
    if (block->type() != wire::rtcp::kPacketTypePsfb) continue;
    if (block->fmt() == wire::rtcp::Pli::kFeedbackMessageType) {
      wire::rtcp::Pli pli;
      if (pli.Parse(*block)) video_->RequestKeyframeFor(pli.media_ssrc(), now);
    } else if (block->fmt() == wire::rtcp::Fir::kFeedbackMessageType) {
      wire::rtcp::Fir fir;
      if (!fir.Parse(*block)) continue;
      for (size_t i = 0; i < fir.request_count() && i < 16; ++i)
        video_->RequestKeyframeFor(fir.request(i).ssrc, now);
    }
  }
}

}  // namespace sfu

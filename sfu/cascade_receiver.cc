#include "sfu/cascade_receiver.h"

#include <cstring>
#include <optional>

#include "base/clock.h"
#include "base/log.h"
#include "base/random.h"
#include "sfu/cascade_link.h"
#include "sfu/meeting_audio.h"
#include "sfu/meeting_video.h"
#include "sfu/shard.h"
#include "transport/endpoint_demuxer.h"
#include "transport/wire/byte_io.h"
#include "transport/wire/demux.h"

namespace sfu {
namespace {

CascadeReceiver* Find(Shard& shard, const std::string& meeting_id) {
  auto& receivers = shard.registry().cascade_receivers;
  auto it = receivers.find(meeting_id);
  return it == receivers.end() || it->second->finished() ? nullptr : it->second;
}

}  // namespace

uint32_t CascadeReceiver::Relay::feedback_ssrc() const { return owner_.feedback_ssrc_; }
int64_t CascadeReceiver::Relay::NowMs() const { return owner_.shard_.NowMs(); }

void CascadeReceiver::Open(Shard& shard, CascadeLinkPlan plan) {
  if (CascadeReceiver* r = Find(shard, plan.meeting_id)) {
    if (r->plan_.send_key == plan.send_key && r->plan_.receive_key == plan.receive_key) return;
    r->Stop();
    shard.registry().cascade_receivers.erase(plan.meeting_id);
  }
  shard.AddSession(std::make_unique<CascadeReceiver>(shard, std::move(plan)));
}

void CascadeReceiver::SetPeer(Shard& shard, const std::string& meeting_id,
                              const std::string& node_id, const wire::StunAddress& peer) {
  if (CascadeReceiver* r = Find(shard, meeting_id)) r->SetPeer(node_id, peer);
}

void CascadeReceiver::SetPublications(Shard& shard, const std::string& meeting_id,
                                      std::vector<RelayedPublication> publications) {
  if (CascadeReceiver* r = Find(shard, meeting_id)) r->Apply(std::move(publications));
}

void CascadeReceiver::Close(Shard& shard, const std::string& meeting_id) {
  if (CascadeReceiver* r = Find(shard, meeting_id)) {
    r->Stop();
    shard.registry().cascade_receivers.erase(meeting_id);
  }
}

CascadeReceiver::CascadeReceiver(Shard& shard, CascadeLinkPlan plan)
    : shard_(shard), plan_(std::move(plan)), feedback_ssrc_(base::RandomNonZeroU32()) {
  out_ = plan_.Session(transport::SrtpSession::Direction::kOutbound);
  in_ = plan_.Session(transport::SrtpSession::Direction::kInbound);
  if (!out_ || !in_) {
    SFU_LOG(kWarn, "cascade link refused: bad keys").Kv("meeting", plan_.meeting_id);
    finished_ = true;
    return;
  }
  shard_.registry().cascade_receivers[plan_.meeting_id] = this;
  audio_ = &MeetingAudio::For(shard_, plan_.meeting_id, plan_.mixer);
  mixer_id_ = audio_->Join(this, /*muted=*/false);
  video_ = &MeetingVideo::For(shard_, plan_.meeting_id);
  video_->Set(&anchor_, VideoPlanForMedia{});
  if (plan_.peer.port != 0) shard_.demuxer().AddPeer(plan_.peer, this);
  shard_.mutable_stats().cascade_links_receive.fetch_add(1, std::memory_order_relaxed);
  SFU_LOG(kInfo, "cascade link from primary node opened")
      .Kv("meeting", plan_.meeting_id)
      .Kv("node", plan_.node_id)
      .Kv("shard", shard_.index());
}

CascadeReceiver::~CascadeReceiver() {
  auto& receivers = shard_.registry().cascade_receivers;
  auto it = receivers.find(plan_.meeting_id);
  if (it != receivers.end() && it->second == this) receivers.erase(it);
  if (!out_ || !in_) return;
  if (audio_) audio_->Leave(mixer_id_);
  if (video_) {
    for (auto& [attendee, relay] : relays_) video_->Remove(relay.get());
    video_->Remove(&anchor_);
  }
  if (plan_.peer.port != 0) shard_.demuxer().RemovePeer(plan_.peer, this);
  shard_.mutable_stats().cascade_links_receive.fetch_sub(1, std::memory_order_relaxed);
  SFU_LOG(kInfo, "cascade link from primary node closed").Kv("meeting", plan_.meeting_id);
}

void CascadeReceiver::SetPeer(const std::string& node_id, const wire::StunAddress& peer) {
  if (plan_.peer == peer && plan_.node_id == node_id) return;
  if (plan_.peer.port != 0) shard_.demuxer().RemovePeer(plan_.peer, this);
  plan_.peer = peer;
  plan_.node_id = node_id;
  shard_.demuxer().AddPeer(plan_.peer, this);
  next_keepalive_ms_ = 0;  // at once: the primary's node hears us
  SFU_LOG(kInfo, "cascade link peer known")
      .Kv("meeting", plan_.meeting_id)
      .Kv("node", node_id)
      .Kv("peer", cascade::AddressText(peer));
}

void CascadeReceiver::Apply(std::vector<RelayedPublication> publications) {
  if (!video_) return;
  std::map<std::string, std::unique_ptr<Relay>> next;
  by_stream_.clear();
  for (RelayedPublication& p : publications) {
    if (p.stream_ids.empty()) continue;
    auto it = relays_.find(p.attendee_id);
    std::unique_ptr<Relay> relay =
        it != relays_.end() ? std::move(it->second) : std::make_unique<Relay>(*this);
    if (it != relays_.end()) relays_.erase(it);
    VideoPlanForMedia plan;
    plan.publication.payload_type = cascade::kVp8PayloadType;
    for (uint32_t id : p.stream_ids) {
      VideoLayer layer;
      layer.stream_id = id;
      layer.ssrc = id;  // the link's SSRC is the stream id
      plan.publication.layers.push_back(layer);
      by_stream_[id] = relay.get();
    }
    video_->Set(relay.get(), plan);
    next[p.attendee_id] = std::move(relay);
  }
  for (auto& [attendee, relay] : relays_) video_->Remove(relay.get());  // stopped publishing
  relays_ = std::move(next);
}

void CascadeReceiver::OnTick(int64_t now_ms) {
  if (finished_ || plan_.peer.port == 0 || now_ms < next_keepalive_ms_) return;
  next_keepalive_ms_ = now_ms + 1000;
  // An empty receiver report (RFC 3550 §6.4.2): the link's keepalive toward the primary's node.
  uint8_t buf[8 + transport::kSrtpMaxTrailer + 4];
  buf[0] = 0x80;
  buf[1] = 201;
  wire::WriteU16(buf, 2, 1);
  wire::WriteU32(buf, 4, feedback_ssrc_);
  SendRtcp(buf, 8, sizeof(buf));
}

void CascadeReceiver::SendRtcp(uint8_t* data, size_t len, size_t capacity) {
  if (finished_ || plan_.peer.port == 0) return;
  if (out_->ProtectRtcp(data, &len, capacity) != transport::SrtpResult::kOk) return;
  shard_.endpoint().Send(plan_.peer, std::span<const uint8_t>(data, len));
  ShardStats& st = shard_.mutable_stats();
  st.Add(st.cascade_sent_rtcp);
}

void CascadeReceiver::OnDatagram(const transport::PeerAddress&, uint8_t* data, size_t len, size_t) {
  if (finished_) return;
  ShardStats& st = shard_.mutable_stats();
  // The link's own cost: authentication, parsing, the hand-over; not the fan-out to this node's
  // subscribers, which is what they cost wherever their publisher is.
  base::CpuSample cpu(cpu_sampler_, st.cascade_receive_cpu_ns);
  if (wire::Classify(std::span<const uint8_t>(data, len)) != wire::PacketKind::kRtp) {
    st.Add(st.cascade_refused);
    return;
  }
  // The SSRC, in the clear (Classify saw an RTP header of at least 12 bytes).
  const uint32_t ssrc = len >= 12 ? wire::ReadBE32(data + 8) : 0;
  const transport::SrtpResult r = in_->UnprotectRtp(data, &len);
  if (r != transport::SrtpResult::kOk) {
    st.Add(st.cascade_refused);
    // The primary's end was made anew under the same keys (its node restarted, or the link
    // lapsed and was opened again) and numbers its streams from elsewhere: everything it
    // sends on a stream can look replayed to the old window. kReplaysBeforeReset of that in a
    // row on one stream (counted per SSRC: the other streams may land ahead of their window and
    // pass): start a fresh window (docs/PROTOCOL.md §12).
    if (r == transport::SrtpResult::kReplay && ++replays_in_a_row_[ssrc] >= kReplaysBeforeReset) {
      SFU_LOG(kWarn, "cascade link: the primary's end restarted its numbering; replay window reset")
          .Kv("meeting", plan_.meeting_id)
          .Kv("ssrc", ssrc);
      replays_in_a_row_.clear();
      in_ = plan_.Session(transport::SrtpSession::Direction::kInbound);
    }
    return;
  }
  if (!replays_in_a_row_.empty()) replays_in_a_row_.erase(ssrc);
  const std::optional<wire::RtpPacketView> pkt =
      wire::RtpPacketView::Parse(std::span<const uint8_t>(data, len));
  if (!pkt) {
    st.Add(st.cascade_refused);
    return;
  }
  if (pkt->ssrc() == cascade::kAudioSsrc) {
    st.Add(st.cascade_received_audio);
    if (audio_)
      audio_->PushOpus(mixer_id_, pkt->sequence_number(), pkt->timestamp(), pkt->payload(), -1,
                       shard_.NowMs());
    return;
  }
  st.Add(st.cascade_received_video);
  auto it = by_stream_.find(pkt->ssrc());
  if (it == by_stream_.end() || !video_) return;  // a layer the mirror has not listed yet
  cpu.Stop();
  video_->OnRtp(it->second, *pkt);
}

}  // namespace sfu

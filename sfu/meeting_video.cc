#include "sfu/meeting_video.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "base/random.h"
#include "sfu/shard.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/vp8_payload.h"

namespace sfu {
namespace {

constexpr uint64_t kRembCeilingBps = 2'500'000;  // the REMB to publishers (no uplink estimation)

}  // namespace

MeetingVideo& MeetingVideo::For(Shard& shard, const std::string& meeting_id) {
  auto& videos = shard.registry().video;
  auto it = videos.find(meeting_id);
  if (it != videos.end() && !it->second->finished()) return *it->second;
  auto video = std::make_unique<MeetingVideo>(shard, meeting_id);
  MeetingVideo& ref = *video;
  shard.AddSession(std::move(video));
  return ref;
}

MeetingVideo::MeetingVideo(Shard& shard, std::string meeting_id)
    : shard_(shard), meeting_id_(std::move(meeting_id)) {
  shard_.registry().video[meeting_id_] = this;
}

MeetingVideo::~MeetingVideo() {
  auto& videos = shard_.registry().video;
  auto it = videos.find(meeting_id_);
  if (it != videos.end() && it->second == this) videos.erase(it);
  for (auto& [p, m] : members_) p->DetachVideo();
  for (VideoTap* tap : taps_) tap->DetachVideoTap();
}

void MeetingVideo::AddTap(VideoTap* tap) {
  ever_used_ = true;
  if (std::find(taps_.begin(), taps_.end(), tap) == taps_.end()) taps_.push_back(tap);
}

void MeetingVideo::RemoveTap(VideoTap* tap) { std::erase(taps_, tap); }

std::span<const uint8_t> MeetingVideo::StoredPacket(uint32_t stream_id, uint16_t seq) {
  const Source source = PublisherOf(stream_id);
  return source.layer ? source.layer->Stored(seq) : std::span<const uint8_t>{};
}

MeetingVideo::Source MeetingVideo::PublisherOf(uint32_t stream_id) {
  if (stream_id == 0) return {};
  for (auto& [p, m] : members_)
    if (PublisherStream* layer = m.publisher.Find(stream_id)) return {&m.publisher, layer};
  return {};
}

void MeetingVideo::Set(VideoPeer* p, const VideoPlanForMedia& plan) {
  ever_used_ = true;
  Member& m = members_.try_emplace(p, *p).first->second;
  m.publisher.Set(plan.publication);
  std::vector<std::unique_ptr<SubscriberSection>> next;
  const int64_t now = p->NowMs();
  for (const VideoSubscription& s : plan.subscriptions) {
    std::unique_ptr<SubscriberSection> section;
    for (auto& old : m.sections) {
      if (old && old->Is(s)) {
        section = std::move(old);
        break;
      }
    }
    if (!section) {
      section = std::make_unique<SubscriberSection>(*p, static_cast<uint16_t>(base::RandomU32()),
                                                    base::RandomU32(),
                                                    static_cast<uint16_t>(base::RandomU32()));
    }
    section->Update(s);
    if (section->waiting()) RequestKeyframe(s.stream_id, now);
    next.push_back(std::move(section));
  }
  m.sections = std::move(next);
  m.downlink.AllocateSoon();
}

void MeetingVideo::Remove(VideoPeer* p) { members_.erase(p); }

void MeetingVideo::SetPaused(VideoPeer* p, const std::vector<uint32_t>& stream_ids, bool paused) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  Member& m = it->second;
  const int64_t now = p->NowMs();
  for (uint32_t id : stream_ids) {
    // Only streams this subscriber receives: the paused list is scanned per forwarded packet, so
    // it stays bounded by its sections (at most 25), whatever a client sends.
    const bool received = std::any_of(m.sections.begin(), m.sections.end(),
                                      [id](const auto& s) { return s->sub().stream_id == id; });
    if (!received) {
      shard_.mutable_stats().Add(shard_.mutable_stats().video_pause_ignored);
      continue;
    }
    const bool was = std::find(m.paused.begin(), m.paused.end(), id) != m.paused.end();
    if (paused && !was) m.paused.push_back(id);
    if (!paused && was) {
      std::erase(m.paused, id);
      for (auto& s : m.sections) {
        if (s->sub().stream_id != id) continue;
        s->Restart();  // continue the numbering from a fresh key frame
        RequestKeyframe(id, now);
      }
    }
  }
}

void MeetingVideo::RequestKeyframe(uint32_t stream_id, int64_t now_ms) {
  const Source source = PublisherOf(stream_id);
  if (source.layer) RequestKeyframe(*source.publisher, *source.layer, now_ms);
}

void MeetingVideo::RequestKeyframe(VideoPublisher& pub, PublisherStream& layer, int64_t now_ms) {
  if (!pub.RequestKeyframe(layer, now_ms)) return;
  ++stats_.keyframe_requests_sent;
  shard_.mutable_stats().Add(shard_.mutable_stats().video_keyframe_requests);
}

void MeetingVideo::CountUnknown() {
  ++stats_.unknown;
  shard_.mutable_stats().Add(shard_.mutable_stats().video_unknown);
}

bool MeetingVideo::OnRtp(VideoPeer* p, const wire::RtpPacketView& pkt) {
  auto it = members_.find(p);
  if (it == members_.end() || !it->second.publisher.publishing()) return false;
  VideoPublisher& pub = it->second.publisher;
  if (!pub.IsRtx(pkt)) return OnMedia(pub, pkt, p->NowMs());
  uint8_t buf[1500];
  std::optional<wire::RtpPacketView> original;
  switch (pub.UnwrapRtx(pkt, buf, &original)) {
    case VideoPublisher::Rtx::kPadding:
      return true;  // the publisher probes its uplink
    case VideoPublisher::Rtx::kUnknown:
      CountUnknown();
      return false;
    case VideoPublisher::Rtx::kInvalid:
      return false;
    case VideoPublisher::Rtx::kUnwrapped:
      break;
  }
  shard_.mutable_stats().Add(shard_.mutable_stats().video_rtx_received);
  return OnMedia(pub, *original, p->NowMs());
}

bool MeetingVideo::OnMedia(VideoPublisher& pub, const wire::RtpPacketView& pkt, int64_t now) {
  if (!pub.IsMedia(pkt)) return false;
  PublisherStream* layer = pub.StreamFor(pkt, /*rtx=*/false);
  if (!layer) {
    CountUnknown();
    return false;
  }
  const auto vp8 = wire::ParseVp8Descriptor(pkt.payload());
  if (!vp8) {
    CountUnknown();
    return false;
  }
  const uint32_t stream_id = layer->stream_id();
  StreamRewriter::In in;
  in.seq = pkt.sequence_number();
  in.timestamp = pkt.timestamp();
  in.key_frame = vp8->key_frame;
  if (vp8->has_picture_id) in.picture_id = vp8->picture_id;
  if (vp8->has_tl0picidx) in.tl0picidx = vp8->tl0picidx;
  in.arrival_ms = now;
  const std::span<const uint8_t> payload = pkt.payload();
  const bool marker = pkt.marker();
  layer->OnPacket(pkt, now);
  ShardStats& st = shard_.mutable_stats();
  if (in.key_frame) {
    if (auto size = wire::ParseVp8KeyFrameSize(payload.subspan(vp8->header_size)))
      layer->SetFrameSize(size->width, size->height);
  }
  if (!pub.WithinLimit(*layer)) {  // above the meeting's MaxResolution: goes nowhere
    st.Add(st.video_over_resolution);
    return true;
  }
  for (VideoTap* tap : taps_) tap->OnPublishedMedia(stream_id, pkt);
  auto waiting = [&] {
    ++stats_.dropped_waiting_keyframe;
    st.Add(st.video_waiting_keyframe);
  };
  for (auto& [sp, sm] : members_) {
    const bool any_paused = !sm.paused.empty();
    for (auto& s : sm.sections) {
      SubscriberSection& f = *s;
      if (!f.receives()) continue;
      const PublisherStream* target = pub.Target(f.sub().stream_id, f.allowed(), now);
      if (!target) continue;  // not fed by this publisher
      const bool is_target = target == layer;
      if (!is_target && f.source() != stream_id)
        continue;  // neither what it shows nor what it should
      if (any_paused &&
          std::find(sm.paused.begin(), sm.paused.end(), f.sub().stream_id) != sm.paused.end())
        continue;
      if (is_target && f.source() != stream_id) {
        // Switch layers (or start) at the target's key frame; until then the old layer goes on.
        if (!in.key_frame) {
          if (f.source() == 0 || f.waiting()) waiting();
          RequestKeyframe(pub, *layer, now);
          continue;
        }
        if (f.source() != 0) {
          const int from = pub.IndexOf(f.source()), to = pub.IndexOf(stream_id);
          if (from >= 0 && to > from) st.Add(st.video_layer_switches_up);
          if (from >= 0 && to < from) st.Add(st.video_layer_switches_down);
        }
        f.SwitchTo(stream_id);
      }
      size_t bytes = 0;
      switch (f.Forward(in, payload, marker, *vp8, &bytes)) {
        case SubscriberSection::Result::kSent:
          sm.downlink.OnSent(bytes, now);
          ++stats_.forwarded;
          st.Add(st.video_packets_forwarded);
          break;
        case SubscriberSection::Result::kWaitingKeyframe:
          waiting();
          RequestKeyframe(pub, *layer, now);
          break;
        case SubscriberSection::Result::kDropped:
        case SubscriberSection::Result::kNotSent:
          break;
      }
    }
  }
  return true;
}

void MeetingVideo::Allocate(Member& m, int64_t now_ms) {
  m.downlink.Allocate(m.sections, Publishers(), shard_.mutable_stats(), now_ms);
}

void MeetingVideo::SendSenderReports(int64_t now_ms) {
  // RFC 3550 §6.4.1, one SR per section that has sent: NTP now and the RTP time it maps to.
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  const uint64_t us =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(wall).count());
  const uint64_t ntp =
      ((us / 1'000'000 + 2'208'988'800ULL) << 32) | (((us % 1'000'000) << 32) / 1'000'000);
  for (auto& [p, m] : members_)
    for (auto& s : m.sections) s->SendSenderReport(ntp, now_ms);
}

void MeetingVideo::SendBitrates(int64_t now_ms) {
  if (next_bitrates_ms_ == 0) {
    next_bitrates_ms_ = now_ms + 2000;
    window_start_ms_ = now_ms;
    return;
  }
  if (now_ms < next_bitrates_ms_) return;
  const int64_t elapsed = std::max<int64_t>(1, now_ms - window_start_ms_);
  std::vector<StreamBitrate> rates;
  for (auto& [p, m] : members_) m.publisher.TakeBitrates(elapsed, &rates);
  if (!rates.empty())
    for (auto& [p, m] : members_) p->ReportBitrates(rates);
  next_bitrates_ms_ = now_ms + 2000;
  window_start_ms_ = now_ms;
}

void MeetingVideo::OnTick(int64_t now_ms) {
  ShardStats& st = shard_.mutable_stats();
  if (now_ms >= next_feedback_ms_) {
    next_feedback_ms_ = now_ms + 1000;
    for (auto& [p, m] : members_) m.publisher.SendReceiverFeedback(now_ms, kRembCeilingBps);
    SendSenderReports(now_ms);
  }
  const DownlinkController::PublisherOf publishers = Publishers();
  for (auto& [p, m] : members_) m.downlink.OnTick(m.sections, publishers, st, now_ms);
  SendBitrates(now_ms);
  for (auto& [p, m] : members_)
    if (const size_t asked = m.publisher.SendNacks(now_ms)) st.Add(st.video_nacks_sent, asked);
}

void MeetingVideo::OnNack(VideoPeer* p, uint32_t media_ssrc, std::span<const uint16_t> lost) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  const int64_t now = p->NowMs();
  for (auto& s : it->second.sections) {
    if (s->sub().ssrc != media_ssrc) continue;
    const PublisherStream* from = PublisherOf(s->shown()).layer;
    if (!from) return;
    for (uint16_t out_seq : lost) {
      if (const size_t n = s->Retransmit(out_seq, *from)) {
        it->second.downlink.OnSent(n, now);
        shard_.mutable_stats().Add(shard_.mutable_stats().video_retransmissions);
      }
    }
    return;
  }
}

void MeetingVideo::OnReportBlocks(VideoPeer* p, std::span<const wire::rtcp::ReportBlock> blocks) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  Member& m = it->second;
  uint64_t lost = 0, expected = 0;
  for (const auto& b : blocks)
    for (auto& s : m.sections)
      if (s->sub().ssrc == b.source_ssrc) s->OnReportBlock(b, &lost, &expected);
  const int64_t now = p->NowMs();
  if (m.downlink.OnLoss(lost, expected, now)) Allocate(m, now);
}

void MeetingVideo::OnRemb(VideoPeer* p, uint64_t bps) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  const int64_t now = p->NowMs();
  if (it->second.downlink.OnRemb(bps, now)) Allocate(it->second, now);
}

void MeetingVideo::OnKeyframeRequest(VideoPeer* p, uint32_t media_ssrc) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  for (auto& s : it->second.sections)
    if (s->sub().ssrc == media_ssrc) RequestKeyframe(s->shown(), p->NowMs());
}

}  // namespace sfu

#include "sfu/meeting_video.h"


#include <algorithm>
#include <chrono>

#include "base/random.h"
#include "sfu/layer_allocator.h"
#include "sfu/participant_media.h"
#include "sfu/shard.h"
#include "base/log.h"
#include "transport/srtp/srtp_session.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/sender_report.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/seq_num.h"
#include "transport/wire/vp8_payload.h"

namespace sfu {
namespace {

constexpr int64_t kKeyframeRequestIntervalMs = 300;
constexpr int64_t kFlowingMs = 1000;  // a layer with no packet for this long is not arriving
constexpr size_t kPaddingPacket = 236;  // a probe packet: 12-byte header + 224 bytes of padding (libwebrtc's size)

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

MeetingVideo::MeetingVideo(Shard& shard, std::string meeting_id) : shard_(shard), meeting_id_(std::move(meeting_id)) {
  shard_.registry().video[meeting_id_] = this;
}

MeetingVideo::~MeetingVideo() {
  auto& videos = shard_.registry().video;
  auto it = videos.find(meeting_id_);
  if (it != videos.end() && it->second == this) videos.erase(it);
  for (auto& [p, m] : members_) p->DetachVideo();
}

MeetingVideo::Layer* MeetingVideo::PublisherOf(uint32_t stream_id, ParticipantMedia** who) {
  if (stream_id == 0) return nullptr;
  for (auto& [p, m] : members_) {
    for (auto& l : m.layers) {
      if (l->info.stream_id == stream_id) {
        if (who) *who = p;
        return l.get();
      }
    }
  }
  return nullptr;
}

void MeetingVideo::Set(ParticipantMedia* p, const VideoPlanForMedia& plan) {
  ever_used_ = true;
  Member& m = members_[p];
  m.payload_type = plan.publication.payload_type;
  m.rid_ext_id = plan.publication.rid_ext_id;
  m.rtx_payload_type = plan.publication.rtx_payload_type;
  m.repaired_rid_ext_id = plan.publication.repaired_rid_ext_id;
  // Keep the state (learned SSRC, history) of layers that stay.
  std::vector<std::unique_ptr<Layer>> layers;
  for (const VideoLayer& info : plan.publication.layers) {
    std::unique_ptr<Layer> l;
    for (auto& old : m.layers) {
      if (old && old->info.stream_id == info.stream_id && old->info.ssrc == info.ssrc && old->info.rid == info.rid) {
        l = std::move(old);
        l->info.rtx_ssrc = info.rtx_ssrc;
        break;
      }
    }
    if (!l) {
      l = std::make_unique<Layer>();
      l->info = info;
    }
    layers.push_back(std::move(l));
  }
  m.layers = std::move(layers);
  std::vector<std::unique_ptr<Forwarder>> next;
  const int64_t now = shard_.NowMs();
  for (const VideoSubscription& s : plan.subscriptions) {
    std::unique_ptr<Forwarder> f;
    for (auto& old : m.forwarders) {
      if (old && old->sub.mid == s.mid && old->sub.ssrc == s.ssrc) {
        f = std::move(old);
        break;
      }
    }
    if (!f) {
      f = std::make_unique<Forwarder>(static_cast<uint16_t>(base::RandomU32()), base::RandomU32(),
                                      static_cast<uint16_t>(base::RandomU32()));
      f->subscriber = p;
    }
    if (f->sub.stream_id != s.stream_id) {  // a new source: start at its key frame
      f->rewriter.Switch();
      f->source = 0;
      f->allowed = -1;
    }
    f->sub = s;
    if (f->rewriter.waiting()) RequestKeyframe(s.stream_id, now);
    next.push_back(std::move(f));
  }
  m.forwarders = std::move(next);
  m.next_allocation_ms = 0;  // allocate at the next tick
}

void MeetingVideo::Remove(ParticipantMedia* p) { members_.erase(p); }

void MeetingVideo::SetPaused(ParticipantMedia* p, const std::vector<uint32_t>& stream_ids, bool paused) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  Member& m = it->second;
  const int64_t now = shard_.NowMs();
  for (uint32_t id : stream_ids) {
    const bool was = std::find(m.paused.begin(), m.paused.end(), id) != m.paused.end();
    if (paused && !was) m.paused.push_back(id);
    if (!paused && was) {
      std::erase(m.paused, id);
      for (auto& f : m.forwarders) {
        if (f->sub.stream_id != id) continue;
        f->rewriter.Switch();  // continue the numbering from a fresh key frame
        RequestKeyframe(id, now);
      }
    }
  }
}

void MeetingVideo::RequestKeyframe(uint32_t stream_id, int64_t now_ms) {
  ParticipantMedia* who = nullptr;
  Layer* layer = PublisherOf(stream_id, &who);
  if (!layer) return;
  const uint32_t ssrc = layer->ssrc();
  if (ssrc == 0 || now_ms - layer->last_pli_ms < kKeyframeRequestIntervalMs) return;
  layer->last_pli_ms = now_ms;
  ++stats_.keyframe_requests_sent;
  shard_.mutable_stats().Add(shard_.mutable_stats().video_keyframe_requests);
  who->SendPli(ssrc);
}

MeetingVideo::Layer* MeetingVideo::LayerFor(Member& m, const void* view, bool rtx) {
  const auto& pkt = *static_cast<const wire::RtpPacketView*>(view);
  const uint32_t ssrc = pkt.ssrc();
  auto known = [rtx](const Layer& l) { return rtx ? l.rtx_ssrc() : l.ssrc(); };
  auto announced = [rtx](const Layer& l) { return rtx ? l.info.rtx_ssrc : l.info.ssrc; };
  auto learn = [rtx, ssrc](Layer& l) {
    (rtx ? l.learned_rtx_ssrc : l.learned_ssrc) = ssrc;
    return &l;
  };
  for (auto& l : m.layers)
    if (known(*l) == ssrc) return l.get();
  // Simulcast: the RID extension names the layer (its SSRC is learned).
  const int ext_id = rtx ? m.repaired_rid_ext_id : m.rid_ext_id;
  if (ext_id > 0) {
    if (auto rid = pkt.Extension(static_cast<uint8_t>(ext_id)); rid && !rid->empty() && rid->size() <= 16) {
      const std::string_view name(reinterpret_cast<const char*>(rid->data()), rid->size());
      for (auto& l : m.layers)
        if (l->info.rid == name && announced(*l) == 0) return learn(*l);
    }
    return nullptr;
  }
  // One layer announced without this SSRC: the first packet names it (never the other stream's).
  Layer& only = *m.layers.front();
  if (m.layers.size() == 1 && known(only) == 0 && (rtx ? only.ssrc() : only.rtx_ssrc()) != ssrc) return learn(only);
  return nullptr;
}

bool MeetingVideo::OnRtp(ParticipantMedia* p, std::span<const uint8_t> packet) {
  auto it = members_.find(p);
  if (it == members_.end() || it->second.layers.empty()) return false;
  Member& pub = it->second;
  auto pkt = wire::RtpPacketView::Parse(packet);
  if (!pkt) return false;
  if (pub.rtx_payload_type >= 0 && pkt->payload_type() == pub.rtx_payload_type) {
    // RFC 4588: the original sequence number, then the original payload.
    if (pkt->payload_size() <= 2) return true;  // padding: the publisher probes its uplink
    Layer* layer = LayerFor(pub, &*pkt, /*rtx=*/true);
    if (!layer || layer->ssrc() == 0) {
      ++stats_.unknown;
      shard_.mutable_stats().Add(shard_.mutable_stats().video_unknown);
      return false;
    }
    const std::span<const uint8_t> rtx_payload = pkt->payload();
    uint8_t buf[1500];
    wire::RtpHeaderWriter w;
    w.SetMarker(pkt->marker());
    w.SetPayloadType(static_cast<uint8_t>(pub.payload_type));
    w.SetSequenceNumber(static_cast<uint16_t>((rtx_payload[0] << 8) | rtx_payload[1]));
    w.SetTimestamp(pkt->timestamp());
    w.SetSsrc(layer->ssrc());
    const size_t h = w.WriteTo(buf);
    if (h == 0 || h + rtx_payload.size() - 2 > sizeof(buf)) return false;
    std::copy(rtx_payload.begin() + 2, rtx_payload.end(), buf + h);
    shard_.mutable_stats().Add(shard_.mutable_stats().video_rtx_received);
    return OnRtp(p, std::span<const uint8_t>(buf, h + rtx_payload.size() - 2));
  }
  if (pkt->payload_type() != pub.payload_type) return false;
  Layer* layer = LayerFor(pub, &*pkt, /*rtx=*/false);
  if (!layer) {
    ++stats_.unknown;
    shard_.mutable_stats().Add(shard_.mutable_stats().video_unknown);
    return false;
  }
  auto vp8 = wire::ParseVp8Descriptor(pkt->payload());
  if (!vp8) {
    ++stats_.unknown;
    shard_.mutable_stats().Add(shard_.mutable_stats().video_unknown);
    return false;
  }
  const uint32_t stream_id = layer->info.stream_id;
  StreamRewriter::In in;
  in.seq = pkt->sequence_number();
  in.timestamp = pkt->timestamp();
  in.key_frame = vp8->key_frame;
  if (vp8->has_picture_id) in.picture_id = vp8->picture_id;
  if (vp8->has_tl0picidx) in.tl0picidx = vp8->tl0picidx;
  const std::span<const uint8_t> payload = pkt->payload();
  const bool marker = pkt->marker();
  const int64_t now = shard_.NowMs();
  in.arrival_ms = now;
  layer->last_packet_ms = now;
  if (!layer->have_seq || wire::SeqNewer(in.seq, layer->highest_seq)) layer->highest_seq = in.seq;
  layer->have_seq = true;
  layer->nacks.OnPacket(in.seq, now);
  layer->window_bytes += packet.size();
  layer->rate_bytes += packet.size();
  layer->history->Store(in.seq, packet);
  ShardStats& st = shard_.mutable_stats();
  for (auto& [sp, sm] : members_) {
    const bool any_paused = !sm.paused.empty();
    for (auto& f : sm.forwarders) {
      if (f->sub.payload_type < 0) continue;
      const Layer* target = TargetLayer(pub, *f, now);
      if (!target) continue;  // not fed by this publisher
      const bool is_target = target == layer;
      if (!is_target && f->source != stream_id) continue;  // neither what it shows nor what it should
      if (any_paused && std::find(sm.paused.begin(), sm.paused.end(), f->sub.stream_id) != sm.paused.end()) continue;
      if (is_target && f->source != stream_id) {
        // Switch layers (or start) at the target's key frame; until then the old layer goes on.
        if (!in.key_frame) {
          if (f->source == 0 || f->rewriter.waiting()) {
            ++stats_.dropped_waiting_keyframe;
            st.Add(st.video_waiting_keyframe);
          }
          RequestKeyframe(stream_id, now);
          continue;
        }
        if (f->source != 0) {
          int from = -1, to = -1;
          for (size_t k = 0; k < pub.layers.size(); ++k) {
            if (pub.layers[k]->info.stream_id == f->source) from = static_cast<int>(k);
            if (pub.layers[k].get() == layer) to = static_cast<int>(k);
          }
          if (from >= 0 && to > from) st.Add(st.video_layer_switches_up);
          if (from >= 0 && to < from) st.Add(st.video_layer_switches_down);
        }
        f->rewriter.Switch();
        f->source = stream_id;
      }
      const bool was_waiting = f->rewriter.waiting();
      auto out = f->rewriter.Rewrite(in);
      if (!out) {
        if (was_waiting) {
          ++stats_.dropped_waiting_keyframe;
          st.Add(st.video_waiting_keyframe);
          RequestKeyframe(stream_id, now);
        }
        continue;
      }
      if (const size_t n = Send(*f, payload, marker, *out, &*vp8)) {
        Sent(sm, *f, n, true, out->timestamp, now);
        ++stats_.forwarded;
        st.Add(st.video_packets_forwarded);
      }
    }
  }
  return true;
}

void MeetingVideo::Sent(Member& m, Forwarder& f, size_t bytes, bool media, uint32_t ts, int64_t now_ms) {
  m.downlink.OnSent(bytes, now_ms);
  if (!media) return;
  ++f.packets;
  f.octets += static_cast<uint32_t>(bytes);
  f.last_ts = ts;
  f.last_ts_ms = now_ms;
}

size_t MeetingVideo::Send(Forwarder& f, std::span<const uint8_t> payload, bool marker, const StreamRewriter::Out& out,
                          const void* vp8_descriptor, bool rtx) {
  const auto& vp8 = *static_cast<const wire::Vp8Descriptor*>(vp8_descriptor);
  uint8_t buf[1500 + transport::kSrtpMaxTrailer];  // room for the SRTP tag
  if (payload.size() > 1500 - 64) return 0;
  wire::RtpHeaderWriter w;
  w.SetMarker(marker);
  w.SetTimestamp(out.timestamp);
  if (rtx) {
    w.SetPayloadType(static_cast<uint8_t>(f.sub.rtx_payload_type));
    w.SetSequenceNumber(f.rtx_seq++);
    w.SetSsrc(f.sub.rtx_ssrc);
  } else {
    w.SetPayloadType(static_cast<uint8_t>(f.sub.payload_type));
    w.SetSequenceNumber(out.seq);
    w.SetSsrc(f.sub.ssrc);
  }
  size_t h = w.WriteTo(buf);
  if (h == 0) return 0;
  if (rtx) {  // RFC 4588: the original sequence number first
    buf[h] = static_cast<uint8_t>(out.seq >> 8);
    buf[h + 1] = static_cast<uint8_t>(out.seq);
    h += 2;
  }
  std::copy(payload.begin(), payload.end(), buf + h);
  std::span<uint8_t> out_payload(buf + h, payload.size());
  if (out.picture_id) wire::WriteVp8PictureId(out_payload, vp8, *out.picture_id);
  if (out.tl0picidx) wire::WriteVp8Tl0PicIdx(out_payload, vp8, *out.tl0picidx);
  const size_t len = h + payload.size();
  return f.subscriber->SendVideoRtp(buf, len, sizeof(buf)) ? len : 0;
}

const MeetingVideo::Layer* MeetingVideo::TargetLayer(const Member& m, const Forwarder& f, int64_t now_ms) const {
  int wanted = -1;
  for (size_t k = 0; k < m.layers.size(); ++k)
    if (m.layers[k]->info.stream_id == f.sub.stream_id) wanted = static_cast<int>(k);
  if (wanted < 0) return nullptr;
  if (m.layers.size() < 2) return m.layers.front().get();
  const int cap = f.allowed >= 0 ? std::min(wanted, f.allowed) : wanted;
  auto arriving = [&](int k) { return now_ms - m.layers[static_cast<size_t>(k)]->last_packet_ms < kFlowingMs; };
  if (arriving(cap)) return m.layers[static_cast<size_t>(cap)].get();
  // The highest arriving layer below the cap, else the lowest arriving one above it.
  for (int k = cap - 1; k >= 0; --k)
    if (arriving(k)) return m.layers[static_cast<size_t>(k)].get();
  for (int k = cap + 1; k < static_cast<int>(m.layers.size()); ++k)
    if (arriving(k)) return m.layers[static_cast<size_t>(k)].get();
  return m.layers[static_cast<size_t>(cap)].get();
}

void MeetingVideo::Allocate(Member& m, int64_t now_ms) {
  if (m.forwarders.empty()) return;
  std::vector<LayerChoiceInput> in(m.forwarders.size());
  std::vector<Member*> pubs(m.forwarders.size(), nullptr);
  bool can_pad = false;
  for (size_t i = 0; i < m.forwarders.size(); ++i) {
    const Forwarder& f = *m.forwarders[i];
    if (f.sub.rtx_ssrc && f.sub.rtx_payload_type >= 0 && f.source != 0) can_pad = true;
    for (auto& [pp, pm] : members_) {
      for (size_t k = 0; k < pm.layers.size(); ++k) {
        if (pm.layers[k]->info.stream_id != f.sub.stream_id) continue;
        pubs[i] = &pm;
        in[i].wanted = static_cast<int>(k);
      }
    }
    if (!pubs[i]) continue;
    in[i].current = f.allowed;
    for (const auto& l : pubs[i]->layers) {
      const bool arriving = now_ms - l->last_packet_ms < kFlowingMs;
      in[i].layer_bps.push_back(arriving ? std::max<uint64_t>(l->rate_bps, 1) : 0);
    }
  }
  DownlinkEstimator& d = m.downlink;
  d.ExpireProbe(now_ms);
  // Without RTX to pad, a probe is the upgrade itself: the allocation takes the probe's target.
  const uint64_t budget = d.probing() && !can_pad ? std::max(d.estimate_bps(), d.probe_target()) : d.estimate_bps();
  const LayerAllocation a = AllocateLayers(in, budget);
  for (size_t i = 0; i < m.forwarders.size(); ++i) m.forwarders[i]->allowed = pubs[i] ? a.layer[i] : -1;
  if (a.next_step_bps > 0 && a.total_bps < a.desired_bps && d.MayProbe(now_ms)) {
    // Probe for the next upgrade, or up to twice what it gets now (at most what it asked for):
    // a subscriber held low on several cameras climbs back in a few probes, not one per layer.
    const uint64_t target = std::max(a.next_step_bps, std::min(a.desired_bps, a.total_bps * 2));
    d.StartProbe(target * 11 / 10, now_ms);
    shard_.mutable_stats().Add(shard_.mutable_stats().video_probes);
    if (!can_pad) Allocate(m, now_ms);  // take the upgrade now
  }
}

void MeetingVideo::Pad(Member& m, int64_t now_ms) {
  // Top the probe up to its target rate with RTX padding-only packets (RFC 3550 padding: the
  // last byte counts the padding bytes), on a section that can carry them.
  DownlinkEstimator& d = m.downlink;
  Forwarder* carrier = nullptr;
  for (auto& f : m.forwarders)
    if (f->sub.rtx_ssrc && f->sub.rtx_payload_type >= 0 && f->source != 0 && f->last_ts_ms >= 0) carrier = f.get();
  if (!carrier) return;
  const int64_t elapsed = now_ms - d.probe_start_ms() + 20;  // through the end of this tick
  const uint64_t due = d.probe_target() / 8 * static_cast<uint64_t>(std::max<int64_t>(0, elapsed)) / 1000;
  ShardStats& st = shard_.mutable_stats();
  for (int i = 0; i < 64 && d.probe_sent_bytes() + kPaddingPacket / 2 < due; ++i) {
    uint8_t buf[12 + kPaddingPacket + transport::kSrtpMaxTrailer];
    wire::RtpHeaderWriter w;
    w.SetPayloadType(static_cast<uint8_t>(carrier->sub.rtx_payload_type));
    w.SetSequenceNumber(carrier->rtx_seq++);
    w.SetTimestamp(carrier->last_ts);
    w.SetSsrc(carrier->sub.rtx_ssrc);
    const size_t h = w.WriteTo(buf);
    if (h == 0) return;
    buf[0] |= 0x20;  // P
    const size_t pad = kPaddingPacket - h;
    std::fill(buf + h, buf + h + pad, 0);
    buf[h + pad - 1] = static_cast<uint8_t>(pad);
    if (!carrier->subscriber->SendVideoRtp(buf, h + pad, sizeof(buf))) return;
    Sent(m, *carrier, h + pad, false, carrier->last_ts, now_ms);
    st.Add(st.video_padding_bytes, h + pad);
  }
}

void MeetingVideo::SendSenderReports(int64_t now_ms) {
  // RFC 3550 §6.4.1, one SR per section that has sent: NTP now and the RTP time it maps to.
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  const uint64_t us = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(wall).count());
  const uint64_t ntp = ((us / 1'000'000 + 2'208'988'800ULL) << 32) | (((us % 1'000'000) << 32) / 1'000'000);
  for (auto& [p, m] : members_) {
    for (auto& f : m.forwarders) {
      if (f->last_ts_ms < 0) continue;
      wire::rtcp::SenderReport sr;
      sr.SetSenderSsrc(f->sub.ssrc);
      sr.SetNtp(ntp);
      sr.SetRtpTimestamp(f->last_ts + static_cast<uint32_t>((now_ms - f->last_ts_ms) * 90));
      sr.SetPacketCount(f->packets);
      sr.SetOctetCount(f->octets);
      uint8_t buf[64 + transport::kSrtpMaxTrailer + 4];
      const size_t n = sr.Create(std::span<uint8_t>(buf, 64));
      if (n) p->SendVideoRtcp(buf, n, sizeof(buf));
    }
  }
}

void MeetingVideo::OnTick(int64_t now_ms) {
  if (now_ms >= next_feedback_ms_) {
    next_feedback_ms_ = now_ms + 1000;
    constexpr uint64_t kRembCeilingBps = 2'500'000;
    for (auto& [p, m] : members_) {
      std::vector<uint32_t> ssrcs;
      std::vector<uint16_t> seqs;
      for (auto& l : m.layers) {
        l->rate_bps = l->rate_bps == 0 ? l->rate_bytes * 8 : (l->rate_bps + l->rate_bytes * 8) / 2;
        l->rate_bytes = 0;
        if (!l->ssrc() || now_ms - l->last_packet_ms > 5000) continue;
        ssrcs.push_back(l->ssrc());
        seqs.push_back(l->highest_seq);
      }
      if (!ssrcs.empty()) p->SendPublisherFeedback(ssrcs, seqs, kRembCeilingBps);
    }
    SendSenderReports(now_ms);
  }
  for (auto& [p, m] : members_) {
    if (m.forwarders.empty()) continue;
    if (now_ms >= m.next_allocation_ms) {
      m.next_allocation_ms = now_ms + 500;
      Allocate(m, now_ms);
    }
    if (m.downlink.probing()) Pad(m, now_ms);
  }
  if (next_bitrates_ms_ == 0) {
    next_bitrates_ms_ = now_ms + 2000;
    window_start_ms_ = now_ms;
  } else if (now_ms >= next_bitrates_ms_) {
    const int64_t elapsed = std::max<int64_t>(1, now_ms - window_start_ms_);
    std::vector<StreamBitrate> rates;
    for (auto& [p, m] : members_) {
      for (auto& l : m.layers) {
        // A stream missing from BITRATES is "not sending" to the client (docs/PROTOCOL.md §4.9): list only those
        // that arrived in this window.
        if (l->window_bytes > 0)
          rates.push_back({l->info.stream_id, static_cast<uint32_t>(l->window_bytes * 8 * 1000 / static_cast<uint64_t>(elapsed))});
        l->window_bytes = 0;
      }
    }
    if (!rates.empty())
      for (auto& [p, m] : members_) p->ReportBitrates(rates);
    next_bitrates_ms_ = now_ms + 2000;
    window_start_ms_ = now_ms;
  }
  for (auto& [p, m] : members_) {
    for (auto& l : m.layers) {
      if (!l->ssrc()) continue;
      const std::vector<uint16_t> due = l->nacks.Due(now_ms);
      if (due.empty()) continue;
      p->SendNack(l->ssrc(), due);
      shard_.mutable_stats().Add(shard_.mutable_stats().video_nacks_sent, due.size());
    }
  }
}

void MeetingVideo::OnNack(ParticipantMedia* p, uint32_t media_ssrc, std::span<const uint16_t> lost) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  const int64_t now = shard_.NowMs();
  for (auto& f : it->second.forwarders) {
    if (f->sub.ssrc != media_ssrc) continue;
    Layer* pub = PublisherOf(f->source ? f->source : f->sub.stream_id, nullptr);
    if (!pub) return;
    const bool rtx = f->sub.rtx_ssrc != 0 && f->sub.rtx_payload_type >= 0;
    for (uint16_t out_seq : lost) {
      const auto in_seq = f->rewriter.InputSeq(out_seq);
      if (!in_seq) continue;
      const std::span<const uint8_t> stored = pub->history->Find(*in_seq);
      if (stored.empty()) continue;
      auto pkt = wire::RtpPacketView::Parse(stored);
      if (!pkt) continue;
      auto vp8 = wire::ParseVp8Descriptor(pkt->payload());
      if (!vp8) continue;
      StreamRewriter::In in;
      in.seq = pkt->sequence_number();
      in.timestamp = pkt->timestamp();
      if (vp8->has_picture_id) in.picture_id = vp8->picture_id;
      if (vp8->has_tl0picidx) in.tl0picidx = vp8->tl0picidx;
      auto out = f->rewriter.Peek(in);
      if (!out) continue;
      if (const size_t n = Send(*f, pkt->payload(), pkt->marker(), *out, &*vp8, rtx)) {
        Sent(it->second, *f, n, false, out->timestamp, now);
        shard_.mutable_stats().Add(shard_.mutable_stats().video_retransmissions);
      }
    }
    return;
  }
}

void MeetingVideo::OnReportBlocks(ParticipantMedia* p, std::span<const wire::rtcp::ReportBlock> blocks) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  Member& m = it->second;
  uint64_t lost = 0, expected = 0;
  for (const auto& b : blocks) {
    for (auto& f : m.forwarders) {
      if (f->sub.ssrc != b.source_ssrc) continue;
      if (f->have_rr) {
        const int64_t e = static_cast<int32_t>(b.extended_highest_sequence - f->rr_highest);
        const int64_t l = static_cast<int64_t>(b.cumulative_lost) - f->rr_lost;
        if (e > 0 && e < 100'000) {
          expected += static_cast<uint64_t>(e);
          lost += static_cast<uint64_t>(std::clamp<int64_t>(l, 0, e));
        }
      }
      f->have_rr = true;
      f->rr_highest = b.extended_highest_sequence;
      f->rr_lost = b.cumulative_lost;
    }
  }
  const int64_t now = shard_.NowMs();
  if (m.downlink.OnLoss(lost, expected, now)) Allocate(m, now);
}

void MeetingVideo::OnRemb(ParticipantMedia* p, uint64_t bps) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  const int64_t now = shard_.NowMs();
  if (it->second.downlink.OnRemb(bps, now)) Allocate(it->second, now);
}

void MeetingVideo::OnKeyframeRequest(ParticipantMedia* p, uint32_t media_ssrc) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  for (auto& f : it->second.forwarders) {
    if (f->sub.ssrc == media_ssrc) RequestKeyframe(f->source ? f->source : f->sub.stream_id, shard_.NowMs());
  }
}

}  // namespace sfu

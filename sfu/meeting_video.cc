#include "sfu/meeting_video.h"

#include <openssl/rand.h>

#include <algorithm>

#include "sfu/participant_media.h"
#include "sfu/shard.h"
#include "transport/base/log.h"
#include "transport/srtp/srtp_session.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/seq_num.h"
#include "transport/wire/vp8_payload.h"

namespace sfu {
namespace {

thread_local std::unordered_map<std::string, MeetingVideo*> t_video;

template <class T>
T Random() {
  T v{};
  RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof(v));
  return v;
}

constexpr int64_t kKeyframeRequestIntervalMs = 500;

}  // namespace

MeetingVideo& MeetingVideo::For(Shard& shard, const std::string& meeting_id) {
  auto it = t_video.find(meeting_id);
  if (it != t_video.end() && !it->second->finished()) return *it->second;
  auto video = std::make_unique<MeetingVideo>(shard, meeting_id);
  MeetingVideo& ref = *video;
  shard.AddSession(std::move(video));
  return ref;
}

MeetingVideo::MeetingVideo(Shard& shard, std::string meeting_id) : shard_(shard), meeting_id_(std::move(meeting_id)) {
  t_video[meeting_id_] = this;
}

MeetingVideo::~MeetingVideo() {
  auto it = t_video.find(meeting_id_);
  if (it != t_video.end() && it->second == this) t_video.erase(it);
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
  // Keep the state (learned SSRC, history) of layers that stay.
  std::vector<std::unique_ptr<Layer>> layers;
  for (const VideoLayer& info : plan.publication.layers) {
    std::unique_ptr<Layer> l;
    for (auto& old : m.layers) {
      if (old && old->info.stream_id == info.stream_id && old->info.ssrc == info.ssrc && old->info.rid == info.rid) {
        l = std::move(old);
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
      f = std::make_unique<Forwarder>(Random<uint16_t>(), Random<uint32_t>());
      f->subscriber = p;
    }
    if (f->sub.stream_id != s.stream_id) f->rewriter.Switch();  // a new source: start at a key frame
    f->sub = s;
    if (f->rewriter.waiting()) RequestKeyframe(s.stream_id, now);
    next.push_back(std::move(f));
  }
  m.forwarders = std::move(next);
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

MeetingVideo::Layer* MeetingVideo::LayerFor(Member& m, const void* view) {
  const auto& pkt = *static_cast<const wire::RtpPacketView*>(view);
  const uint32_t ssrc = pkt.ssrc();
  for (auto& l : m.layers)
    if (l->ssrc() == ssrc) return l.get();
  // Simulcast: the RID extension names the layer (its SSRC is learned once).
  if (m.rid_ext_id > 0) {
    if (auto rid = pkt.Extension(static_cast<uint8_t>(m.rid_ext_id)); rid && !rid->empty() && rid->size() <= 16) {
      const std::string_view name(reinterpret_cast<const char*>(rid->data()), rid->size());
      for (auto& l : m.layers) {
        if (l->info.rid == name && l->info.ssrc == 0) {
          l->learned_ssrc = ssrc;
          return l.get();
        }
      }
    }
    return nullptr;
  }
  // One layer announced without an SSRC: the first video packet names it.
  if (m.layers.size() == 1 && m.layers.front()->ssrc() == 0) {
    m.layers.front()->learned_ssrc = ssrc;
    return m.layers.front().get();
  }
  return nullptr;
}

bool MeetingVideo::OnRtp(ParticipantMedia* p, std::span<const uint8_t> packet) {
  auto it = members_.find(p);
  if (it == members_.end() || it->second.layers.empty()) return false;
  Member& pub = it->second;
  auto pkt = wire::RtpPacketView::Parse(packet);
  if (!pkt || pkt->payload_type() != pub.payload_type) return false;
  Layer* layer = LayerFor(pub, &*pkt);
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
  layer->last_packet_ms = now;
  if (!layer->have_seq || wire::SeqNewer(in.seq, layer->highest_seq)) layer->highest_seq = in.seq;
  layer->have_seq = true;
  layer->nacks.OnPacket(in.seq, now);
  layer->window_bytes += packet.size();
  layer->history->Store(in.seq, packet);
  for (auto& [sp, sm] : members_) {
    const bool any_paused = !sm.paused.empty();
    for (auto& f : sm.forwarders) {
      if (f->sub.payload_type < 0) continue;
      if (f->sub.stream_id != stream_id) {
        // Another layer of this camera may stand in for the one the section asked for.
        if (pub.layers.size() < 2) continue;
        const Layer* eff = EffectiveLayer(pub, f->sub.stream_id, now);
        if (!eff || eff != layer) continue;
      } else if (pub.layers.size() > 1 && EffectiveLayer(pub, f->sub.stream_id, now) != layer) {
        continue;
      }
      if (f->source != stream_id) {  // a different layer from now on: restart at its key frame
        if (f->source != 0) f->rewriter.Switch();
        f->source = stream_id;
      }
      if (any_paused && std::find(sm.paused.begin(), sm.paused.end(), f->sub.stream_id) != sm.paused.end()) continue;
      const bool was_waiting = f->rewriter.waiting();
      auto out = f->rewriter.Rewrite(in);
      if (!out) {
        if (was_waiting) {
          ++stats_.dropped_waiting_keyframe;
          shard_.mutable_stats().Add(shard_.mutable_stats().video_waiting_keyframe);
          RequestKeyframe(stream_id, now);
        }
        continue;
      }
      if (Send(*f, payload, marker, *out, &*vp8)) {
        ++stats_.forwarded;
        shard_.mutable_stats().Add(shard_.mutable_stats().video_packets_forwarded);
      }
    }
  }
  return true;
}

bool MeetingVideo::Send(Forwarder& f, std::span<const uint8_t> payload, bool marker, const StreamRewriter::Out& out,
                        const void* vp8_descriptor) {
  const auto& vp8 = *static_cast<const wire::Vp8Descriptor*>(vp8_descriptor);
  uint8_t buf[1500 + transport::kSrtpMaxTrailer];  // room for the SRTP tag
  if (payload.size() > 1500 - 64) return false;
  wire::RtpHeaderWriter w;
  w.SetMarker(marker);
  w.SetPayloadType(static_cast<uint8_t>(f.sub.payload_type));
  w.SetSequenceNumber(out.seq);
  w.SetTimestamp(out.timestamp);
  w.SetSsrc(f.sub.ssrc);
  const size_t h = w.WriteTo(buf);
  if (h == 0) return false;
  std::copy(payload.begin(), payload.end(), buf + h);
  std::span<uint8_t> out_payload(buf + h, payload.size());
  if (out.picture_id) wire::WriteVp8PictureId(out_payload, vp8, *out.picture_id);
  if (out.tl0picidx) wire::WriteVp8Tl0PicIdx(out_payload, vp8, *out.tl0picidx);
  return f.subscriber->SendVideoRtp(buf, h + payload.size(), sizeof(buf));
}

const MeetingVideo::Layer* MeetingVideo::EffectiveLayer(const Member& m, uint32_t wanted, int64_t now_ms) const {
  constexpr int64_t kFlowingMs = 1000;
  const Layer* want = nullptr;
  for (const auto& l : m.layers)
    if (l->info.stream_id == wanted) want = l.get();
  if (!want) return nullptr;
  if (now_ms - want->last_packet_ms < kFlowingMs) return want;
  // The highest layer that is arriving (layers are in the sender's order: low, mid, hi).
  const Layer* best = nullptr;
  for (const auto& l : m.layers)
    if (now_ms - l->last_packet_ms < kFlowingMs) best = l.get();
  return best ? best : want;
}

void MeetingVideo::OnTick(int64_t now_ms) {
  if (now_ms >= next_feedback_ms_) {
    next_feedback_ms_ = now_ms + 1000;
    constexpr uint64_t kRembCeilingBps = 2'500'000;
    for (auto& [p, m] : members_) {
      std::vector<uint32_t> ssrcs;
      std::vector<uint16_t> seqs;
      for (auto& l : m.layers) {
        if (!l->ssrc() || now_ms - l->last_packet_ms > 5000) continue;
        ssrcs.push_back(l->ssrc());
        seqs.push_back(l->highest_seq);
      }
      if (!ssrcs.empty()) p->SendPublisherFeedback(ssrcs, seqs, kRembCeilingBps);
    }
  }
  if (next_bitrates_ms_ == 0) {
    next_bitrates_ms_ = now_ms + 2000;
    window_start_ms_ = now_ms;
  } else if (now_ms >= next_bitrates_ms_) {
    const int64_t elapsed = std::max<int64_t>(1, now_ms - window_start_ms_);
    std::vector<StreamBitrate> rates;
    for (auto& [p, m] : members_) {
      for (auto& l : m.layers) {
        // A stream missing from BITRATES is "not sending" to the client (§7.5): list only those
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
  for (auto& f : it->second.forwarders) {
    if (f->sub.ssrc != media_ssrc) continue;
    Layer* pub = PublisherOf(f->sub.stream_id, nullptr);
    if (!pub) return;
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
      if (out && Send(*f, pkt->payload(), pkt->marker(), *out, &*vp8))
        shard_.mutable_stats().Add(shard_.mutable_stats().video_retransmissions);
    }
    return;
  }
}

void MeetingVideo::OnKeyframeRequest(ParticipantMedia* p, uint32_t media_ssrc) {
  auto it = members_.find(p);
  if (it == members_.end()) return;
  for (auto& f : it->second.forwarders) {
    if (f->sub.ssrc == media_ssrc) RequestKeyframe(f->sub.stream_id, shard_.NowMs());
  }
}

}  // namespace sfu

#include "sfu/video_publisher.h"

#include <algorithm>
#include <string_view>

#include "sfu/video_peer.h"
#include "transport/srtp/srtp_session.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/remb.h"

namespace sfu {

void VideoPublisher::Set(const VideoPublication& publication) {
  payload_type_ = publication.payload_type;
  rid_ext_id_ = publication.rid_ext_id;
  rtx_payload_type_ = publication.rtx_payload_type;
  repaired_rid_ext_id_ = publication.repaired_rid_ext_id;
  max_pixels_ = publication.max_pixels;
  // Keep the state (learned SSRC, history) of layers that stay.
  std::vector<std::unique_ptr<PublisherStream>> layers;
  for (const VideoLayer& info : publication.layers) {
    std::unique_ptr<PublisherStream> l;
    for (auto& old : layers_) {
      if (old && old->info().stream_id == info.stream_id && old->info().ssrc == info.ssrc &&
          old->info().rid == info.rid) {
        l = std::move(old);
        l->SetAnnouncedRtxSsrc(info.rtx_ssrc);
        break;
      }
    }
    if (!l) l = std::make_unique<PublisherStream>(info);
    layers.push_back(std::move(l));
  }
  layers_ = std::move(layers);
}

PublisherStream* VideoPublisher::Find(uint32_t stream_id) {
  if (stream_id == 0) return nullptr;
  for (auto& l : layers_)
    if (l->stream_id() == stream_id) return l.get();
  return nullptr;
}

int VideoPublisher::IndexOf(uint32_t stream_id) const {
  int index = -1;
  for (size_t k = 0; k < layers_.size(); ++k)
    if (layers_[k]->stream_id() == stream_id) index = static_cast<int>(k);
  return index;
}

PublisherStream* VideoPublisher::StreamFor(const wire::RtpPacketView& pkt, bool rtx) {
  if (layers_.empty()) return nullptr;
  const uint32_t ssrc = pkt.ssrc();
  for (auto& l : layers_)
    if (l->known_ssrc(rtx) == ssrc) return l.get();
  // Simulcast: the RID extension names the layer (its SSRC is learned).
  const int ext_id = rtx ? repaired_rid_ext_id_ : rid_ext_id_;
  if (ext_id > 0) {
    if (auto rid = pkt.Extension(static_cast<uint8_t>(ext_id));
        rid && !rid->empty() && rid->size() <= 16) {
      const std::string_view name(reinterpret_cast<const char*>(rid->data()), rid->size());
      for (auto& l : layers_) {
        if (l->info().rid == name && l->announced_ssrc(rtx) == 0) {
          l->Learn(ssrc, rtx);
          return l.get();
        }
      }
    }
    return nullptr;
  }
  // One layer announced without this SSRC: the first packet names it (never the other stream's).
  PublisherStream& only = *layers_.front();
  if (layers_.size() == 1 && only.known_ssrc(rtx) == 0 && only.known_ssrc(!rtx) != ssrc) {
    only.Learn(ssrc, rtx);
    return &only;
  }
  return nullptr;
}

VideoPublisher::Rtx VideoPublisher::UnwrapRtx(const wire::RtpPacketView& rtx,
                                              std::span<uint8_t> buf,
                                              std::optional<wire::RtpPacketView>* original) {
  // RFC 4588: the original sequence number, then the original payload.
  if (rtx.payload_size() <= 2) return Rtx::kPadding;
  const PublisherStream* layer = StreamFor(rtx, /*rtx=*/true);
  if (!layer || layer->ssrc() == 0) return Rtx::kUnknown;
  const std::span<const uint8_t> payload = rtx.payload();
  wire::RtpHeaderWriter w;
  w.SetMarker(rtx.marker());
  w.SetPayloadType(static_cast<uint8_t>(payload_type_));
  w.SetSequenceNumber(static_cast<uint16_t>((payload[0] << 8) | payload[1]));
  w.SetTimestamp(rtx.timestamp());
  w.SetSsrc(layer->ssrc());
  const size_t h = w.WriteTo(buf);
  if (h == 0 || h + payload.size() - 2 > buf.size()) return Rtx::kInvalid;
  std::copy(payload.begin() + 2, payload.end(), buf.begin() + static_cast<std::ptrdiff_t>(h));
  *original = wire::RtpPacketView::Parse(buf.first(h + payload.size() - 2));
  return *original ? Rtx::kUnwrapped : Rtx::kInvalid;
}

const PublisherStream* VideoPublisher::Target(uint32_t stream_id, int allowed,
                                              int64_t now_ms) const {
  const int wanted = IndexOf(stream_id);
  if (wanted < 0) return nullptr;
  auto within = [&](int k) { return WithinLimit(*layers_[static_cast<size_t>(k)]); };
  if (layers_.size() < 2) return within(0) ? layers_.front().get() : nullptr;
  const int cap = allowed >= 0 ? std::min(wanted, allowed) : wanted;
  // Usable: arriving, and not above the meeting's MaxResolution.
  auto usable = [&](int k) {
    return within(k) && layers_[static_cast<size_t>(k)]->arriving(now_ms);
  };
  if (usable(cap)) return layers_[static_cast<size_t>(cap)].get();
  // The highest usable layer below the cap, else the lowest usable one above it.
  for (int k = cap - 1; k >= 0; --k)
    if (usable(k)) return layers_[static_cast<size_t>(k)].get();
  for (int k = cap + 1; k < static_cast<int>(layers_.size()); ++k)
    if (usable(k)) return layers_[static_cast<size_t>(k)].get();
  return within(cap) ? layers_[static_cast<size_t>(cap)].get() : nullptr;
}

void VideoPublisher::LayerRates(int64_t now_ms, std::vector<uint64_t>* out) const {
  for (const auto& l : layers_)
    out->push_back(l->arriving(now_ms) ? std::max<uint64_t>(l->rate_bps(), 1) : 0);
}

bool VideoPublisher::RequestKeyframe(PublisherStream& layer, int64_t now_ms) {
  if (!layer.TakeKeyframeRequest(now_ms)) return false;
  wire::rtcp::Pli pli;
  pli.SetSenderSsrc(peer_.feedback_ssrc());
  pli.SetMediaSsrc(layer.ssrc());
  uint8_t buf[64 + transport::kSrtpMaxTrailer + 4];  // room for SRTCP's tag and index
  const size_t n = pli.Create(buf);
  if (n) peer_.SendVideoRtcp(buf, n, sizeof(buf));
  return true;
}

size_t VideoPublisher::SendNacks(int64_t now_ms) {
  size_t asked = 0;
  for (auto& l : layers_) {
    if (!l->ssrc()) continue;
    const std::vector<uint16_t> due = l->DueNacks(now_ms);
    if (due.empty()) continue;
    const std::span<const uint16_t> lost(due);
    wire::rtcp::Nack nack;
    nack.SetSenderSsrc(peer_.feedback_ssrc());
    nack.SetMediaSsrc(l->ssrc());
    nack.SetLostPackets(lost.subspan(0, std::min<size_t>(lost.size(), 64)));
    uint8_t buf[512 + transport::kSrtpMaxTrailer + 4];
    const size_t n = nack.Create(buf);
    if (n) peer_.SendVideoRtcp(buf, n, sizeof(buf));
    asked += due.size();
  }
  return asked;
}

void VideoPublisher::SendReceiverFeedback(int64_t now_ms, uint64_t remb_bps) {
  std::vector<uint32_t> ssrcs;
  wire::rtcp::ReceiverReport rr;
  rr.SetSenderSsrc(peer_.feedback_ssrc());
  for (auto& l : layers_) {
    l->UpdateRate();
    if (!l->ssrc() || now_ms - l->last_packet_ms() > 5000) continue;
    ssrcs.push_back(l->ssrc());
    wire::rtcp::ReportBlock b;
    b.source_ssrc = l->ssrc();
    b.extended_highest_sequence = l->highest_seq();
    rr.AddReportBlock(b);
  }
  if (ssrcs.empty()) return;
  wire::rtcp::Remb remb;
  remb.SetSenderSsrc(peer_.feedback_ssrc());
  remb.SetBitrateBps(remb_bps);
  remb.SetSsrcs(ssrcs);
  uint8_t buf[512 + transport::kSrtpMaxTrailer + 4];
  const size_t n1 = rr.Create(std::span<uint8_t>(buf, 512));
  if (n1 == 0) return;
  const size_t n2 = remb.Create(std::span<uint8_t>(buf + n1, 512 - n1));
  if (n2 == 0) return;
  peer_.SendVideoRtcp(buf, n1 + n2, sizeof(buf));
}

void VideoPublisher::TakeBitrates(int64_t elapsed_ms, std::vector<StreamBitrate>* out) {
  for (auto& l : layers_) {
    // A stream missing from BITRATES is "not sending" to the client (docs/PROTOCOL.md §4.9): list
    // only those that arrived in this window.
    const uint64_t bytes = l->TakeWindowBytes();
    if (bytes > 0)
      out->push_back({l->stream_id(),
                      static_cast<uint32_t>(bytes * 8 * 1000 / static_cast<uint64_t>(elapsed_ms))});
  }
}

}  // namespace sfu

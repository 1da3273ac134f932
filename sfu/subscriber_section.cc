#include "sfu/subscriber_section.h"

#include <algorithm>

#include "sfu/publisher_stream.h"
#include "sfu/video_peer.h"
#include "transport/srtp/srtp_session.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/sender_report.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/vp8_payload.h"

namespace sfu {
namespace {

// The 12-byte RTP header of what a section sends (no CSRCs, no extensions), written directly:
// RtpHeaderWriter's general form costs more than the rest of the rewrite on this path.
size_t WriteHeader(uint8_t* buf, bool marker, int payload_type, uint16_t seq, uint32_t timestamp,
                   uint32_t ssrc) {
  buf[0] = 0x80;  // V=2
  buf[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | (payload_type & 0x7f));
  buf[2] = static_cast<uint8_t>(seq >> 8);
  buf[3] = static_cast<uint8_t>(seq);
  for (int i = 0; i < 4; ++i) {
    buf[4 + i] = static_cast<uint8_t>(timestamp >> (24 - 8 * i));
    buf[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  }
  return wire::kRtpHeaderSize;
}

}  // namespace

void SubscriberSection::Update(const VideoSubscription& s) {
  if (sub_.stream_id != s.stream_id) {  // a new source: start at its key frame
    rewriter_.Switch();
    source_ = 0;
    allowed_ = -1;
  }
  sub_ = s;
}

SubscriberSection::Result SubscriberSection::Forward(const StreamRewriter::In& in,
                                                     std::span<const uint8_t> payload, bool marker,
                                                     const wire::Vp8Descriptor& vp8,
                                                     size_t* bytes) {
  *bytes = 0;
  const bool was_waiting = rewriter_.waiting();
  const auto out = rewriter_.Rewrite(in);
  if (!out) return was_waiting ? Result::kWaitingKeyframe : Result::kDropped;
  const size_t n = Send(payload, marker, *out, vp8, /*rtx=*/false);
  if (n == 0) return Result::kNotSent;
  ++packets_;
  octets_ += static_cast<uint32_t>(n);
  last_ts_ = out->timestamp;
  last_ts_ms_ = in.arrival_ms;
  *bytes = n;
  return Result::kSent;
}

size_t SubscriberSection::Retransmit(uint16_t out_seq, const PublisherStream& from) {
  const auto in_seq = rewriter_.InputSeq(out_seq);
  if (!in_seq) return 0;
  const std::span<const uint8_t> stored = from.Stored(*in_seq);
  if (stored.empty()) return 0;
  const auto pkt = wire::RtpPacketView::Parse(stored);
  if (!pkt) return 0;
  const auto vp8 = wire::ParseVp8Descriptor(pkt->payload());
  if (!vp8) return 0;
  StreamRewriter::In in;
  in.seq = pkt->sequence_number();
  in.timestamp = pkt->timestamp();
  if (vp8->has_picture_id) in.picture_id = vp8->picture_id;
  if (vp8->has_tl0picidx) in.tl0picidx = vp8->tl0picidx;
  const auto out = rewriter_.Peek(in);
  if (!out) return 0;
  return Send(pkt->payload(), pkt->marker(), *out, *vp8, has_rtx());
}

size_t SubscriberSection::Send(std::span<const uint8_t> payload, bool marker,
                               const StreamRewriter::Out& out, const wire::Vp8Descriptor& vp8,
                               bool rtx) {
  uint8_t buf[1500 + transport::kSrtpMaxTrailer];  // room for the SRTP tag
  if (payload.size() > 1500 - 64) return 0;
  size_t h = rtx ? WriteHeader(buf, marker, sub_.rtx_payload_type, rtx_seq_++, out.timestamp,
                               sub_.rtx_ssrc)
                 : WriteHeader(buf, marker, sub_.payload_type, out.seq, out.timestamp, sub_.ssrc);
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
  return subscriber_.SendVideoRtp(buf, len, sizeof(buf)) ? len : 0;
}

size_t SubscriberSection::SendPadding(size_t size) {
  uint8_t buf[1500 + transport::kSrtpMaxTrailer];
  if (size <= wire::kRtpHeaderSize || size > 1500) return 0;
  const size_t h =
      WriteHeader(buf, false, sub_.rtx_payload_type, rtx_seq_++, last_ts_, sub_.rtx_ssrc);
  buf[0] |= 0x20;  // P
  const size_t pad = size - h;
  std::fill(buf + h, buf + h + pad, 0);
  buf[h + pad - 1] = static_cast<uint8_t>(pad);
  return subscriber_.SendVideoRtp(buf, h + pad, sizeof(buf)) ? h + pad : 0;
}

void SubscriberSection::SendSenderReport(uint64_t ntp, int64_t now_ms) {
  if (!has_sent()) return;
  wire::rtcp::SenderReport sr;
  sr.SetSenderSsrc(sub_.ssrc);
  sr.SetNtp(ntp);
  sr.SetRtpTimestamp(last_ts_ + static_cast<uint32_t>((now_ms - last_ts_ms_) * 90));
  sr.SetPacketCount(packets_);
  sr.SetOctetCount(octets_);
  uint8_t buf[64 + transport::kSrtpMaxTrailer + 4];
  const size_t n = sr.Create(std::span<uint8_t>(buf, 64));
  if (n) subscriber_.SendVideoRtcp(buf, n, sizeof(buf));
}

void SubscriberSection::OnReportBlock(const wire::rtcp::ReportBlock& b, uint64_t* lost,
                                      uint64_t* expected) {
  if (have_rr_) {
    const int64_t e = static_cast<int32_t>(b.extended_highest_sequence - rr_highest_);
    const int64_t l = static_cast<int64_t>(b.cumulative_lost) - rr_lost_;
    if (e > 0 && e < 100'000) {
      *expected += static_cast<uint64_t>(e);
      *lost += static_cast<uint64_t>(std::clamp<int64_t>(l, 0, e));
    }
  }
  have_rr_ = true;
  rr_highest_ = b.extended_highest_sequence;
  rr_lost_ = b.cumulative_lost;
}

}  // namespace sfu

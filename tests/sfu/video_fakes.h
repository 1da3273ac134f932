#pragma once
// Fakes for unit-testing the video SFU without sockets: a VideoPeer that records what the SFU
// sends it (RTP split into media and RTX by payload type, RTCP, BITRATES) on a clock the test
// moves, and synthetic VP8 packets like tests/signaling/video_forwarding_test.cc sends them
// (payload descriptor with a 15-bit PictureID, the VP8 header byte's P bit, filler bytes).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "sfu/video_peer.h"
#include "transport/srtp/srtp_session.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtcp/sender_report.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/vp8_payload.h"

namespace sfu::testing {

constexpr int kVp8Pt = 96;
constexpr int kRtxPt = 97;
constexpr int kRidExtId = 4;

class FakePeer final : public VideoPeer {
 public:
  FakePeer(const int64_t& clock, uint32_t feedback_ssrc)
      : clock_(clock), feedback_ssrc_(feedback_ssrc) {}

  bool SendVideoRtp(uint8_t* data, size_t len, size_t capacity) override {
    EXPECT_GE(capacity, len + transport::kSrtpMaxTrailer) << "no room to protect the packet";
    auto pkt = wire::RtpPacketView::Parse(std::span<const uint8_t>(data, len));
    EXPECT_TRUE(pkt) << "the SFU sent a malformed RTP packet";
    if (!pkt) return false;
    (pkt->payload_type() == kRtxPt ? rtx : media).emplace_back(data, data + len);
    return true;
  }
  void SendVideoRtcp(uint8_t* data, size_t len, size_t capacity) override {
    EXPECT_GE(capacity, len + transport::kSrtpMaxTrailer + 4) << "no room to protect the RTCP";
    rtcp.emplace_back(data, data + len);
  }
  void ReportBitrates(std::vector<StreamBitrate> rates) override {
    bitrates.push_back(std::move(rates));
  }
  uint32_t feedback_ssrc() const override { return feedback_ssrc_; }
  int64_t NowMs() const override { return clock_; }
  void DetachVideo() override { detached = true; }

  // PLIs received for this media SSRC.
  int Plis(uint32_t media_ssrc) const {
    int n = 0;
    ForEachBlock([&](const wire::rtcp::CommonHeader& b) {
      wire::rtcp::Pli pli;
      if (b.type() == wire::rtcp::kPacketTypePsfb &&
          b.fmt() == wire::rtcp::Pli::kFeedbackMessageType && pli.Parse(b) &&
          pli.media_ssrc() == media_ssrc)
        ++n;
    });
    return n;
  }
  // Every sequence number NACKed for this media SSRC.
  std::vector<uint16_t> Nacked(uint32_t media_ssrc) const {
    std::vector<uint16_t> out;
    ForEachBlock([&](const wire::rtcp::CommonHeader& b) {
      wire::rtcp::Nack nack;
      if (b.type() == wire::rtcp::kPacketTypeRtpfb && nack.Parse(b) &&
          nack.media_ssrc() == media_ssrc)
        for (uint16_t s : nack.LostPackets()) out.push_back(s);
    });
    return out;
  }
  // The sender reports received for this SSRC.
  std::vector<wire::rtcp::SenderReport> SenderReports(uint32_t ssrc) const {
    std::vector<wire::rtcp::SenderReport> out;
    ForEachBlock([&](const wire::rtcp::CommonHeader& b) {
      wire::rtcp::SenderReport sr;
      if (b.type() == wire::rtcp::kPacketTypeSr && sr.Parse(b) && sr.sender_ssrc() == ssrc)
        out.push_back(sr);
    });
    return out;
  }

  std::vector<std::vector<uint8_t>> media, rtx, rtcp;
  std::vector<std::vector<StreamBitrate>> bitrates;
  bool detached = false;

 private:
  template <typename F>
  void ForEachBlock(F&& f) const {
    for (const auto& p : rtcp) {
      wire::rtcp::CompoundIterator it(p);
      while (auto b = it.Next()) f(*b);
    }
  }
  const int64_t& clock_;
  uint32_t feedback_ssrc_;
};

inline wire::RtpPacketView View(const std::vector<uint8_t>& bytes) {
  auto v = wire::RtpPacketView::Parse(bytes);
  EXPECT_TRUE(v);
  return *v;
}
inline wire::Vp8Descriptor Vp8Of(const std::vector<uint8_t>& bytes) {
  auto d = wire::ParseVp8Descriptor(View(bytes).payload());
  EXPECT_TRUE(d);
  return d.value_or(wire::Vp8Descriptor{});
}

// One synthetic VP8 stream as a publisher's encoder would send it: frames of `packets` packets
// of `payload` bytes; sequence numbers, timestamps (+3000 per frame) and PictureIDs advance.
struct Vp8Source {
  uint32_t ssrc = 0;
  uint16_t seq = 0;
  uint32_t ts = 1000;
  uint16_t picture_id = 100;
  uint8_t fill = 0x55;
  const char* rid = nullptr;  // sent in the rtp-stream-id extension (kRidExtId) when set
  size_t payload = 100;
  uint16_t width = 0, height = 0;  // when set, key frames carry a VP8 key frame header with them

  // One packet (the sequence number advances even when the caller drops it: a loss).
  std::vector<uint8_t> Packet(bool key, bool frame_start, bool marker) {
    std::vector<uint8_t> buf(64 + payload);
    wire::RtpHeaderWriter w;
    w.SetPayloadType(kVp8Pt);
    w.SetSequenceNumber(seq++);
    w.SetTimestamp(ts);
    w.SetSsrc(ssrc);
    w.SetMarker(marker);
    if (rid)
      w.AddExtension(kRidExtId, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(rid),
                                                         std::strlen(rid)));
    const size_t h = w.WriteTo(buf);
    // Descriptor: X=1, S=frame_start, PID 0; I=1 with a 15-bit picture id; then the VP8 header
    // byte (P bit clear for a key frame) and filler.
    buf[h] = static_cast<uint8_t>(0x80 | (frame_start ? 0x10 : 0));
    buf[h + 1] = 0x80;
    buf[h + 2] = static_cast<uint8_t>(0x80 | (picture_id >> 8));
    buf[h + 3] = static_cast<uint8_t>(picture_id);
    buf[h + 4] = key ? 0x00 : 0x01;
    for (size_t i = 5; i < payload; ++i) buf[h + i] = fill;
    if (key && frame_start && width) {
      const uint8_t vp8[] = {0x50,
                             0x2a,
                             0x00,
                             0x9d,
                             0x01,
                             0x2a,
                             static_cast<uint8_t>(width),
                             static_cast<uint8_t>(width >> 8),
                             static_cast<uint8_t>(height),
                             static_cast<uint8_t>(height >> 8)};
      std::copy(std::begin(vp8), std::end(vp8), buf.begin() + static_cast<std::ptrdiff_t>(h + 4));
    }
    buf.resize(h + payload);
    if (marker) {
      ts += 3000;
      picture_id = static_cast<uint16_t>((picture_id + 1) & 0x7fff);
    }
    return buf;
  }
  // A whole frame.
  std::vector<std::vector<uint8_t>> Frame(bool key, int packets) {
    std::vector<std::vector<uint8_t>> out;
    for (int i = 0; i < packets; ++i) out.push_back(Packet(key, i == 0, i == packets - 1));
    return out;
  }
};

}  // namespace sfu::testing

// RFC 7983 first-byte ranges and the RFC 5761 RTP/RTCP split, as a table over every byte.
#include "transport/wire/demux.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace sfu::wire {
namespace {

PacketKind ExpectedForFirstByte(int b) {
  if (b <= 3) return PacketKind::kStun;
  if (b >= 16 && b <= 19) return PacketKind::kZrtp;
  if (b >= 20 && b <= 63) return PacketKind::kDtls;
  if (b >= 64 && b <= 79) return PacketKind::kTurnChannel;
  if (b >= 128 && b <= 191) return PacketKind::kRtp;  // with an RTP payload type
  return PacketKind::kUnknown;
}

TEST(DemuxTest, EveryFirstByte) {
  for (int b = 0; b < 256; ++b) {
    const std::array<uint8_t, 12> packet = {static_cast<uint8_t>(b), 111};  // PT 111 (Opus)
    EXPECT_EQ(Classify(packet), ExpectedForFirstByte(b)) << "first byte " << b;
  }
}

TEST(DemuxTest, RtcpByPayloadTypeRange) {
  struct Case {
    uint8_t second;
    PacketKind kind;
  };
  const Case cases[] = {
      {200, PacketKind::kRtcp},      {201, PacketKind::kRtcp},
      {205, PacketKind::kRtcp},      {206, PacketKind::kRtcp},
      {207, PacketKind::kRtcp},      {192, PacketKind::kRtcp},
      {223, PacketKind::kRtcp},      {191, PacketKind::kRtp},
      {224, PacketKind::kRtp},       {96, PacketKind::kRtp},
      {96 | 0x80, PacketKind::kRtp},  // marker set, PT 96
      {0, PacketKind::kRtp},         {127, PacketKind::kRtp},
      {72, PacketKind::kRtcp},  // PT 72 with M=0 reads as RTCP 200 with the M bit masked
  };
  for (const Case& c : cases) {
    const std::array<uint8_t, 8> packet = {0x80, c.second};
    EXPECT_EQ(Classify(packet), c.kind) << "second byte " << int{c.second};
  }
}

TEST(DemuxTest, RealPacketsClassify) {
  // RFC 5769 binding request header, a DTLS 1.2 ClientHello record header, RTCP RR, RTP.
  const std::vector<uint8_t> stun = {0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42};
  const std::vector<uint8_t> dtls = {0x16, 0xfe, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00};
  const std::vector<uint8_t> rr = {0x80, 0xc9, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78};
  const std::vector<uint8_t> rtp = {0x90, 0xef, 0x12, 0x34, 0, 0, 0, 0, 1, 2, 3, 4};
  EXPECT_EQ(Classify(stun), PacketKind::kStun);
  EXPECT_EQ(Classify(dtls), PacketKind::kDtls);
  EXPECT_EQ(Classify(rr), PacketKind::kRtcp);
  EXPECT_EQ(Classify(rtp), PacketKind::kRtp);
}

TEST(DemuxTest, TooShortIsUnknown) {
  EXPECT_EQ(Classify({}), PacketKind::kUnknown);
  const std::array<uint8_t, 1> one = {0x80};
  EXPECT_EQ(Classify(one), PacketKind::kUnknown);
  const std::array<uint8_t, 1> stun = {0x01};
  EXPECT_EQ(Classify(stun), PacketKind::kStun);  // one byte is enough outside 128..191
}

TEST(DemuxTest, Names) {
  EXPECT_STREQ(PacketKindName(PacketKind::kRtcp), "rtcp");
  EXPECT_STREQ(PacketKindName(PacketKind::kUnknown), "unknown");
}

}  // namespace
}  // namespace sfu::wire

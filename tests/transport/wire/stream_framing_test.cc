// Stream framing: RFC 4571 and TURN over TCP, byte by byte, at the limits, and on garbage.
#include "transport/wire/stream_framing.h"

#include <gtest/gtest.h>

#include <vector>

#include "transport/wire/stun_message.h"
#include "transport/wire/turn_message.h"

namespace sfu::wire {
namespace {

std::span<const uint8_t> First(const std::vector<uint8_t>& v, size_t n) {
  return std::span<const uint8_t>(v.data(), n);
}

std::vector<uint8_t> StunBinding(size_t software_len) {
  const uint8_t txid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<uint8_t> buf(512);
  StunWriter w(buf, kStunBindingRequest, txid);
  if (software_len) w.AddString(kStunAttrSoftware, std::string(software_len, 's'));
  w.AddFingerprint();
  buf.resize(w.size());
  return buf;
}

// --- RFC 4571 ------------------------------------------------------------------------------

TEST(Rfc4571FramingTest, NeedMoreAtEveryByteThenFrame) {
  const std::vector<uint8_t> stream = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
  for (size_t n = 0; n < stream.size(); ++n) {
    const FrameDecision d = NextRfc4571Frame(First(stream, n), 1500);
    EXPECT_EQ(d.kind, FrameDecision::kNeedMore) << n;
    if (n >= 2) {
      EXPECT_EQ(d.header, 2u);
      EXPECT_EQ(d.size, 5u);
    } else {
      EXPECT_EQ(d.header + d.size, 0u);
    }
  }
  const FrameDecision d = NextRfc4571Frame(stream, 1500);
  EXPECT_EQ(d.kind, FrameDecision::kFrame);
  EXPECT_EQ(d.header, 2u);
  EXPECT_EQ(d.size, 5u);
}

TEST(Rfc4571FramingTest, FrameWithTheNextOneBuffered) {
  const std::vector<uint8_t> stream = {0x00, 0x01, 0xAA, 0x00, 0x02, 0xBB};
  FrameDecision d = NextRfc4571Frame(stream, 1500);
  ASSERT_EQ(d.kind, FrameDecision::kFrame);
  EXPECT_EQ(d.size, 1u);
  EXPECT_EQ(stream[d.header], 0xAA);
  d = NextRfc4571Frame(std::span<const uint8_t>(stream).subspan(d.header + d.size), 1500);
  EXPECT_EQ(d.kind, FrameDecision::kNeedMore);
  EXPECT_EQ(d.size, 2u);
}

TEST(Rfc4571FramingTest, ZeroLengthIsInvalid) {
  const std::vector<uint8_t> zero = {0x00, 0x00, 0x01};
  EXPECT_EQ(NextRfc4571Frame(zero, 1500).kind, FrameDecision::kInvalid);
}

TEST(Rfc4571FramingTest, LengthAboveMaxIsInvalidAtOnce) {
  const std::vector<uint8_t> at_max = {0x05, 0xDC};    // 1500
  const std::vector<uint8_t> past_max = {0x05, 0xDD};  // 1501
  EXPECT_EQ(NextRfc4571Frame(at_max, 1500).kind, FrameDecision::kNeedMore);
  EXPECT_EQ(NextRfc4571Frame(past_max, 1500).kind, FrameDecision::kInvalid);
  const std::vector<uint8_t> max16 = {0xFF, 0xFF};
  EXPECT_EQ(NextRfc4571Frame(max16, 65535).kind, FrameDecision::kNeedMore);
  EXPECT_EQ(NextRfc4571Frame(max16, 65534).kind, FrameDecision::kInvalid);
  EXPECT_EQ(NextRfc4571Frame(max16, 0).kind, FrameDecision::kInvalid);
}

TEST(Rfc4571FramingTest, WriteHeaderRoundTrip) {
  uint8_t header[2] = {};
  EXPECT_EQ(WriteRfc4571Header(header, 1200), 2u);
  EXPECT_EQ(header[0], 0x04);
  EXPECT_EQ(header[1], 0xB0);
  EXPECT_EQ(WriteRfc4571Header(header, 65535), 2u);
  EXPECT_EQ(header[0], 0xFF);
  EXPECT_EQ(header[1], 0xFF);
  header[0] = header[1] = 0x11;
  EXPECT_EQ(WriteRfc4571Header(header, 65536), 0u);
  EXPECT_EQ(header[0], 0x11);  // nothing written

  std::vector<uint8_t> stream(2);
  WriteRfc4571Header(stream.data(), 3);
  stream.insert(stream.end(), {7, 8, 9});
  const FrameDecision d = NextRfc4571Frame(stream, 1500);
  EXPECT_EQ(d.kind, FrameDecision::kFrame);
  EXPECT_EQ(d.size, 3u);
}

// --- TURN over TCP -------------------------------------------------------------------------

TEST(TurnStreamFramingTest, StunNeedMoreAtEveryByteThenFrame) {
  const std::vector<uint8_t> msg = StunBinding(5);  // 20 + 12 (SOFTWARE) + 8 (FINGERPRINT)
  ASSERT_EQ(msg.size(), 40u);
  for (size_t n = 0; n < msg.size(); ++n) {
    const FrameDecision d = NextTurnStreamFrame(First(msg, n), 1500);
    EXPECT_EQ(d.kind, FrameDecision::kNeedMore) << n;
    EXPECT_EQ(d.header, 0u);
    EXPECT_EQ(d.size, n >= 4 ? 40u : 0u) << n;
  }
  const FrameDecision d = NextTurnStreamFrame(msg, 1500);
  EXPECT_EQ(d.kind, FrameDecision::kFrame);
  EXPECT_EQ(d.header, 0u);
  EXPECT_EQ(d.size, 40u);
  EXPECT_TRUE(StunMessageView::Parse(First(msg, d.size)).has_value());
}

TEST(TurnStreamFramingTest, ChannelDataNeedMoreAtEveryByteThenFrameWithPadding) {
  const uint8_t payload[] = {1, 2, 3, 4, 5};
  std::vector<uint8_t> msg(12);
  ASSERT_EQ(WriteChannelData(msg, 0x4001, payload, /*pad_to_4=*/true), 12u);
  for (size_t n = 0; n < msg.size(); ++n) {
    const FrameDecision d = NextTurnStreamFrame(First(msg, n), 1500);
    EXPECT_EQ(d.kind, FrameDecision::kNeedMore) << n;
    EXPECT_EQ(d.size, n >= 4 ? 12u : 0u) << n;
  }
  const FrameDecision d = NextTurnStreamFrame(msg, 1500);
  EXPECT_EQ(d.kind, FrameDecision::kFrame);
  EXPECT_EQ(d.size, 12u);  // padding included
  auto v = ChannelDataView::Parse(First(msg, d.size));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->payload.size(), 5u);
}

TEST(TurnStreamFramingTest, EmptyChannelDataIsAFrame) {
  const std::vector<uint8_t> msg = {0x40, 0x00, 0x00, 0x00, 0x01};
  const FrameDecision d = NextTurnStreamFrame(msg, 1500);
  EXPECT_EQ(d.kind, FrameDecision::kFrame);
  EXPECT_EQ(d.size, 4u);
}

TEST(TurnStreamFramingTest, BackToBackMessages) {
  std::vector<uint8_t> stream = StunBinding(0);
  const uint8_t payload[] = {9, 9, 9};
  std::vector<uint8_t> cd(8);
  ASSERT_EQ(WriteChannelData(cd, 0x4FFF, payload, true), 8u);
  stream.insert(stream.end(), cd.begin(), cd.end());
  stream.push_back(0x00);  // start of a third message
  std::span<const uint8_t> rest(stream);
  FrameDecision d = NextTurnStreamFrame(rest, 1500);
  ASSERT_EQ(d.kind, FrameDecision::kFrame);
  EXPECT_EQ(d.size, 28u);
  rest = rest.subspan(d.size);
  d = NextTurnStreamFrame(rest, 1500);
  ASSERT_EQ(d.kind, FrameDecision::kFrame);
  EXPECT_EQ(d.size, 8u);
  rest = rest.subspan(d.size);
  EXPECT_EQ(NextTurnStreamFrame(rest, 1500).kind, FrameDecision::kNeedMore);
}

TEST(TurnStreamFramingTest, GarbageFirstByteIsInvalidAtOnce) {
  for (int b = 0x50; b <= 0xFF; ++b) {
    const std::vector<uint8_t> one = {static_cast<uint8_t>(b)};
    ASSERT_EQ(NextTurnStreamFrame(one, 1500).kind, FrameDecision::kInvalid) << b;
  }
  // 0x40-0x4F is ChannelData, 0x00-0x3F STUN: those need more bytes.
  for (int b = 0x00; b <= 0x4F; ++b) {
    const std::vector<uint8_t> one = {static_cast<uint8_t>(b)};
    ASSERT_EQ(NextTurnStreamFrame(one, 1500).kind, FrameDecision::kNeedMore) << b;
  }
  EXPECT_EQ(NextTurnStreamFrame({}, 1500).kind, FrameDecision::kNeedMore);
}

TEST(TurnStreamFramingTest, StunLengthNotMultipleOf4IsInvalid) {
  std::vector<uint8_t> msg = StunBinding(0);
  msg[3] = 6;
  EXPECT_EQ(NextTurnStreamFrame(First(msg, 4), 1500).kind, FrameDecision::kInvalid);
}

TEST(TurnStreamFramingTest, StunWithoutCookieIsInvalidOnce8BytesAreIn) {
  std::vector<uint8_t> msg = StunBinding(0);
  msg[5] ^= 0xFF;
  for (size_t n = 1; n < 8; ++n)
    EXPECT_EQ(NextTurnStreamFrame(First(msg, n), 1500).kind, FrameDecision::kNeedMore) << n;
  for (size_t n = 8; n <= msg.size(); ++n)
    EXPECT_EQ(NextTurnStreamFrame(First(msg, n), 1500).kind, FrameDecision::kInvalid) << n;
}

TEST(TurnStreamFramingTest, SizeAboveMaxIsInvalid) {
  const std::vector<uint8_t> msg = StunBinding(5);  // 40 bytes
  EXPECT_EQ(NextTurnStreamFrame(msg, 40).kind, FrameDecision::kFrame);
  EXPECT_EQ(NextTurnStreamFrame(First(msg, 4), 39).kind, FrameDecision::kInvalid);
  // ChannelData: the padded size counts. Length 5 is 12 bytes on the stream.
  const std::vector<uint8_t> cd = {0x40, 0x00, 0x00, 0x05};
  EXPECT_EQ(NextTurnStreamFrame(cd, 12).kind, FrameDecision::kNeedMore);
  EXPECT_EQ(NextTurnStreamFrame(cd, 11).kind, FrameDecision::kInvalid);
  const std::vector<uint8_t> cd_max = {0x4F, 0xFF, 0xFF, 0xFF};
  const FrameDecision d = NextTurnStreamFrame(cd_max, 1 << 20);
  EXPECT_EQ(d.kind, FrameDecision::kNeedMore);
  EXPECT_EQ(d.size, 4u + 65536u);
  const std::vector<uint8_t> stun_max = {0x00, 0x01, 0xFF, 0xFC};
  EXPECT_EQ(NextTurnStreamFrame(stun_max, 1 << 20).size, 20u + 65532u);
}

}  // namespace
}  // namespace sfu::wire

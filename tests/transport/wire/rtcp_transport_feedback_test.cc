// Transport-wide CC feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): chunk
// encoding tables (including the draft's own chunk examples), parsing hand-laid packets,
// building from lists and from arrival times, and malformed input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <vector>

#include "tests/transport/wire/rtcp_test_util.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/transport_feedback.h"

namespace sfu::wire::rtcp {
namespace {

using Packet = TransportFeedback::PacketResult;

// Five packets in one 2-bit status vector: small, lost, large negative, small (max), small (0).
const Bytes kTwcc = {
    0x8F, 0xCD, 0x00, 0x06,  // FMT=15 | RTPFB | length 6
    0x12, 0x34, 0x56, 0x78,  // sender SSRC
    0x23, 0x45, 0x67, 0x89,  // media SSRC
    0x01, 0x00, 0x00, 0x05,  // base seq 256 | status count 5
    0x00, 0x00, 0x10, 0x07,  // reference time 16 (1.024 s) | fb pkt count 7
    0xD2, 0x50, 0x04, 0xFF,  // chunk |1|1|01 00 10 01 01 00 00| | delta 4 | delta 0xFFF8..
    0xF8, 0xFF, 0x00, 0x00,  // ..(-8) | delta 255 | delta 0 | zero padding
};
const std::vector<Packet> kTwccPackets = {
    {256, true, 1000}, {257, false, 0}, {258, true, -2000}, {259, true, 63750}, {260, true, 0}};

// Twenty packets from seq 0xFFFE (wrapping): a run-length chunk of 6 "small" and a 1-bit
// vector; negative reference time.
const Bytes kTwccWrap = {
    0x8F, 0xCD, 0x00, 0x07,  // length 7
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0x00, 0x00, 0x00, 0x02,  // media SSRC
    0xFF, 0xFE, 0x00, 0x14,  // base seq 65534 | status count 20
    0xFF, 0xFF, 0xFF, 0xFF,  // reference time -1 | fb pkt count 255
    0x20, 0x06, 0xA0, 0x01,  // run |0|01| 6 | vector |1|0|1 0000000000 001|
    0x01, 0x02, 0x03, 0x04,  // deltas (8 received)
    0x05, 0x06, 0x07, 0x08,
};

TEST(RtcpTwccTest, ChunkEncodingTable) {
  struct Case {
    const char* name;
    std::vector<uint8_t> symbols;
    std::vector<uint16_t> chunks;
  };
  auto repeat = [](size_t n, uint8_t s) { return std::vector<uint8_t>(n, s); };
  auto cat = [](std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  std::vector<uint8_t> alternating;
  for (int i = 0; i < 20; ++i) alternating.push_back(i % 2 == 0 ? 1 : 0);
  const Case cases[] = {
      // draft §3.1.3 example: a run of 221 "received, small delta".
      {"draft run length", repeat(221, 1), {0x20DD}},
      // draft §3.1.4 example 1: 1 lost, 5 received, 3 lost, 3 received, 2 lost.
      {"draft 1-bit vector", {0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0}, {0x9F1C}},
      {"2-bit vector", {0, 2, 1, 1, 0, 0, 2}, {0xC942}},
      {"short mixed tail", {1, 2}, {0xD800}},
      {"run longer than 13 bits", repeat(8196, 1), {0x3FFF, 0x2005}},
      {"lost run then one", cat(repeat(20, 0), {1}), {0x0014, 0x2001}},
      {"large-delta run of 7", cat(repeat(7, 2), {1}), {0x4007, 0x2001}},
      {"alternating", alternating, {0xAAAA, 0xAA00}},
      {"single lost", {0}, {0x0001}},
      {"empty", {}, {}},
  };
  for (const Case& c : cases) {
    std::vector<uint16_t> out(c.symbols.size() + 1);
    const size_t n = EncodeTwccChunks(c.symbols, out.data());
    out.resize(n);
    EXPECT_EQ(out, c.chunks) << c.name;
    EXPECT_EQ(EncodeTwccChunks(c.symbols, nullptr), n) << c.name;
  }
}

TEST(RtcpTwccTest, ParsesTwoBitVectorPacket) {
  auto fb = ParseAs<TransportFeedback>(kTwcc);
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->sender_ssrc(), 0x12345678u);
  EXPECT_EQ(fb->media_ssrc(), 0x23456789u);
  EXPECT_EQ(fb->base_sequence(), 256);
  EXPECT_EQ(fb->packet_status_count(), 5);
  EXPECT_EQ(fb->reference_time(), 16);
  EXPECT_EQ(fb->reference_time_us(), 1'024'000);
  EXPECT_EQ(fb->feedback_packet_count(), 7);
  EXPECT_EQ(fb->GetPackets(), kTwccPackets);
  size_t n = 0;
  auto it = fb->packets();
  while (auto p = it.Next()) EXPECT_EQ(*p, kTwccPackets[n++]);
  EXPECT_EQ(n, 5u);
}

TEST(RtcpTwccTest, ParsesRunLengthAndOneBitVectorAcrossWrap) {
  auto fb = ParseAs<TransportFeedback>(kTwccWrap);
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->reference_time(), -1);
  EXPECT_EQ(fb->reference_time_us(), -64'000);
  EXPECT_EQ(fb->feedback_packet_count(), 255);
  const std::vector<Packet> packets = fb->GetPackets();
  ASSERT_EQ(packets.size(), 20u);
  EXPECT_EQ(packets[0].sequence_number, 65534);
  EXPECT_EQ(packets[2].sequence_number, 0);
  EXPECT_EQ(packets[19].sequence_number, 17);
  int64_t next_delta = 1;
  for (size_t i = 0; i < packets.size(); ++i) {
    const bool received = i <= 6 || i == 19;
    EXPECT_EQ(packets[i].received, received) << i;
    EXPECT_EQ(packets[i].delta_us, received ? 250 * next_delta : 0) << i;
    if (received) ++next_delta;
  }
}

TEST(RtcpTwccTest, CreateFromParsedIsByteExact) {
  for (const Bytes* b : {&kTwcc, &kTwccWrap}) {
    auto fb = ParseAs<TransportFeedback>(*b);
    ASSERT_TRUE(fb);
    EXPECT_EQ(Build(*fb), *b);
  }
}

TEST(RtcpTwccTest, BuildFromListIsByteExact) {
  TransportFeedback fb;
  fb.SetSenderSsrc(0x12345678);
  fb.SetMediaSsrc(0x23456789);
  ASSERT_TRUE(fb.Build(256, 16, 7, kTwccPackets));
  EXPECT_EQ(Build(fb), kTwcc);
  EXPECT_EQ(fb.GetPackets(), kTwccPackets);
}

TEST(RtcpTwccTest, BuildFromParsedListRoundTrips) {
  auto wrap = ParseAs<TransportFeedback>(kTwccWrap);
  ASSERT_TRUE(wrap);
  TransportFeedback rebuilt;
  ASSERT_TRUE(rebuilt.Build(wrap->base_sequence(), wrap->reference_time(),
                            wrap->feedback_packet_count(), wrap->GetPackets()));
  const Bytes again_bytes = Build(rebuilt);
  auto again = ParseAs<TransportFeedback>(again_bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->GetPackets(), wrap->GetPackets());
  EXPECT_EQ(again->reference_time(), -1);
}

TEST(RtcpTwccTest, BuildRejectsBadLists) {
  TransportFeedback fb;
  EXPECT_FALSE(fb.Build(0, 0, 0, {}));
  const std::vector<Packet> gap = {{0, true, 0}, {2, true, 0}};
  EXPECT_FALSE(fb.Build(0, 0, 0, gap));
  const std::vector<Packet> wrong_base = {{5, true, 0}};
  EXPECT_FALSE(fb.Build(4, 0, 0, wrong_base));
  const std::vector<Packet> too_late = {{0, true, 32768 * 250}};
  EXPECT_FALSE(fb.Build(0, 0, 0, too_late));
  const std::vector<Packet> too_early = {{0, true, -32769 * 250}};
  EXPECT_FALSE(fb.Build(0, 0, 0, too_early));
  const std::vector<Packet> edges = {
      {0, true, 32767 * 250}, {1, true, -32768 * 250}, {2, false, 99}};
  ASSERT_TRUE(fb.Build(0, 0, 0, edges));
  const Bytes again_bytes = Build(fb);
  auto again = ParseAs<TransportFeedback>(again_bytes);
  ASSERT_TRUE(again);
  const std::vector<Packet> expected = {
      {0, true, 32767 * 250}, {1, true, -32768 * 250}, {2, false, 0}};
  EXPECT_EQ(again->GetPackets(), expected);
}

TEST(RtcpTwccTest, MaximumStatusCount) {
  std::vector<Packet> packets(TransportFeedback::kMaxStatusCount);
  for (size_t i = 0; i < packets.size(); ++i) {
    packets[i] = {static_cast<uint16_t>(10 + i), i % 3 != 0, i % 3 != 0 ? 250 : 0};
  }
  TransportFeedback fb;
  ASSERT_TRUE(fb.Build(10, 0, 0, packets));
  const Bytes again_bytes = Build(fb);
  auto again = ParseAs<TransportFeedback>(again_bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->packet_status_count(), 65535);
  EXPECT_EQ(again->GetPackets(), packets);
  packets.push_back({static_cast<uint16_t>(10 + packets.size()), true, 0});
  EXPECT_FALSE(fb.Build(10, 0, 0, packets));
}

TEST(RtcpTwccTest, IncrementalBuildFromArrivalTimes) {
  TransportFeedback fb;
  fb.SetSenderSsrc(1);
  fb.SetMediaSsrc(2);
  fb.SetFeedbackPacketCount(3);
  fb.SetBase(100, 1'000'000);  // floors to 15 * 64 ms = 960 ms
  EXPECT_EQ(fb.reference_time(), 15);
  ASSERT_TRUE(fb.AddReceivedPacket(100, 961'000));     // +1 ms: small
  ASSERT_TRUE(fb.AddReceivedPacket(103, 1'061'000));   // 101, 102 lost; +100 ms: large
  ASSERT_TRUE(fb.AddReceivedPacket(104, 1'060'000));   // -1 ms: large (negative)
  EXPECT_FALSE(fb.AddReceivedPacket(104, 1'070'000));  // not after the previous one
  EXPECT_FALSE(fb.AddReceivedPacket(90, 1'070'000));
  EXPECT_FALSE(fb.AddReceivedPacket(105, 1'060'000 + 8'192'000));  // delta beyond 16 bits
  ASSERT_TRUE(fb.AddReceivedPacket(105, 1'060'000 + 8'191'750));   // the largest delta
  const Bytes again_bytes = Build(fb);
  auto again = ParseAs<TransportFeedback>(again_bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->feedback_packet_count(), 3);
  const std::vector<Packet> expected = {{100, true, 1000},  {101, false, 0},
                                        {102, false, 0},    {103, true, 100'000},
                                        {104, true, -1000}, {105, true, 8'191'750}};
  EXPECT_EQ(again->GetPackets(), expected);
}

TEST(RtcpTwccTest, IncrementalRoundingDoesNotAccumulate) {
  TransportFeedback fb;
  fb.SetBase(0, 0);
  std::vector<int64_t> arrivals;
  for (int i = 0; i < 1000; ++i) {
    arrivals.push_back(333 * (i + 1));  // not a multiple of the 250 µs tick
    ASSERT_TRUE(fb.AddReceivedPacket(static_cast<uint16_t>(i), arrivals.back()));
  }
  const Bytes again_bytes = Build(fb);
  auto again = ParseAs<TransportFeedback>(again_bytes);
  ASSERT_TRUE(again);
  int64_t t = again->reference_time_us();
  size_t i = 0;
  again->ForEachPacket([&](const Packet& p) {
    t += p.delta_us;
    EXPECT_LE(std::abs(t - arrivals[i]), 125) << i;
    ++i;
  });
  EXPECT_EQ(i, 1000u);
}

TEST(RtcpTwccTest, ReferenceTimeWrapsTo24BitsSigned) {
  struct Case {
    int64_t time_us;
    int32_t wire;
  };
  const Case cases[] = {
      {0, 0},
      {63'999, 0},
      {64'000, 1},
      {-1, -1},  // floors, not truncates
      {64'000ll * ((1 << 23) - 1), (1 << 23) - 1},
      {64'000ll * (1 << 23), -(1 << 23)},  // wraps
      {64'000ll * (1 << 24), 0},
  };
  for (const Case& c : cases) {
    TransportFeedback fb;
    fb.SetBase(0, c.time_us);
    EXPECT_EQ(fb.reference_time(), c.wire) << c.time_us;
    ASSERT_TRUE(fb.AddReceivedPacket(0, c.time_us));
    const Bytes again_bytes = Build(fb);
    auto again = ParseAs<TransportFeedback>(again_bytes);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->reference_time(), c.wire) << c.time_us;
  }
}

TEST(RtcpTwccTest, EmptyFeedbackIsNotCreated) {
  TransportFeedback fb;
  Bytes out(64);
  EXPECT_EQ(fb.Create(out), 0u);
  fb.SetBase(1, 0);
  EXPECT_EQ(fb.Create(out), 0u);
  EXPECT_FALSE(fb.AddReceivedPacket(0, 0));  // before the base
}

TEST(RtcpTwccTest, RejectsMalformed) {
  struct Case {
    const char* name;
    Bytes bytes;
  };
  auto patch = [](Bytes b, size_t at, std::vector<uint8_t> v) {
    for (size_t i = 0; i < v.size(); ++i) b[at + i] = v[i];
    return b;
  };
  Bytes truncated_deltas(kTwcc.begin(), kTwcc.end() - 4);
  truncated_deltas[3] = 0x05;
  Bytes no_chunks(kTwcc.begin(), kTwcc.begin() + 20);
  no_chunks[3] = 0x04;
  Bytes short_fixed(kTwcc.begin(), kTwcc.begin() + 16);
  short_fixed[3] = 0x03;
  const Case cases[] = {
      {"status count 0", patch(kTwcc, 14, {0x00, 0x00})},
      {"count needs more chunks and deltas than present", patch(kTwcc, 14, {0x00, 0x08})},
      {"deltas truncated", truncated_deltas},
      {"no chunks", no_chunks},
      {"fixed fields cut", short_fixed},
      {"reserved symbol in 2-bit vector", patch(kTwcc, 20, {0xDE, 0x50})},
      {"reserved symbol in run", patch(kTwcc, 20, {0x60, 0x05})},
      {"wrong FMT", patch(kTwcc, 0, {0x81})},
      {"wrong type", patch(kTwcc, 1, {0xCE})},
  };
  for (const Case& c : cases) EXPECT_FALSE(Parses<TransportFeedback>(c.bytes)) << c.name;
  // A count the present chunk still covers (symbols 6 and 7 of the vector are "lost") is fine.
  const Bytes six_bytes = patch(kTwcc, 14, {0x00, 0x07});
  auto six = ParseAs<TransportFeedback>(six_bytes);
  ASSERT_TRUE(six);
  EXPECT_EQ(six->GetPackets().size(), 7u);
}

}  // namespace
}  // namespace sfu::wire::rtcp

// SR, RR (with report blocks), SDES and BYE (RFC 3550 §6.4-6.6): hand-laid packets, Create
// round trips, malformed input.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/transport/wire/rtcp_test_util.h"
#include "transport/wire/rtcp/bye.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/sdes.h"
#include "transport/wire/rtcp/sender_report.h"

namespace sfu::wire::rtcp {
namespace {

const Bytes kSrWithBlock = {
    0x81, 0xC8, 0x00, 0x0C,  // RC=1 | SR | length 12
    0x1A, 0x2B, 0x3C, 0x4D,  // SSRC of sender
    0xE5, 0x4C, 0x3B, 0x9D,  // NTP seconds
    0x7A, 0xE1, 0x47, 0xAE,  // NTP fraction
    0x00, 0x01, 0x5F, 0x90,  // RTP timestamp 90000
    0x00, 0x00, 0x00, 0x64,  // packet count 100
    0x00, 0x00, 0x3E, 0x80,  // octet count 16000
    0x55, 0x66, 0x77, 0x88,  // block: source
    0x19, 0xFF, 0xFF, 0xFE,  //   fraction 25 | cumulative -2 (duplicates exceed losses)
    0x00, 0x02, 0xFF, 0xFF,  //   extended highest seq: cycles 2, seq 65535
    0x00, 0x00, 0x01, 0x00,  //   jitter 256
    0x4C, 0x3B, 0x9D, 0x7A,  //   LSR
    0x00, 0x00, 0x40, 0x00,  //   DLSR 0.25 s
};

const Bytes kRrTwoBlocks = {
    0x82, 0xC9, 0x00, 0x0D,  // RC=2 | RR | length 13
    0x11, 0x22, 0x33, 0x44,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,  // block 1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0xFF, 0x7F, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x20,  // block 2
    0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x50,
};

TEST(RtcpSenderReportTest, Parses) {
  auto sr = ParseAs<SenderReport>(kSrWithBlock);
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->sender_ssrc(), 0x1A2B3C4Du);
  EXPECT_EQ(sr->ntp(), 0xE54C3B9D7AE147AEull);
  EXPECT_EQ(CompactNtp(sr->ntp()), 0x3B9D7AE1u);
  EXPECT_EQ(sr->rtp_timestamp(), 90000u);
  EXPECT_EQ(sr->packet_count(), 100u);
  EXPECT_EQ(sr->octet_count(), 16000u);
  ASSERT_EQ(sr->report_blocks().size(), 1u);
  const ReportBlock& b = sr->report_blocks()[0];
  EXPECT_EQ(b.source_ssrc, 0x55667788u);
  EXPECT_EQ(b.fraction_lost, 25);
  EXPECT_EQ(b.cumulative_lost, -2);
  EXPECT_EQ(b.extended_highest_sequence, 0x0002FFFFu);
  EXPECT_EQ(b.jitter, 256u);
  EXPECT_EQ(b.last_sr, 0x4C3B9D7Au);
  EXPECT_EQ(b.delay_since_last_sr, 0x4000u);
}

TEST(RtcpSenderReportTest, CreateRoundTripIsByteExact) {
  auto sr = ParseAs<SenderReport>(kSrWithBlock);
  ASSERT_TRUE(sr);
  EXPECT_EQ(Build(*sr), kSrWithBlock);

  SenderReport built;
  built.SetSenderSsrc(7);
  built.SetNtp(0x0102030405060708ull);
  built.SetRtpTimestamp(3);
  built.SetPacketCount(4);
  built.SetOctetCount(5);
  for (size_t i = 0; i < SenderReport::kMaxReportBlocks; ++i) {
    ASSERT_TRUE(built.AddReportBlock(ReportBlock{.source_ssrc = static_cast<uint32_t>(i)}));
  }
  EXPECT_FALSE(built.AddReportBlock(ReportBlock{}));
  const Bytes bytes = Build(built);
  EXPECT_EQ(bytes.size(), 28u + 31 * 24);
  auto again = ParseAs<SenderReport>(bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ntp(), built.ntp());
  ASSERT_EQ(again->report_blocks().size(), 31u);
  EXPECT_EQ(again->report_blocks()[30].source_ssrc, 30u);
}

TEST(RtcpSenderReportTest, RejectsMalformed) {
  Bytes short_info(kSrWithBlock.begin(), kSrWithBlock.begin() + 24);
  short_info[0] = 0x80;
  short_info[3] = 0x05;  // 20 bytes of payload: sender info incomplete
  EXPECT_FALSE(Parses<SenderReport>(short_info));
  Bytes lying_rc = kSrWithBlock;
  lying_rc[0] = 0x82;  // RC=2, only one block present
  EXPECT_FALSE(Parses<SenderReport>(lying_rc));
  EXPECT_FALSE(Parses<SenderReport>(kRrTwoBlocks));  // wrong type
  Bytes truncated(kSrWithBlock.begin(), kSrWithBlock.end() - 1);
  EXPECT_FALSE(Parses<SenderReport>(truncated));
}

TEST(RtcpReceiverReportTest, ParsesTwoBlocks) {
  auto rr = ParseAs<ReceiverReport>(kRrTwoBlocks);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc(), 0x11223344u);
  ASSERT_EQ(rr->report_blocks().size(), 2u);
  EXPECT_EQ(rr->report_blocks()[0].source_ssrc, 1u);
  EXPECT_EQ(rr->report_blocks()[0].extended_highest_sequence, 16u);
  const ReportBlock& b = rr->report_blocks()[1];
  EXPECT_EQ(b.fraction_lost, 0xFF);
  EXPECT_EQ(b.cumulative_lost, 0x7FFFFF);
  EXPECT_EQ(b.extended_highest_sequence, 0x20u);
  EXPECT_EQ(b.jitter, 0x30u);
  EXPECT_EQ(b.last_sr, 0x40u);
  EXPECT_EQ(b.delay_since_last_sr, 0x50u);
}

TEST(RtcpReceiverReportTest, CreateRoundTrip) {
  auto rr = ParseAs<ReceiverReport>(kRrTwoBlocks);
  ASSERT_TRUE(rr);
  EXPECT_EQ(Build(*rr), kRrTwoBlocks);

  ReceiverReport empty;
  empty.SetSenderSsrc(0xABCDEF01);
  const Bytes bytes = Build(empty);
  EXPECT_EQ(bytes, (Bytes{0x80, 0xC9, 0x00, 0x01, 0xAB, 0xCD, 0xEF, 0x01}));
  auto again = ParseAs<ReceiverReport>(bytes);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->report_blocks().empty());
}

TEST(RtcpReceiverReportTest, CumulativeLostIsClampedTo24Bits) {
  ReceiverReport rr;
  const ReportBlock blocks[] = {{.cumulative_lost = 10'000'000}, {.cumulative_lost = -10'000'000}};
  ASSERT_TRUE(rr.SetReportBlocks(blocks));
  const Bytes again_bytes = Build(rr);
  auto again = ParseAs<ReceiverReport>(again_bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->report_blocks()[0].cumulative_lost, 0x7FFFFF);
  EXPECT_EQ(again->report_blocks()[1].cumulative_lost, -0x800000);
  const std::vector<ReportBlock> too_many(32);
  EXPECT_FALSE(rr.SetReportBlocks(too_many));
  EXPECT_EQ(rr.report_blocks().size(), 2u);
}

TEST(RtcpReceiverReportTest, IgnoresProfileExtensionButRejectsShortBlocks) {
  Bytes with_ext = kRrTwoBlocks;
  with_ext[3] = 0x0E;
  with_ext.insert(with_ext.end(), {0xDE, 0xAD, 0xBE, 0xEF});
  auto rr = ParseAs<ReceiverReport>(with_ext);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->report_blocks().size(), 2u);

  Bytes lying_rc = kRrTwoBlocks;
  lying_rc[0] = 0x83;
  EXPECT_FALSE(Parses<ReceiverReport>(lying_rc));
  Bytes no_ssrc = {0x80, 0xC9, 0x00, 0x00};
  EXPECT_FALSE(Parses<ReceiverReport>(no_ssrc));
}

TEST(RtcpSdesTest, ParsesChunksAndSkipsOtherItems) {
  const Bytes sdes = {
      0x82, 0xCA, 0x00, 0x08,  // SC=2 | SDES | length 8
      0x00, 0x00, 0x00, 0x01,  // chunk 1: SSRC 1
      0x06, 0x02, 'x',  'y',   //   TOOL "xy" (skipped)
      0x01, 0x03, 'a',  'b',   //   CNAME "abc"
      'c',  0x00, 0x00, 0x00,  //   end + padding
      0x00, 0x00, 0x00, 0x02,  // chunk 2: SSRC 2
      0x01, 0x04, 'w',  'x',   //   CNAME "wxyz"
      'y',  'z',  0x00, 0x00,  //   end + padding
      0x00, 0x00, 0x00, 0x00,  //   (extra padding word after the last chunk is ignored)
  };
  auto s = ParseAs<Sdes>(sdes);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->chunks().size(), 2u);
  EXPECT_EQ(s->chunks()[0].ssrc, 1u);
  EXPECT_EQ(s->chunks()[0].cname, "abc");
  EXPECT_EQ(s->chunks()[1].ssrc, 2u);
  EXPECT_EQ(s->chunks()[1].cname, "wxyz");
}

TEST(RtcpSdesTest, CreateRoundTrip) {
  Sdes s;
  ASSERT_TRUE(s.AddCName(0x1A2B3C4D, "abcdefghijklmnop"));  // 16 bytes: two nulls of padding
  ASSERT_TRUE(s.AddCName(2, "a"));                          // 1 byte: item and null fill one word
  ASSERT_TRUE(s.AddCName(3, ""));                           // no items: a word of nulls
  const Bytes bytes = Build(s);
  EXPECT_EQ(bytes.size(), 4u + 24 + 8 + 8);
  EXPECT_EQ(bytes[0], 0x83);
  EXPECT_EQ(bytes[1], 0xCA);
  auto again = ParseAs<Sdes>(bytes);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->chunks().size(), 3u);
  EXPECT_EQ(again->chunks()[0].cname, "abcdefghijklmnop");
  EXPECT_EQ(again->chunks()[1].cname, "a");
  EXPECT_EQ(again->chunks()[2].ssrc, 3u);
  EXPECT_TRUE(again->chunks()[2].cname.empty());

  EXPECT_FALSE(s.AddCName(4, std::string(256, 'x')));
  Sdes full;
  for (uint32_t i = 0; i < Sdes::kMaxChunks; ++i) ASSERT_TRUE(full.AddCName(i, "c"));
  EXPECT_FALSE(full.AddCName(99, "c"));
}

TEST(RtcpSdesTest, RejectsMalformed) {
  struct Case {
    const char* name;
    Bytes bytes;
  };
  const Case cases[] = {
      {"no terminator", {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b'}},
      {"item past end", {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 'a', 'b'}},
      {"item header cut", {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x06, 0x01, 'x', 0x07}},
      {"SC larger than chunks", {0x82, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0}},
      {"chunk without items", {0x81, 0xCA, 0x00, 0x01, 0, 0, 0, 1}},
  };
  for (const Case& c : cases) EXPECT_FALSE(Parses<Sdes>(c.bytes)) << c.name;
}

TEST(RtcpByeTest, ParsesWithReason) {
  const Bytes bye = {0x82, 0xCB, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0x03, 'b', 'y', 'e'};
  auto b = ParseAs<Bye>(bye);
  ASSERT_TRUE(b);
  ASSERT_EQ(b->ssrcs().size(), 2u);
  EXPECT_EQ(b->ssrcs()[1], 2u);
  EXPECT_EQ(b->reason(), "bye");
  EXPECT_EQ(Build(*b), bye);
}

TEST(RtcpByeTest, CreateRoundTrip) {
  Bye b;
  ASSERT_TRUE(b.AddSsrc(0xDEADBEEF));
  ASSERT_TRUE(b.SetReason("left meeting"));
  const Bytes bytes = Build(b);
  EXPECT_EQ(bytes.size(), 4u + 4 + 16);  // 1 + 12 bytes of reason, padded to 16
  auto again = ParseAs<Bye>(bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ssrcs()[0], 0xDEADBEEFu);
  EXPECT_EQ(again->reason(), "left meeting");
  Bye no_reason;
  ASSERT_TRUE(no_reason.AddSsrc(5));
  EXPECT_EQ(Build(no_reason), (Bytes{0x81, 0xCB, 0x00, 0x01, 0, 0, 0, 5}));
  EXPECT_FALSE(b.SetReason(std::string(256, 'r')));
}

TEST(RtcpByeTest, RejectsMalformed) {
  const Bytes reason_past_end = {0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0x09, 'b', 'y', 'e'};
  EXPECT_FALSE(Parses<Bye>(reason_past_end));
  const Bytes sc_past_end = {0x83, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_FALSE(Parses<Bye>(sc_past_end));
}

}  // namespace
}  // namespace sfu::wire::rtcp

// RTCP common header (RFC 3550 §6.4.1) and compound walking (§6.1): a Chrome-like SR + SDES +
// RR compound, padding, and the ways a compound can lie about its lengths.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "tests/transport/wire/rtcp_test_util.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/sdes.h"
#include "transport/wire/rtcp/sender_report.h"

namespace sfu::wire::rtcp {
namespace {

const Bytes kSr = {
    0x80, 0xC8, 0x00, 0x06,  // V=2 RC=0 | SR | length 6
    0x1A, 0x2B, 0x3C, 0x4D,  // SSRC of sender
    0xE5, 0x4C, 0x3B, 0x9D,  // NTP seconds
    0x7A, 0xE1, 0x47, 0xAE,  // NTP fraction
    0x00, 0x01, 0x5F, 0x90,  // RTP timestamp 90000
    0x00, 0x00, 0x00, 0x64,  // packet count 100
    0x00, 0x00, 0x3E, 0x80,  // octet count 16000
};
const Bytes kSdes = {
    0x81, 0xCA, 0x00, 0x06,  // SC=1 | SDES | length 6
    0x1A, 0x2B, 0x3C, 0x4D,  // SSRC
    0x01, 0x10, 'a',  'b',   // CNAME, 16 bytes
    'c',  'd',  'e',  'f',  'g', 'h', 'i',  'j',
    'k',  'l',  'm',  'n',  'o', 'p', 0x00, 0x00,  // end of items + padding
};
const Bytes kRr = {
    0x81, 0xC9, 0x00, 0x07,  // RC=1 | RR | length 7
    0x11, 0x22, 0x33, 0x44,  // SSRC of packet sender
    0x55, 0x66, 0x77, 0x88,  // source
    0x40, 0x00, 0x01, 0x2C,  // fraction 64/256 | cumulative 300
    0x00, 0x01, 0x12, 0x34,  // extended highest seq
    0x00, 0x00, 0x00, 0x20,  // jitter
    0x3B, 0x9D, 0x7A, 0xE1,  // LSR
    0x00, 0x01, 0x80, 0x00,  // DLSR 1.5 s
};

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(RtcpCommonHeaderTest, ParsesHeaderFields) {
  CommonHeader h;
  ASSERT_TRUE(h.Parse(kRr));
  EXPECT_EQ(h.type(), kPacketTypeRr);
  EXPECT_EQ(h.count(), 1);
  EXPECT_EQ(h.payload_size(), 28u);
  EXPECT_EQ(h.block_size(), 32u);
  EXPECT_EQ(h.padding_size(), 0u);
  EXPECT_EQ(h.block().data(), kRr.data());
}

TEST(RtcpCommonHeaderTest, ParsesPadding) {
  const Bytes padded = {0xA0, 0xC9, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x04};
  CommonHeader h;
  ASSERT_TRUE(h.Parse(padded));
  EXPECT_EQ(h.payload_size(), 4u);
  EXPECT_EQ(h.padding_size(), 4u);
  EXPECT_EQ(h.block_size(), 12u);
  auto rr = ParseAs<ReceiverReport>(padded);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc(), 0x11223344u);
}

TEST(RtcpCommonHeaderTest, RejectsMalformed) {
  struct Case {
    const char* name;
    Bytes bytes;
  };
  const Case cases[] = {
      {"empty", {}},
      {"3 bytes", {0x80, 0xC9, 0x00}},
      {"version 1", {0x40, 0xC9, 0x00, 0x00}},
      {"version 3", {0xC0, 0xC9, 0x00, 0x00}},
      {"length past end", {0x80, 0xC9, 0x00, 0x02, 0, 0, 0, 0}},
      {"padding count zero", {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 0}},
      {"padding larger than payload", {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 5}},
      {"padding bit on a header-only block", {0xA0, 0xC9, 0x00, 0x00}},
  };
  for (const Case& c : cases) {
    CommonHeader h;
    EXPECT_FALSE(h.Parse(c.bytes)) << c.name;
  }
}

TEST(RtcpCompoundTest, WalksSrSdesRr) {
  const Bytes compound = Concat({kSr, kSdes, kRr});
  CompoundIterator it(compound);
  std::vector<uint8_t> types;
  while (auto block = it.Next()) {
    types.push_back(block->type());
    if (block->type() == kPacketTypeSr) {
      SenderReport sr;
      EXPECT_TRUE(sr.Parse(*block));
    }
  }
  EXPECT_FALSE(it.error());
  EXPECT_TRUE(it.done());
  EXPECT_EQ(types, (std::vector<uint8_t>{kPacketTypeSr, kPacketTypeSdes, kPacketTypeRr}));
}

TEST(RtcpCompoundTest, EmptyCompoundHasNoBlocksAndNoError) {
  CompoundIterator it({});
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.error());
}

TEST(RtcpCompoundTest, StopsCleanlyOnMalformedBlocks) {
  struct Case {
    const char* name;
    Bytes bytes;
    size_t good_blocks;
  };
  Bytes lying_rr = kRr;
  lying_rr[3] = 0x40;  // claims 65 words
  Bytes bad_version = kRr;
  bad_version[0] = 0x41;
  const Case cases[] = {
      {"overlong length after SR", Concat({kSr, lying_rr}), 1},
      {"overlong length first", Concat({lying_rr, kSr}), 0},
      {"trailing 2 bytes", Concat({kSr, Bytes{0x80, 0xC9}}), 1},
      {"truncated last block", Concat({kSr, Bytes(kRr.begin(), kRr.end() - 4)}), 1},
      {"bad version in the middle", Concat({kSr, bad_version, kSdes}), 1},
      {"all-zero tail", Concat({kSr, Bytes(8, 0)}), 1},
  };
  for (const Case& c : cases) {
    CompoundIterator it(c.bytes);
    size_t n = 0;
    while (it.Next()) ++n;
    EXPECT_EQ(n, c.good_blocks) << c.name;
    EXPECT_TRUE(it.error()) << c.name;
    EXPECT_TRUE(it.done()) << c.name;
    EXPECT_FALSE(it.Next()) << c.name;  // stays stopped
  }
}

TEST(RtcpCompoundTest, ZeroLengthBlockIsFramedButNoTypeAcceptsIt) {
  // length 0 = a header-only block: valid framing (the walk continues), but every report and
  // feedback type needs at least an SSRC, so their Parse fails.
  const Bytes zero_rr = {0x80, 0xC9, 0x00, 0x00};
  const Bytes zero_sr = {0x80, 0xC8, 0x00, 0x00};
  const Bytes compound = Concat({zero_rr, zero_sr, kRr});
  CompoundIterator it(compound);
  auto b1 = it.Next();
  auto b2 = it.Next();
  auto b3 = it.Next();
  ASSERT_TRUE(b1 && b2 && b3);
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.error());
  EXPECT_EQ(b1->payload_size(), 0u);
  ReceiverReport rr;
  SenderReport sr;
  EXPECT_FALSE(rr.Parse(*b1));
  EXPECT_FALSE(sr.Parse(*b2));
  EXPECT_TRUE(rr.Parse(*b3));
}

TEST(RtcpCompoundTest, BuildsCompoundFromCreates) {
  SenderReport sr;
  sr.SetSenderSsrc(1);
  Sdes sdes;
  ASSERT_TRUE(sdes.AddCName(1, "cname"));
  Bytes buf(sr.BlockLength() + sdes.BlockLength());
  size_t n = sr.Create(buf);
  n += sdes.Create(std::span<uint8_t>(buf).subspan(n));
  ASSERT_EQ(n, buf.size());
  CompoundIterator it(buf);
  auto a = it.Next();
  auto b = it.Next();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.error());
  Sdes parsed;
  ASSERT_TRUE(parsed.Parse(*b));
  EXPECT_EQ(parsed.chunks()[0].cname, "cname");
}

}  // namespace
}  // namespace sfu::wire::rtcp

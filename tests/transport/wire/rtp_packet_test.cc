// RtpPacketView / RtpHeaderWriter / in-place mutators: hand-built packets laid out per RFC 3550
// §5.1 and RFC 8285 §4.2-4.3 (byte comments give each field), round trips, malformed input.
#include "transport/wire/rtp_packet.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace sfu::wire {
namespace {

using Bytes = std::vector<uint8_t>;

// Opus as Chrome sends it: one-byte extensions ssrc-audio-level (id 1) and transport-cc (id 3).
const Bytes kOneByteExtPacket = {
    0x90, 0xEF, 0x12, 0x34,  // V=2 X=1 CC=0 | M=1 PT=111 | seq 0x1234
    0x00, 0x01, 0xE2, 0x40,  // timestamp 123456
    0xDE, 0xAD, 0xBE, 0xEF,  // SSRC
    0xBE, 0xDE, 0x00, 0x02,  // one-byte profile, 2 words
    0x10, 0x8A, 0x31, 0x00,  // id 1 L=0 [0x8A] | id 3 L=1 [0x00,
    0x2A, 0x00, 0x00, 0x00,  //   0x2A] | padding x3
    0xFC, 0x01, 0x02,        // payload
};

// Two-byte form (appbits 7) with a zero-length element and an ID above 14.
const Bytes kTwoByteExtPacket = {
    0x90, 0x60, 0x00, 0x01,  // X=1 | M=0 PT=96 | seq 1
    0x00, 0x00, 0x00, 0x64,  // timestamp 100
    0x01, 0x02, 0x03, 0x04,  // SSRC
    0x10, 0x07, 0x00, 0x02,  // profile 0x1007, 2 words
    0x05, 0x00, 0x10, 0x03,  // id 5 len 0 | id 16 len 3
    0x61, 0x62, 0x63, 0x00,  // "abc" | padding
    0xAA,                    // payload
};

// Two CSRCs and 3 bytes of padding.
const Bytes kCsrcPaddedPacket = {
    0xA2, 0x08, 0xFF, 0xFF,  // V=2 P=1 CC=2 | PT=8 | seq 65535
    0x00, 0x00, 0x00, 0x00,  // timestamp 0
    0x00, 0x00, 0x00, 0x09,  // SSRC 9
    0x11, 0x11, 0x11, 0x11,  // CSRC 1
    0x22, 0x22, 0x22, 0x22,  // CSRC 2
    0x01, 0x02,              // payload
    0x00, 0x00, 0x03,        // padding, count 3
};

TEST(RtpPacketTest, ParsesFixedHeaderAndOneByteExtensions) {
  auto p = RtpPacketView::Parse(kOneByteExtPacket);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payload_type(), 111);
  EXPECT_EQ(p->sequence_number(), 0x1234);
  EXPECT_EQ(p->timestamp(), 123456u);
  EXPECT_EQ(p->ssrc(), 0xDEADBEEFu);
  EXPECT_EQ(p->csrc_count(), 0u);
  EXPECT_TRUE(p->has_extension());
  EXPECT_EQ(p->extension_profile(), kOneByteExtensionProfile);
  EXPECT_EQ(p->header_size(), 24u);
  EXPECT_EQ(p->payload_size(), 3u);
  EXPECT_EQ(p->payload()[0], 0xFC);
  EXPECT_FALSE(p->has_padding());
  EXPECT_EQ(p->padding_size(), 0u);

  auto level = p->Extension(1);
  ASSERT_TRUE(level);
  EXPECT_EQ(Bytes(level->begin(), level->end()), Bytes({0x8A}));
  auto twcc = p->Extension(3);
  ASSERT_TRUE(twcc);
  EXPECT_EQ(Bytes(twcc->begin(), twcc->end()), Bytes({0x00, 0x2A}));
  EXPECT_FALSE(p->Extension(2));
  EXPECT_FALSE(p->Extension(0));

  RtpExtensionIterator it = p->extensions();
  auto e1 = it.Next();
  auto e2 = it.Next();
  ASSERT_TRUE(e1 && e2);
  EXPECT_EQ(e1->id, 1);
  EXPECT_EQ(e2->id, 3);
  EXPECT_FALSE(it.Next());
}

TEST(RtpPacketTest, ParsesTwoByteExtensions) {
  auto p = RtpPacketView::Parse(kTwoByteExtPacket);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->marker());
  EXPECT_EQ(p->payload_type(), 96);
  EXPECT_EQ(p->extension_profile(), 0x1007);
  auto empty = p->Extension(5);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto abc = p->Extension(16);
  ASSERT_TRUE(abc);
  EXPECT_EQ(Bytes(abc->begin(), abc->end()), Bytes({'a', 'b', 'c'}));
  EXPECT_EQ(p->payload_size(), 1u);
}

TEST(RtpPacketTest, ParsesCsrcsAndPadding) {
  auto p = RtpPacketView::Parse(kCsrcPaddedPacket);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->sequence_number(), 65535);
  ASSERT_EQ(p->csrc_count(), 2u);
  EXPECT_EQ(p->csrc(0), 0x11111111u);
  EXPECT_EQ(p->csrc(1), 0x22222222u);
  EXPECT_EQ(p->csrc_bytes().size(), 8u);
  EXPECT_FALSE(p->has_extension());
  EXPECT_EQ(p->header_size(), 20u);
  EXPECT_TRUE(p->has_padding());
  EXPECT_EQ(p->padding_size(), 3u);
  EXPECT_EQ(Bytes(p->payload().begin(), p->payload().end()), Bytes({0x01, 0x02}));
}

TEST(RtpPacketTest, ParsesPaddingOnlyProbe) {
  const Bytes probe = {0xA0, 0x7F, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4};
  auto p = RtpPacketView::Parse(probe);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->payload_size(), 0u);
  EXPECT_EQ(p->padding_size(), 4u);
}

TEST(RtpPacketTest, UnknownProfileIsOpaque) {
  Bytes b = {0x90, 0x60, 0,    1,    0,    0,    0,    0,    0,    0,
             0,    1,    0xAB, 0xAC, 0x00, 0x01, 0x1F, 0xFF, 0xFF, 0xFF};
  auto p = RtpPacketView::Parse(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->extension_profile(), 0xABAC);
  EXPECT_EQ(p->extension_block().size(), 4u);
  EXPECT_FALSE(p->Extension(1));
  EXPECT_FALSE(p->extensions().Next());
}

TEST(RtpPacketTest, OneByteId15StopsProcessing) {
  // id 1 [0xAA], then ID 15: what follows (here an element that would overrun) is ignored.
  const Bytes b = {0x90, 0x60, 0,    1,    0,    0,    0,    0,    0,    0,
                   0,    1,    0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0xF0, 0x1F};
  auto p = RtpPacketView::Parse(b);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->Extension(1));
  EXPECT_FALSE(p->Extension(15));
}

TEST(RtpPacketTest, OneByteIdZeroIsOneBytePaddingWhateverItsLength) {
  // 0x01 is ID 0 with L=1: skipped as a single padding byte (as libwebrtc does), not as an
  // element swallowing the next two bytes.
  const Bytes b = {0x90, 0x60, 0,    1,    0,    0,    0,    0,    0,    0,
                   0,    1,    0xBE, 0xDE, 0x00, 0x01, 0x01, 0x10, 0xAA, 0x00};
  auto p = RtpPacketView::Parse(b);
  ASSERT_TRUE(p);
  auto e = p->Extension(1);
  ASSERT_TRUE(e);
  EXPECT_EQ(Bytes(e->begin(), e->end()), Bytes({0xAA}));
  RtpExtensionIterator it = p->extensions();
  EXPECT_EQ(it.Next()->id, 1);
  EXPECT_FALSE(it.Next());
}

TEST(RtpPacketTest, RejectsMalformed) {
  struct Case {
    const char* name;
    Bytes bytes;
  };
  const Bytes hdr = {0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  auto with = [&hdr](uint8_t b0, Bytes tail) {
    Bytes b = hdr;
    b[0] = b0;
    b.insert(b.end(), tail.begin(), tail.end());
    return b;
  };
  const Case cases[] = {
      {"empty", {}},
      {"11 bytes", Bytes(hdr.begin(), hdr.end() - 1)},
      {"version 0", with(0x00, {})},
      {"version 1", with(0x40, {})},
      {"version 3", with(0xC0, {})},
      {"csrc past end", with(0x82, {0, 0, 0, 1})},
      {"extension header truncated", with(0x90, {0xBE, 0xDE, 0x00})},
      {"extension length past end", with(0x90, {0xBE, 0xDE, 0x00, 0x02, 0x10, 0xAA, 0, 0})},
      {"one-byte element past block", with(0x90, {0xBE, 0xDE, 0x00, 0x01, 0x13, 0x01, 0x02, 0x03})},
      {"two-byte id without length", with(0x90, {0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07})},
      {"two-byte element past block", with(0x90, {0x10, 0x00, 0x00, 0x01, 0x05, 0x04, 0xAA, 0xBB})},
      {"padding larger than packet", with(0xA0, {0x01, 0x02, 0x20})},
      {"padding count zero", with(0xA0, {0x01, 0x02, 0x00})},
      {"padding bit, nothing after header", with(0xA0, {})},
      {"padding reaching into extension",
       with(0xB0, {0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00, 0x00, 0x03})},
  };
  for (const Case& c : cases) EXPECT_FALSE(RtpPacketView::Parse(c.bytes)) << c.name;
}

TEST(RtpPacketTest, WriterChoosesOneByteFormAndMatchesCapture) {
  RtpHeaderWriter w;
  w.SetMarker(true);
  w.SetPayloadType(111);
  w.SetSequenceNumber(0x1234);
  w.SetTimestamp(123456);
  w.SetSsrc(0xDEADBEEF);
  const uint8_t level[] = {0x8A};
  const uint8_t twcc[] = {0x00, 0x2A};
  ASSERT_TRUE(w.AddExtension(1, level));
  ASSERT_TRUE(w.AddExtension(3, twcc));
  ASSERT_EQ(w.HeaderSize(), 24u);
  Bytes out(24);
  ASSERT_EQ(w.WriteTo(out), 24u);
  EXPECT_EQ(out, Bytes(kOneByteExtPacket.begin(), kOneByteExtPacket.begin() + 24));
}

TEST(RtpPacketTest, WriterChoosesTwoByteFormAndMatchesLayout) {
  RtpHeaderWriter w;
  w.SetPayloadType(96);
  w.SetSequenceNumber(1);
  w.SetTimestamp(100);
  w.SetSsrc(0x01020304);
  const uint8_t abc[] = {'a', 'b', 'c'};
  ASSERT_TRUE(w.AddExtension(5, {}));  // zero length forces the two-byte form
  ASSERT_TRUE(w.AddExtension(16, abc));
  Bytes out(w.HeaderSize());
  ASSERT_EQ(w.WriteTo(out), 24u);
  Bytes expected(kTwoByteExtPacket.begin(), kTwoByteExtPacket.begin() + 24);
  expected[13] = 0x00;  // the writer sets no appbits
  EXPECT_EQ(out, expected);
}

TEST(RtpPacketTest, WriterFormSelectionTable) {
  struct Case {
    uint8_t id;
    size_t length;
    uint16_t profile;
  };
  const Case cases[] = {
      {1, 1, kOneByteExtensionProfile},  {14, 16, kOneByteExtensionProfile},
      {15, 1, kTwoByteExtensionProfile}, {1, 17, kTwoByteExtensionProfile},
      {1, 0, kTwoByteExtensionProfile},  {255, 255, kTwoByteExtensionProfile},
  };
  for (const Case& c : cases) {
    const Bytes data(c.length, 0x5A);
    RtpHeaderWriter w;
    ASSERT_TRUE(w.AddExtension(c.id, data));
    Bytes out(w.HeaderSize());
    ASSERT_EQ(w.WriteTo(out), out.size());
    auto p = RtpPacketView::Parse(out);
    ASSERT_TRUE(p) << int{c.id};
    EXPECT_EQ(p->extension_profile(), c.profile) << int{c.id};
    auto got = p->Extension(c.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(Bytes(got->begin(), got->end()), data);
    EXPECT_EQ(p->header_size() % 4, 0u);
  }
}

TEST(RtpPacketTest, WriterRoundTripWithCsrcsAndPayload) {
  RtpHeaderWriter w;
  w.SetPayloadType(100);
  w.SetSequenceNumber(65535);
  w.SetTimestamp(0xFFFFFFFF);
  w.SetSsrc(42);
  for (uint32_t i = 0; i < RtpHeaderWriter::kMaxCsrcs; ++i) ASSERT_TRUE(w.AddCsrc(1000 + i));
  EXPECT_FALSE(w.AddCsrc(1));
  const uint8_t a[] = {1, 2, 3, 4, 5};
  ASSERT_TRUE(w.AddExtension(2, a));
  Bytes out(w.HeaderSize() + 3);
  const size_t n = w.WriteTo(out);
  ASSERT_EQ(n, w.HeaderSize());
  out[n] = 7;
  out[n + 1] = 8;
  out[n + 2] = 9;
  auto p = RtpPacketView::Parse(out);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->csrc_count(), 15u);
  EXPECT_EQ(p->csrc(14), 1014u);
  EXPECT_EQ(p->sequence_number(), 65535);
  EXPECT_EQ(p->timestamp(), 0xFFFFFFFFu);
  EXPECT_EQ(Bytes(p->payload().begin(), p->payload().end()), Bytes({7, 8, 9}));
  EXPECT_EQ(p->Extension(2)->size(), 5u);
}

TEST(RtpPacketTest, WriterRejectsBadInput) {
  RtpHeaderWriter w;
  const uint8_t one[] = {1};
  const Bytes big(256, 0);
  EXPECT_FALSE(w.AddExtension(0, one));
  EXPECT_FALSE(w.AddExtension(1, big));
  EXPECT_TRUE(w.AddExtension(1, one));
  EXPECT_FALSE(w.AddExtension(1, one));  // duplicate id
  for (uint8_t id = 2; id <= RtpHeaderWriter::kMaxExtensions; ++id)
    EXPECT_TRUE(w.AddExtension(id, one));
  EXPECT_FALSE(w.AddExtension(200, one));  // full
  Bytes small(w.HeaderSize() - 1);
  EXPECT_EQ(w.WriteTo(small), 0u);
  RtpHeaderWriter plain;
  EXPECT_EQ(plain.HeaderSize(), kRtpHeaderSize);
  std::array<uint8_t, 11> tiny{};
  EXPECT_EQ(plain.WriteTo(tiny), 0u);
}

TEST(RtpPacketTest, InPlaceMutators) {
  Bytes b = kOneByteExtPacket;
  ASSERT_TRUE(SetSsrc(b, 0x01020304));
  ASSERT_TRUE(SetSequenceNumber(b, 7));
  ASSERT_TRUE(SetTimestamp(b, 0xCAFEBABE));
  ASSERT_TRUE(SetPayloadType(b, 0xFF));  // only 7 bits are used
  auto p = RtpPacketView::Parse(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ssrc(), 0x01020304u);
  EXPECT_EQ(p->sequence_number(), 7);
  EXPECT_EQ(p->timestamp(), 0xCAFEBABEu);
  EXPECT_EQ(p->payload_type(), 127);
  EXPECT_TRUE(p->marker());  // kept by SetPayloadType
  ASSERT_TRUE(SetMarker(b, false));
  EXPECT_FALSE(RtpPacketView::Parse(b)->marker());
  EXPECT_EQ(RtpPacketView::Parse(b)->payload_type(), 127);
  // Everything after the fixed header is untouched.
  EXPECT_TRUE(std::equal(b.begin() + 12, b.end(), kOneByteExtPacket.begin() + 12));

  Bytes shorty(11, 0x80);
  EXPECT_FALSE(SetSsrc(shorty, 1));
  EXPECT_FALSE(SetSequenceNumber(shorty, 1));
  EXPECT_FALSE(SetTimestamp(shorty, 1));
  EXPECT_FALSE(SetPayloadType(shorty, 1));
  EXPECT_FALSE(SetMarker(shorty, true));
  EXPECT_EQ(shorty, Bytes(11, 0x80));
}

TEST(RtpPacketTest, MutableExtensionRewritesInPlace) {
  Bytes b = kOneByteExtPacket;
  auto twcc = MutableExtension(b, 3);
  ASSERT_TRUE(twcc);
  ASSERT_EQ(twcc->size(), 2u);
  (*twcc)[0] = 0xBE;
  (*twcc)[1] = 0xEF;
  auto p = RtpPacketView::Parse(b);
  EXPECT_EQ(Bytes(p->Extension(3)->begin(), p->Extension(3)->end()), Bytes({0xBE, 0xEF}));
  EXPECT_FALSE(MutableExtension(b, 9));
  Bytes bad = {0x00, 0x01};
  EXPECT_FALSE(MutableExtension(bad, 1));
}

}  // namespace
}  // namespace sfu::wire

// Feedback messages: generic NACK (RFC 4585 §6.2.1), PLI (§6.3.1), FIR (RFC 5104 §4.3.1) and
// REMB (draft-alvestrand-rmcat-remb-03 §2.2): parse, Create round trip, malformed input.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "tests/transport/wire/rtcp_test_util.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/fir.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtcp/remb.h"

namespace sfu::wire::rtcp {
namespace {

// libwebrtc's nack_unittest.cc packet: one item, PID 0, BLP 0x8085 -> 0, 1, 3, 8, 16.
const Bytes kNack = {
    0x81, 0xCD, 0x00, 0x03,  // FMT=1 | RTPFB | length 3
    0x12, 0x34, 0x56, 0x78,  // sender SSRC
    0x23, 0x45, 0x67, 0x89,  // media SSRC
    0x00, 0x00, 0x80, 0x85,  // PID 0 | BLP
};

const Bytes kPli = {0x81, 0xCE, 0x00, 0x02, 0x12, 0x34, 0x56, 0x78, 0x23, 0x45, 0x67, 0x89};

const Bytes kFir = {
    0x84, 0xCE, 0x00, 0x04,  // FMT=4 | PSFB | length 4
    0x12, 0x34, 0x56, 0x78,  // sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media SSRC (unused)
    0x23, 0x45, 0x67, 0x89,  // FCI: SSRC
    0x13, 0x00, 0x00, 0x00,  //      seq nr 0x13 | reserved
};

// 1,000,000 bps = 250000 * 2^2; two SSRCs.
const Bytes kRemb = {
    0x8F, 0xCE, 0x00, 0x06,  // FMT=15 | PSFB | length 6
    0x12, 0x34, 0x56, 0x78,  // sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media SSRC (0)
    'R',  'E',  'M',  'B',   // identifier
    0x02, 0x0B, 0xD0, 0x90,  // num SSRC 2 | exp 2 | mantissa 250000
    0x23, 0x45, 0x67, 0x89,  // SSRC 1
    0x2A, 0x6A, 0xDB, 0x5A,  // SSRC 2
};

TEST(RtcpNackTest, ParsesAndExpands) {
  auto nack = ParseAs<Nack>(kNack);
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->sender_ssrc(), 0x12345678u);
  EXPECT_EQ(nack->media_ssrc(), 0x23456789u);
  ASSERT_EQ(nack->item_count(), 1u);
  EXPECT_EQ(nack->item(0), (NackItem{0, 0x8085}));
  EXPECT_EQ(nack->LostPackets(), (std::vector<uint16_t>{0, 1, 3, 8, 16}));
}

TEST(RtcpNackTest, BuildsFromListByteExact) {
  Nack nack;
  nack.SetSenderSsrc(0x12345678);
  nack.SetMediaSsrc(0x23456789);
  const uint16_t lost[] = {0, 1, 3, 8, 16};
  nack.SetLostPackets(lost);
  EXPECT_EQ(Build(nack), kNack);
}

TEST(RtcpNackTest, PackingTable) {
  struct Case {
    std::vector<uint16_t> lost;
    std::vector<NackItem> items;
  };
  const Case cases[] = {
      {{5}, {{5, 0}}},
      {{5, 6, 21}, {{5, 0x8001}}},                // 21 = 5 + 16: the last BLP bit
      {{5, 22}, {{5, 0}, {22, 0}}},               // 17 apart: a new item
      {{65534, 65535, 0, 3}, {{65534, 0x0013}}},  // across the wrap: +1, +2, +5
      {{10, 10, 11}, {{10, 0x0001}}},             // duplicate dropped
      {{10, 3}, {{10, 0}, {3, 0}}},               // out of order: still exact
      {{}, {}},
  };
  for (const Case& c : cases) {
    Nack nack;
    nack.SetLostPackets(c.lost);
    std::vector<NackItem> got;
    for (size_t i = 0; i < nack.item_count(); ++i) got.push_back(nack.item(i));
    EXPECT_EQ(got, c.items);
  }
}

TEST(RtcpNackTest, RoundTripManyAcrossWrap) {
  std::vector<uint16_t> lost;
  for (uint32_t s = 65000; s < 65536 + 600; s += 3) lost.push_back(static_cast<uint16_t>(s));
  Nack nack;
  nack.SetLostPackets(lost);
  const Bytes again_bytes = Build(nack);
  auto again = ParseAs<Nack>(again_bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->LostPackets(), lost);
}

TEST(RtcpNackTest, EmptyListsAreNotCreated) {
  // RFC 4585 / RFC 5104 require one or more FCI entries, and Parse rejects fewer.
  Bytes out(64);
  Nack nack;
  EXPECT_EQ(nack.Create(out), 0u);
  nack.SetLostPackets({});
  EXPECT_EQ(nack.Create(out), 0u);
  Fir fir;
  EXPECT_EQ(fir.Create(out), 0u);
}

TEST(RtcpNackTest, RejectsMalformed) {
  const Bytes no_items(kNack.begin(), kNack.begin() + 12);
  Bytes no_items_len = no_items;
  no_items_len[3] = 0x02;
  EXPECT_FALSE(Parses<Nack>(no_items_len));
  EXPECT_FALSE(Parses<Nack>(Bytes(kNack.begin(), kNack.end() - 2)));  // truncated
  Bytes wrong_fmt = kNack;
  wrong_fmt[0] = 0x82;
  EXPECT_FALSE(Parses<Nack>(wrong_fmt));
  Bytes wrong_type = kNack;
  wrong_type[1] = 0xCE;
  EXPECT_FALSE(Parses<Nack>(wrong_type));
}

TEST(RtcpPliTest, ParseAndCreate) {
  auto pli = ParseAs<Pli>(kPli);
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->sender_ssrc(), 0x12345678u);
  EXPECT_EQ(pli->media_ssrc(), 0x23456789u);
  Pli built;
  built.SetSenderSsrc(0x12345678);
  built.SetMediaSsrc(0x23456789);
  EXPECT_EQ(Build(built), kPli);
}

TEST(RtcpPliTest, RejectsMalformed) {
  Bytes short_pli(kPli.begin(), kPli.begin() + 8);
  short_pli[3] = 0x01;
  EXPECT_FALSE(Parses<Pli>(short_pli));
  Bytes fir_fmt = kPli;
  fir_fmt[0] = 0x84;
  EXPECT_FALSE(Parses<Pli>(fir_fmt));
  EXPECT_FALSE(Parses<Pli>(Bytes(kPli.begin(), kPli.end() - 4)));
}

TEST(RtcpFirTest, ParseAndCreate) {
  auto fir = ParseAs<Fir>(kFir);
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->sender_ssrc(), 0x12345678u);
  ASSERT_EQ(fir->request_count(), 1u);
  EXPECT_EQ(fir->request(0), (FirRequest{0x23456789, 0x13}));
  EXPECT_EQ(Build(*fir), kFir);

  Fir built;
  built.SetSenderSsrc(0x12345678);
  built.AddRequest(0x23456789, 0x13);
  EXPECT_EQ(Build(built), kFir);
}

TEST(RtcpFirTest, AddRequestAfterParseKeepsParsedEntries) {
  auto fir = ParseAs<Fir>(kFir);
  ASSERT_TRUE(fir);
  fir->AddRequest(7, 1);
  ASSERT_EQ(fir->request_count(), 2u);
  const Bytes again_bytes = Build(*fir);
  auto again = ParseAs<Fir>(again_bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->request(0), (FirRequest{0x23456789, 0x13}));
  EXPECT_EQ(again->request(1), (FirRequest{7, 1}));
}

TEST(RtcpFirTest, RejectsMalformed) {
  Bytes no_entry(kFir.begin(), kFir.begin() + 12);
  no_entry[3] = 0x02;
  EXPECT_FALSE(Parses<Fir>(no_entry));
  EXPECT_FALSE(Parses<Fir>(Bytes(kFir.begin(), kFir.end() - 4)));
  Bytes pli_fmt = kFir;
  pli_fmt[0] = 0x81;
  EXPECT_FALSE(Parses<Fir>(pli_fmt));
}

TEST(RtcpRembTest, Parses) {
  auto remb = ParseAs<Remb>(kRemb);
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->sender_ssrc(), 0x12345678u);
  EXPECT_EQ(remb->bitrate_bps(), 1'000'000u);
  ASSERT_EQ(remb->ssrcs().size(), 2u);
  EXPECT_EQ(remb->ssrcs()[0], 0x23456789u);
  EXPECT_EQ(remb->ssrcs()[1], 0x2A6ADB5Au);
}

TEST(RtcpRembTest, CreateByteExactAndBitrateTable) {
  Remb remb;
  remb.SetSenderSsrc(0x12345678);
  remb.SetBitrateBps(1'000'000);
  const uint32_t ssrcs[] = {0x23456789, 0x2A6ADB5A};
  ASSERT_TRUE(remb.SetSsrcs(ssrcs));
  EXPECT_EQ(Build(remb), kRemb);

  struct Case {
    uint64_t in;
    uint64_t out;
  };
  const Case cases[] = {
      {0, 0},
      {0x3FFFF, 0x3FFFF},                    // largest exponent-0 value
      {0x40000, 0x40000},                    // exponent 1, exact
      {0x40001, 0x40000},                    // rounds down
      {2'500'000'000ull, 2'499'985'408ull},  // 152587 << 14
      {~0ull, 0x3FFFFull << 46},             // largest representable
  };
  for (const Case& c : cases) {
    Remb r;
    r.SetBitrateBps(c.in);
    const Bytes again_bytes = Build(r);
    auto again = ParseAs<Remb>(again_bytes);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->bitrate_bps(), c.out) << c.in;
    EXPECT_LE(again->bitrate_bps(), c.in);
  }
}

TEST(RtcpRembTest, RejectsMalformed) {
  Bytes bad_id = kRemb;
  bad_id[12] = 'X';
  EXPECT_FALSE(Parses<Remb>(bad_id));
  Bytes lying_count = kRemb;
  lying_count[16] = 3;
  EXPECT_FALSE(Parses<Remb>(lying_count));
  Bytes overflow = kRemb;
  overflow[17] = 0xFF;  // exponent 63 with a non-zero mantissa overflows 64 bits
  EXPECT_FALSE(Parses<Remb>(overflow));
  Bytes short_remb(kRemb.begin(), kRemb.begin() + 16);
  short_remb[3] = 0x03;
  EXPECT_FALSE(Parses<Remb>(short_remb));
  Bytes wrong_fmt = kRemb;
  wrong_fmt[0] = 0x81;
  EXPECT_FALSE(Parses<Remb>(wrong_fmt));
  Remb r;
  const std::vector<uint32_t> too_many(256);
  EXPECT_FALSE(r.SetSsrcs(too_many));
}

}  // namespace
}  // namespace sfu::wire::rtcp

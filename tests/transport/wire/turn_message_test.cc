// TURN message types and classes, the TURN attributes read through StunMessageView, and
// ChannelData parse / write / malformed.
#include "transport/wire/turn_message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transport/wire/stun_message.h"

namespace sfu::wire {
namespace {

constexpr uint8_t kTxid[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                               0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

TEST(TurnMessageTest, KnownTypes) {
  // RFC 8489 §5 and RFC 8656 §17 give these on the wire.
  EXPECT_EQ(StunType(kStunMethodBinding, StunClass::kRequest), kStunBindingRequest);
  EXPECT_EQ(StunType(kStunMethodBinding, StunClass::kIndication), kStunBindingIndication);
  EXPECT_EQ(StunType(kStunMethodBinding, StunClass::kSuccess), kStunBindingSuccess);
  EXPECT_EQ(StunType(kStunMethodBinding, StunClass::kError), kStunBindingError);
  EXPECT_EQ(StunType(kTurnAllocate, StunClass::kRequest), 0x0003);
  EXPECT_EQ(StunType(kTurnAllocate, StunClass::kSuccess), 0x0103);
  EXPECT_EQ(StunType(kTurnAllocate, StunClass::kError), 0x0113);
  EXPECT_EQ(StunType(kTurnRefresh, StunClass::kRequest), 0x0004);
  EXPECT_EQ(StunType(kTurnSend, StunClass::kIndication), 0x0016);
  EXPECT_EQ(StunType(kTurnData, StunClass::kIndication), 0x0017);
  EXPECT_EQ(StunType(kTurnCreatePermission, StunClass::kSuccess), 0x0108);
  EXPECT_EQ(StunType(kTurnChannelBind, StunClass::kError), 0x0119);
  // A method using every bit: 0xFFF with class bits interleaved at 4 and 8.
  EXPECT_EQ(StunType(0x0FFF, StunClass::kRequest), 0x3EEF);
  EXPECT_EQ(StunType(0x0FFF, StunClass::kError), 0x3FFF);
  EXPECT_EQ(StunType(0x0000, StunClass::kError), 0x0110);
}

TEST(TurnMessageTest, MethodAndClassOfKnownTypes) {
  EXPECT_EQ(StunMethodOf(0x0113), kTurnAllocate);
  EXPECT_EQ(StunClassOf(0x0113), StunClass::kError);
  EXPECT_EQ(StunMethodOf(0x0017), kTurnData);
  EXPECT_EQ(StunClassOf(0x0017), StunClass::kIndication);
  EXPECT_EQ(StunMethodOf(0x0109), kTurnChannelBind);
  EXPECT_EQ(StunClassOf(0x0109), StunClass::kSuccess);
  EXPECT_EQ(StunMethodOf(0x3EEF), 0x0FFF);
  EXPECT_EQ(StunClassOf(0x3EEF), StunClass::kRequest);
  // The two leading bits are not part of the type.
  EXPECT_EQ(StunMethodOf(0xC003), kTurnAllocate);
  EXPECT_EQ(StunClassOf(0xC003), StunClass::kRequest);
}

TEST(TurnMessageTest, TypeRoundTripsEveryMethodAndClass) {
  const StunClass classes[] = {StunClass::kRequest, StunClass::kIndication, StunClass::kSuccess,
                               StunClass::kError};
  for (uint16_t method = 0; method <= 0x0FFF; ++method) {
    for (StunClass cls : classes) {
      const uint16_t type = StunType(method, cls);
      ASSERT_EQ(type & 0xC000, 0) << method;
      ASSERT_EQ(StunMethodOf(type), method);
      ASSERT_EQ(StunClassOf(type), cls);
    }
  }
  // And every 14-bit type back again.
  for (uint32_t type = 0; type <= 0x3FFF; ++type)
    ASSERT_EQ(StunType(StunMethodOf(type), StunClassOf(type)), type);
}

TEST(TurnMessageTest, StunTypeIgnoresMethodBitsAbove12) {
  EXPECT_EQ(StunType(0x1003, StunClass::kRequest), StunType(kTurnAllocate, StunClass::kRequest));
}

TEST(TurnMessageTest, AllocateSuccessRoundTrip) {
  uint8_t buf[256];
  StunWriter w(buf, StunType(kTurnAllocate, StunClass::kSuccess), kTxid);
  StunAddress relayed;
  relayed.family = 4;
  relayed.port = 50000;
  relayed.ip = {203, 0, 113, 7};
  StunAddress mapped;
  mapped.family = 6;
  mapped.port = 61000;
  mapped.ip = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34};
  EXPECT_TRUE(w.AddXorAddress(kStunAttrXorRelayedAddress, relayed));
  EXPECT_TRUE(w.AddXorMappedAddress(mapped));
  EXPECT_TRUE(w.AddUint32(kStunAttrLifetime, 600));
  EXPECT_TRUE(w.AddString(kStunAttrSoftware, "sfu"));
  EXPECT_TRUE(w.AddFingerprint());
  ASSERT_TRUE(w.ok());
  auto m = StunMessageView::Parse(std::span<const uint8_t>(buf, w.size()));
  ASSERT_TRUE(m);
  EXPECT_EQ(StunMethodOf(m->type()), kTurnAllocate);
  EXPECT_EQ(StunClassOf(m->type()), StunClass::kSuccess);
  EXPECT_EQ(m->XorAddress(kStunAttrXorRelayedAddress), relayed);
  EXPECT_EQ(m->XorAddress(kStunAttrXorMappedAddress), mapped);
  EXPECT_EQ(m->XorMappedAddress(), mapped);
  EXPECT_FALSE(m->XorAddress(kStunAttrXorPeerAddress).has_value());
  EXPECT_EQ(m->Uint32(kStunAttrLifetime), 600u);
  EXPECT_FALSE(m->Uint32(kStunAttrChannelNumber).has_value());
  EXPECT_FALSE(m->Uint32(kStunAttrSoftware).has_value());  // 3 bytes, not 4
  EXPECT_TRUE(m->CheckFingerprint());
  // The relayed address is XOR-encoded on the wire: the port's bytes are not 50000's.
  auto raw = m->Attribute(kStunAttrXorRelayedAddress);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 8u);
  EXPECT_NE(((*raw)[2] << 8) | (*raw)[3], 50000);
}

TEST(TurnMessageTest, ChannelBindAndSendAttributes) {
  uint8_t buf[256];
  StunWriter w(buf, StunType(kTurnChannelBind, StunClass::kRequest), kTxid);
  StunAddress peer;
  peer.family = 6;
  peer.port = 3478;
  peer.ip[15] = 1;
  EXPECT_TRUE(w.AddUint32(kStunAttrChannelNumber, uint32_t{0x4001} << 16));
  EXPECT_TRUE(w.AddXorAddress(kStunAttrXorPeerAddress, peer));
  EXPECT_TRUE(w.AddUint32(kStunAttrRequestedTransport, uint32_t{kTurnTransportUdp} << 24));
  EXPECT_TRUE(w.AddFlag(kStunAttrDontFragment));
  const uint8_t data[] = {0x80, 0x60, 0x00, 0x01};
  EXPECT_TRUE(w.AddAttribute(kStunAttrData, data));
  ASSERT_TRUE(w.ok());
  auto m = StunMessageView::Parse(std::span<const uint8_t>(buf, w.size()));
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->Uint32(kStunAttrChannelNumber));
  EXPECT_EQ(*m->Uint32(kStunAttrChannelNumber) >> 16, 0x4001u);
  EXPECT_EQ(m->XorAddress(kStunAttrXorPeerAddress), peer);
  EXPECT_EQ(m->Uint32(kStunAttrRequestedTransport), 0x11000000u);
  EXPECT_TRUE(m->Has(kStunAttrDontFragment));
  auto d = m->Attribute(kStunAttrData);
  ASSERT_TRUE(d);
  EXPECT_EQ(std::vector<uint8_t>(d->begin(), d->end()), std::vector<uint8_t>(data, data + 4));
}

TEST(TurnMessageTest, XorAddressRejectsBadFamilyAndLength) {
  auto parse_with = [](std::vector<uint8_t> value) {
    uint8_t buf[64];
    StunWriter w(buf, StunType(kTurnSend, StunClass::kIndication), kTxid);
    w.AddAttribute(kStunAttrXorPeerAddress, value);
    auto m = StunMessageView::Parse(std::span<const uint8_t>(buf, w.size()));
    return m ? m->XorAddress(kStunAttrXorPeerAddress) : std::nullopt;
  };
  EXPECT_TRUE(parse_with({0, 1, 0, 0, 1, 2, 3, 4}).has_value());
  EXPECT_FALSE(parse_with({0, 3, 0, 0, 1, 2, 3, 4}).has_value());         // family 3
  EXPECT_FALSE(parse_with({0, 1, 0, 0, 1, 2, 3}).has_value());            // 7 bytes
  EXPECT_FALSE(parse_with({0, 2, 0, 0, 1, 2, 3, 4}).has_value());         // IPv6 with 4 bytes
  EXPECT_FALSE(parse_with(std::vector<uint8_t>(20 + 4, 0)).has_value());  // 24 bytes
  std::vector<uint8_t> v6(20, 0);
  v6[1] = 2;
  EXPECT_TRUE(parse_with(v6).has_value());
}

// RFC 5769 §2.4: a request with long-term credentials (the integrity check with the key is in
// tests/transport/turn_credentials_test.cc; here, the attributes).
const std::vector<uint8_t> kLongTermRequest = {
    0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72,
    0xc0, 0x29, 0xda, 0x41, 0x2e, 0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88,
    0xe3, 0x83, 0xaa, 0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00, 0x00,
    0x15, 0x00, 0x1c, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36,
    0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73,
    0x41, 0x00, 0x14, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72,
    0x67, 0x00, 0x00, 0x08, 0x00, 0x14, 0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02,
    0xb8, 0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66};

TEST(TurnMessageTest, ParsesRfc5769LongTermRequestAttributes) {
  auto m = StunMessageView::Parse(kLongTermRequest);
  ASSERT_TRUE(m);
  EXPECT_EQ(StunMethodOf(m->type()), kStunMethodBinding);
  EXPECT_EQ(StunClassOf(m->type()), StunClass::kRequest);
  EXPECT_EQ(m->Username(),
            "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9");
  EXPECT_EQ(m->Nonce(), "f//499k954d6OL34oL9FSTvy64sA");
  EXPECT_EQ(m->Realm(), "example.org");
  EXPECT_TRUE(m->has_message_integrity());
  EXPECT_FALSE(m->has_fingerprint());
}

TEST(TurnMessageTest, RealmAndNonceLongerThan763BytesAreRefused) {
  uint8_t buf[2048];
  StunWriter w(buf, StunType(kTurnAllocate, StunClass::kError), kTxid);
  w.AddString(kStunAttrRealm, std::string(764, 'r'));
  w.AddString(kStunAttrNonce, std::string(763, 'n'));
  auto m = StunMessageView::Parse(std::span<const uint8_t>(buf, w.size()));
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->Realm().has_value());
  ASSERT_TRUE(m->Nonce().has_value());
  EXPECT_EQ(m->Nonce()->size(), 763u);
}

// --- ChannelData ---------------------------------------------------------------------------

TEST(ChannelDataTest, IsChannelDataByFirstByte) {
  const uint8_t a[] = {0x40};
  const uint8_t b[] = {0x4F, 0xFF};
  const uint8_t c[] = {0x3F};
  const uint8_t d[] = {0x50};
  EXPECT_TRUE(IsChannelData(a));
  EXPECT_TRUE(IsChannelData(b));
  EXPECT_FALSE(IsChannelData(c));
  EXPECT_FALSE(IsChannelData(d));
  EXPECT_FALSE(IsChannelData({}));
}

TEST(ChannelDataTest, ParsesUnpaddedAndPadded) {
  const std::vector<uint8_t> unpadded = {0x40, 0x01, 0x00, 0x03, 0xaa, 0xbb, 0xcc};
  auto v = ChannelDataView::Parse(unpadded);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->channel, 0x4001);
  EXPECT_EQ(std::vector<uint8_t>(v->payload.begin(), v->payload.end()),
            std::vector<uint8_t>({0xaa, 0xbb, 0xcc}));
  auto padded = unpadded;
  padded.push_back(0);
  v = ChannelDataView::Parse(padded);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->payload.size(), 3u);
  EXPECT_EQ(v->payload.data(), padded.data() + 4);
}

TEST(ChannelDataTest, EmptyPayloadIsValid) {
  const std::vector<uint8_t> empty = {0x4F, 0xFF, 0x00, 0x00};
  auto v = ChannelDataView::Parse(empty);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->channel, 0x4FFF);
  EXPECT_TRUE(v->payload.empty());
}

TEST(ChannelDataTest, RejectsMalformed) {
  auto bad = [](std::vector<uint8_t> v) { return !ChannelDataView::Parse(v).has_value(); };
  EXPECT_TRUE(bad({}));
  EXPECT_TRUE(bad({0x40, 0x00, 0x00}));                    // truncated header
  EXPECT_TRUE(bad({0x40, 0x00, 0x00, 0x02, 0x01}));        // length past the data
  EXPECT_TRUE(bad({0x40, 0x00, 0xff, 0xff, 0x01, 0x02}));  // oversize length
  EXPECT_TRUE(bad({0x3F, 0xFF, 0x00, 0x00}));              // channel below 0x4000
  EXPECT_TRUE(bad({0x50, 0x00, 0x00, 0x00}));              // channel 0x5000 reserved
  EXPECT_TRUE(bad({0x7F, 0xFF, 0x00, 0x00}));
  EXPECT_TRUE(bad({0x00, 0x01, 0x00, 0x00}));
  // Up to 3 bytes after Length are padding; 4 is a second message or garbage.
  EXPECT_FALSE(bad({0x40, 0x00, 0x00, 0x01, 0x01, 0, 0, 0}));
  EXPECT_TRUE(bad({0x40, 0x00, 0x00, 0x01, 0x01, 0, 0, 0, 0}));
  EXPECT_FALSE(bad({0x40, 0x00, 0x00, 0x00, 0, 0, 0}));
  EXPECT_TRUE(bad({0x40, 0x00, 0x00, 0x00, 0, 0, 0, 0}));
}

TEST(ChannelDataTest, WriteRoundTrip) {
  const uint8_t payload[] = {1, 2, 3, 4, 5};
  uint8_t out[16];
  std::fill(std::begin(out), std::end(out), 0xEE);
  EXPECT_EQ(WriteChannelData(out, 0x4123, payload, /*pad_to_4=*/false), 9u);
  EXPECT_EQ(std::vector<uint8_t>(out, out + 9),
            std::vector<uint8_t>({0x41, 0x23, 0x00, 0x05, 1, 2, 3, 4, 5}));
  EXPECT_EQ(out[9], 0xEE);
  auto v = ChannelDataView::Parse(std::span<const uint8_t>(out, 9));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->channel, 0x4123);
  EXPECT_EQ(v->payload.size(), 5u);

  std::fill(std::begin(out), std::end(out), 0xEE);
  EXPECT_EQ(WriteChannelData(out, 0x4123, payload, /*pad_to_4=*/true), 12u);
  EXPECT_EQ(std::vector<uint8_t>(out + 9, out + 12), std::vector<uint8_t>({0, 0, 0}));
  EXPECT_EQ(out[12], 0xEE);
  v = ChannelDataView::Parse(std::span<const uint8_t>(out, 12));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->payload.size(), 5u);
  // A multiple of 4 gets no padding.
  EXPECT_EQ(WriteChannelData(out, 0x4000, std::span<const uint8_t>(payload, 4), true), 8u);
  EXPECT_EQ(WriteChannelData(out, 0x4000, {}, true), 4u);
}

TEST(ChannelDataTest, WriteRefusesWhatCannotBeSent) {
  const uint8_t payload[] = {1, 2, 3, 4, 5};
  uint8_t out[16];
  EXPECT_EQ(WriteChannelData(std::span<uint8_t>(out, 8), 0x4000, payload, false), 0u);
  EXPECT_EQ(WriteChannelData(std::span<uint8_t>(out, 9), 0x4000, payload, false), 9u);
  EXPECT_EQ(WriteChannelData(std::span<uint8_t>(out, 11), 0x4000, payload, true), 0u);
  EXPECT_EQ(WriteChannelData(out, 0x3FFF, payload, false), 0u);
  EXPECT_EQ(WriteChannelData(out, 0x5000, payload, false), 0u);
  std::vector<uint8_t> big(65536), big_out(65536 + 8);
  EXPECT_EQ(WriteChannelData(big_out, 0x4000, big, false), 0u);
  big.pop_back();
  EXPECT_EQ(WriteChannelData(big_out, 0x4000, big, true), 4u + 65536u);
}

}  // namespace
}  // namespace sfu::wire

// STUN against the RFC 5769 test vectors, plus round trips and malformed input.
#include "transport/wire/stun_message.h"

#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

namespace sfu::wire {
namespace {

bool OpenSslHmacSha1(std::span<const uint8_t> key, std::span<const std::span<const uint8_t>> parts,
                     uint8_t out[20]) {
  std::vector<uint8_t> all;
  for (auto p : parts) all.insert(all.end(), p.begin(), p.end());
  unsigned int len = 0;
  return HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), all.data(), all.size(), out,
              &len) &&
         len == 20;
}

std::span<const uint8_t> Key(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// RFC 5769 §2.1 sample request.
const std::vector<uint8_t> kRequest = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};

// RFC 5769 §2.2 sample IPv4 response (192.0.2.1:32853).
const std::vector<uint8_t> kResponse = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

const std::string kPassword = "VOkJxbRl1RmTxUk/WvJxBt";

TEST(StunMessageTest, ParsesRfc5769Request) {
  auto m = StunMessageView::Parse(kRequest);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type(), kStunBindingRequest);
  EXPECT_EQ(m->Username(), "evtj:h6vY");
  EXPECT_EQ(m->Priority(), 0x6e0001ffu);
  EXPECT_EQ(m->IceControlled(), 0x932ff9b151263b36u);
  EXPECT_FALSE(m->IceControlling().has_value());
  EXPECT_TRUE(m->CheckFingerprint());
  EXPECT_TRUE(m->CheckMessageIntegrity(Key(kPassword), &OpenSslHmacSha1));
  EXPECT_FALSE(m->CheckMessageIntegrity(Key("wrong"), &OpenSslHmacSha1));
}

TEST(StunMessageTest, ParsesRfc5769Response) {
  auto m = StunMessageView::Parse(kResponse);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type(), kStunBindingSuccess);
  auto addr = m->XorMappedAddress();
  ASSERT_TRUE(addr.has_value());
  EXPECT_EQ(addr->family, 4);
  EXPECT_EQ(addr->port, 32853);
  EXPECT_EQ(addr->ip[0], 192);
  EXPECT_EQ(addr->ip[1], 0);
  EXPECT_EQ(addr->ip[2], 2);
  EXPECT_EQ(addr->ip[3], 1);
  EXPECT_TRUE(m->CheckFingerprint());
  EXPECT_TRUE(m->CheckMessageIntegrity(Key(kPassword), &OpenSslHmacSha1));
}

TEST(StunMessageTest, WriterReproducesRfc5769Response) {
  auto in = StunMessageView::Parse(kResponse);
  ASSERT_TRUE(in);
  uint8_t buf[256];
  StunWriter w(buf, kStunBindingSuccess, in->transaction_id());
  EXPECT_TRUE(w.AddString(kStunAttrSoftware, "test vector"));
  // The vector pads SOFTWARE with a space (0x20), we pad with zero: compare after patching.
  StunAddress a;
  a.family = 4;
  a.port = 32853;
  a.ip[0] = 192;
  a.ip[2] = 2;
  a.ip[3] = 1;
  EXPECT_TRUE(w.AddXorMappedAddress(a));
  buf[35] = 0x20;
  EXPECT_TRUE(w.AddMessageIntegrity(Key(kPassword), &OpenSslHmacSha1));
  EXPECT_TRUE(w.AddFingerprint());
  ASSERT_EQ(w.size(), kResponse.size());
  EXPECT_EQ(std::vector<uint8_t>(buf, buf + w.size()), kResponse);
}

TEST(StunMessageTest, RequestRoundTripWithIpv6) {
  const uint8_t txid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  uint8_t buf[256];
  StunWriter w(buf, kStunBindingRequest, txid);
  w.AddString(kStunAttrUsername, "local:remote");
  w.AddUint32(kStunAttrPriority, 12345);
  w.AddUint64(kStunAttrIceControlling, 0x0102030405060708ull);
  w.AddFlag(kStunAttrUseCandidate);
  StunAddress a;
  a.family = 6;
  a.port = 4000;
  a.ip[15] = 1;
  w.AddXorMappedAddress(a);
  w.AddMessageIntegrity(Key("pw"), &OpenSslHmacSha1);
  w.AddFingerprint();
  ASSERT_TRUE(w.ok());
  auto m = StunMessageView::Parse(std::span<const uint8_t>(buf, w.size()));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Username(), "local:remote");
  EXPECT_EQ(m->Priority(), 12345u);
  EXPECT_EQ(m->IceControlling(), 0x0102030405060708ull);
  EXPECT_TRUE(m->Has(kStunAttrUseCandidate));
  EXPECT_EQ(m->XorMappedAddress(), a);
  EXPECT_TRUE(m->CheckMessageIntegrity(Key("pw"), &OpenSslHmacSha1));
  EXPECT_TRUE(m->CheckFingerprint());
}

TEST(StunMessageTest, ErrorCodeRoundTrip) {
  const uint8_t txid[12] = {};
  uint8_t buf[64];
  StunWriter w(buf, kStunBindingError, txid);
  w.AddErrorCode(401, "Unauthorized");
  auto m = StunMessageView::Parse(std::span<const uint8_t>(buf, w.size()));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->ErrorCode(), 401);
}

TEST(StunMessageTest, RejectsMalformed) {
  auto bad = [](std::vector<uint8_t> v) { return !StunMessageView::Parse(v).has_value(); };
  EXPECT_TRUE(bad({}));
  EXPECT_TRUE(
      bad(std::vector<uint8_t>(kRequest.begin(), kRequest.begin() + 19)));  // truncated header
  auto v = kRequest;
  v[4] ^= 1;  // cookie
  EXPECT_TRUE(bad(v));
  v = kRequest;
  v[3] += 4;  // length says more than there is
  EXPECT_TRUE(bad(v));
  v = kRequest;
  v.pop_back();  // truncated attribute
  EXPECT_TRUE(bad(v));
  v = kRequest;
  v[0] |= 0x80;  // not STUN
  EXPECT_TRUE(bad(v));
  v = kRequest;
  v[22] = 0xff;  // first attribute length runs past the end
  v[23] = 0xff;
  EXPECT_TRUE(bad(v));
  // Oversized: length field cannot describe more than 64 KiB, and extra bytes fail.
  v = kRequest;
  v.resize(v.size() + 4, 0);
  EXPECT_TRUE(bad(v));
}

TEST(StunMessageTest, TamperingBreaksIntegrityAndFingerprint) {
  auto v = kRequest;
  v[30] ^= 1;  // inside SOFTWARE
  auto m = StunMessageView::Parse(v);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->CheckFingerprint());
  EXPECT_FALSE(m->CheckMessageIntegrity(Key(kPassword), &OpenSslHmacSha1));
}

TEST(StunMessageTest, WriterFailsWhenBufferTooSmall) {
  const uint8_t txid[12] = {};
  uint8_t buf[24];
  StunWriter w(buf, kStunBindingRequest, txid);
  EXPECT_FALSE(w.AddString(kStunAttrUsername, "much too long for this"));
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.size(), 0u);
}

TEST(Crc32Test, KnownValue) {
  const std::string s = "123456789";
  EXPECT_EQ(Crc32(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size())),
            0xCBF43926u);
}

}  // namespace
}  // namespace sfu::wire

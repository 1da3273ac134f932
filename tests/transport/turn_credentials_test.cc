// TURN long-term keys against RFC 5769 §2.4, REST credentials against values computed
// independently (Python's hmac/hashlib/base64), and the strict REST username parser.
#include "transport/crypto/turn_credentials.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transport/crypto/hmac_sha1.h"
#include "transport/wire/stun_message.h"
#include "transport/wire/turn_message.h"

namespace sfu::transport {
namespace {

std::string Hex(std::span<const uint8_t> bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// RFC 5769 §2.4: Binding request with long-term credentials. Username U+30DE U+30C8 U+30EA
// U+30C3 U+30AF U+30B9 in UTF-8, password "TheMatrIX" (after SASLprep), realm "example.org".
const std::vector<uint8_t> kLongTermRequest = {
    0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42, 0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72,
    0xc0, 0x29, 0xda, 0x41, 0x2e, 0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88,
    0xe3, 0x83, 0xaa, 0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00, 0x00,
    0x15, 0x00, 0x1c, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36,
    0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46, 0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73,
    0x41, 0x00, 0x14, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72,
    0x67, 0x00, 0x00, 0x08, 0x00, 0x14, 0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e, 0x02,
    0xb8, 0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66};

TEST(TurnCredentialsTest, Rfc5769LongTermRequestVerifiesWithTheKey) {
  auto m = wire::StunMessageView::Parse(kLongTermRequest);
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->Username());
  ASSERT_TRUE(m->Realm());
  const auto key = TurnLongTermKey(*m->Username(), *m->Realm(), "TheMatrIX");
  EXPECT_EQ(Hex(key), "e8ca7ad59d5eb0518e312911d2dab2a9");
  EXPECT_TRUE(m->CheckMessageIntegrity(key, &HmacSha1));
  const auto wrong = TurnLongTermKey(*m->Username(), *m->Realm(), "TheMatrix");
  EXPECT_FALSE(m->CheckMessageIntegrity(wrong, &HmacSha1));
  // The password as typed (U+00AD soft hyphen, U+00AA, U+2168), not SASLprep'd: another key.
  const auto unprepared = TurnLongTermKey(*m->Username(), *m->Realm(),
                                          "The\xc2\xad"
                                          "M\xc2\xaatr\xe2\x85\xa8");
  EXPECT_FALSE(m->CheckMessageIntegrity(unprepared, &HmacSha1));
}

TEST(TurnCredentialsTest, LongTermKeyIsMd5OfTheColonJoinedParts) {
  // Python: hashlib.md5(b"::"), hashlib.md5(b"user:realm:pass").
  EXPECT_EQ(Hex(TurnLongTermKey("", "", "")), "4501c091b0366d76ea3218b6cfdd8097");
  EXPECT_EQ(Hex(TurnLongTermKey("user", "realm", "pass")), "8493fbc53ba582fb4c044c456bdc40eb");
  EXPECT_NE(Hex(TurnLongTermKey("ab", "c", "d")), Hex(TurnLongTermKey("a", "bc", "d")));
}

TEST(TurnCredentialsTest, RestUsernameFormat) {
  EXPECT_EQ(TurnRestUsername(1700000000, "alice"), "1700000000:alice");
  EXPECT_EQ(TurnRestUsername(1, "a:b"), "1:a:b");
}

TEST(TurnCredentialsTest, RestPasswordMatchesIndependentValues) {
  // Each: base64.b64encode(hmac.new(secret, username, hashlib.sha1).digest()) in Python.
  EXPECT_EQ(TurnRestPassword("north", "1700000000:alice"), "Cd/49soE35ICqcJF/bCTn8Z4OyE=");
  EXPECT_EQ(TurnRestPassword("", "1:x"), "wBVqeCkzFfbJeptoGEftON2+Q7I=");
  EXPECT_EQ(TurnRestPassword("0123456789abcdef0123456789abcdef",
                             "1735689600:6a1f5a3e-0c7d-4d1b-9a4e-2f1c9b8d7e6f"),
            "xS/NQ13Eu12RTwpv9CUJC8vhGTE=");
  EXPECT_EQ(TurnRestPassword("north", "1700000000:alice").size(), 28u);
}

TEST(TurnCredentialsTest, RestLongTermKey) {
  // Python: hashlib.md5(username + b":example.org:" + password).hexdigest().
  EXPECT_EQ(Hex(TurnRestLongTermKey("north", "1700000000:alice", "example.org")),
            "d9a6a3d964467baeffd2fce41704a913");
  EXPECT_EQ(Hex(TurnRestLongTermKey("north", "1700000000:alice", "example.org")),
            Hex(TurnLongTermKey("1700000000:alice", "example.org",
                                TurnRestPassword("north", "1700000000:alice"))));
}

// What a TURN client does with REST credentials, and what the server checks.
TEST(TurnCredentialsTest, AllocateSignedWithRestCredentialsVerifies) {
  const std::string secret = "shared-secret";
  const std::string username = TurnRestUsername(1735689600, "attendee-1");
  const std::string password = TurnRestPassword(secret, username);
  const auto client_key = TurnLongTermKey(username, "sfu", password);

  const uint8_t txid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  uint8_t buf[256];
  wire::StunWriter w(buf, wire::StunType(wire::kTurnAllocate, wire::StunClass::kRequest), txid);
  w.AddUint32(wire::kStunAttrRequestedTransport, uint32_t{wire::kTurnTransportUdp} << 24);
  w.AddString(wire::kStunAttrUsername, username);
  w.AddString(wire::kStunAttrRealm, "sfu");
  w.AddString(wire::kStunAttrNonce, "nonce-123");
  w.AddMessageIntegrity(client_key, &HmacSha1);
  w.AddFingerprint();
  ASSERT_TRUE(w.ok());

  auto m = wire::StunMessageView::Parse(std::span<const uint8_t>(buf, w.size()));
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->Username());
  auto user = ParseTurnRestUsername(*m->Username());
  ASSERT_TRUE(user);
  EXPECT_EQ(user->expiry_unix_s, 1735689600);
  EXPECT_EQ(user->user_id, "attendee-1");
  EXPECT_TRUE(m->CheckMessageIntegrity(TurnRestLongTermKey(secret, *m->Username(), *m->Realm()),
                                       &HmacSha1));
  EXPECT_FALSE(m->CheckMessageIntegrity(TurnRestLongTermKey("other", *m->Username(), *m->Realm()),
                                        &HmacSha1));
}

TEST(TurnCredentialsTest, ParseRestUsernameAccepts) {
  auto u = ParseTurnRestUsername("1700000000:alice");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->expiry_unix_s, 1700000000);
  EXPECT_EQ(u->user_id, "alice");
  u = ParseTurnRestUsername("0:x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->expiry_unix_s, 0);
  u = ParseTurnRestUsername("9223372036854775807:a:b c\xc3\xa9");  // int64 max; colon, space, é
  ASSERT_TRUE(u);
  EXPECT_EQ(u->expiry_unix_s, 9223372036854775807);
  EXPECT_EQ(u->user_id, "a:b c\xc3\xa9");
  const std::string longest = "1:" + std::string(kTurnRestUsernameMaxBytes - 2, 'x');
  EXPECT_TRUE(ParseTurnRestUsername(longest).has_value());
  // Whatever TurnRestUsername makes of a sane id parses back.
  u = ParseTurnRestUsername(TurnRestUsername(1735689600, "6a1f5a3e-0c7d-4d1b-9a4e-2f1c9b8d7e6f"));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->user_id, "6a1f5a3e-0c7d-4d1b-9a4e-2f1c9b8d7e6f");
}

TEST(TurnCredentialsTest, ParseRestUsernameRejects) {
  const std::string too_long = "1:" + std::string(kTurnRestUsernameMaxBytes - 1, 'x');
  const std::string_view with_nul("1:a\0b", 5);
  const char* bad[] = {
      "",
      "alice",             // no colon (coturn takes a bare timestamp; we do not)
      "1700000000",        // no id
      "1700000000:",       // empty id
      ":alice",            // empty expiry
      "alice:1700000000",  // coturn's reversed form, not ours
      "-1:alice",          // sign
      "+1:alice",
      " 1:alice",  // whitespace
      "1 :alice",
      "0x10:alice",         // hex
      "01700000000:alice",  // leading zero
      "00:alice",
      "9223372036854775808:a",   // int64 max + 1
      "99999999999999999999:a",  // 20 digits
      "1:a\nb",                  // control characters in the id
      "1:a\tb",
      "1:a\x7f",
  };
  for (const char* s : bad) EXPECT_FALSE(ParseTurnRestUsername(s).has_value()) << s;
  EXPECT_FALSE(ParseTurnRestUsername(too_long).has_value());
  EXPECT_FALSE(ParseTurnRestUsername(with_nul).has_value());
}

}  // namespace
}  // namespace sfu::transport

#include "signaling/api/join_token.h"

#include <gtest/gtest.h>

#include "base/random.h"
#include "signaling/api/crypto_util.h"

namespace sfu::api {
namespace {

const std::string kSecret(32, 'k');
constexpr char kMeeting[] = "0b9f6a4e-6e0c-4a38-9b11-3a1b3b1f4c2d";
constexpr char kAttendee[] = "5d7a1c7e-2b8f-4c1d-8a3e-9f0e1d2c3b4a";

bool IsSubprotocolSafe(const std::string& s) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return false;
  return true;
}

TEST(JoinTokenTest, MakeVerifyRoundTrip) {
  JoinTokenSigner signer(kSecret);
  const std::string token = signer.Make(kMeeting, kAttendee);
  EXPECT_EQ(token.size(), 66u);
  EXPECT_TRUE(IsSubprotocolSafe(token));
  auto claims = signer.Verify(token);
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->meeting_id, kMeeting);
  EXPECT_EQ(claims->attendee_id, kAttendee);
  EXPECT_FALSE(claims->content);
}

TEST(JoinTokenTest, DeterministicSoItSurvivesRestart) {
  EXPECT_EQ(JoinTokenSigner(kSecret).Make(kMeeting, kAttendee),
            JoinTokenSigner(kSecret).Make(kMeeting, kAttendee));
}

TEST(JoinTokenTest, ContentSuffixIsRecognised) {
  JoinTokenSigner signer(kSecret);
  auto claims = signer.Verify(signer.Make(kMeeting, kAttendee) + "#content");
  ASSERT_TRUE(claims.has_value());
  EXPECT_TRUE(claims->content);
}

TEST(JoinTokenTest, OtherSecretFails) {
  JoinTokenSigner a(kSecret);
  JoinTokenSigner b(std::string(32, 'x'));
  EXPECT_FALSE(b.Verify(a.Make(kMeeting, kAttendee)).has_value());
}

TEST(JoinTokenTest, EveryFlippedCharacterFails) {
  JoinTokenSigner signer(kSecret);
  const std::string token = signer.Make(kMeeting, kAttendee);
  for (size_t i = 0; i < token.size(); ++i) {
    std::string bad = token;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(signer.Verify(bad).has_value()) << i;
  }
}

TEST(JoinTokenTest, GarbageFails) {
  JoinTokenSigner signer(kSecret);
  for (const char* bad : {"", "#content", "abc", "!!!!", "a#content"})
    EXPECT_FALSE(signer.Verify(bad).has_value()) << bad;
  EXPECT_FALSE(signer.Verify(std::string(66, 'A')).has_value());
  EXPECT_EQ(signer.Make("not-a-uuid", kAttendee), "");
}

TEST(CryptoUtilTest, Base64UrlRoundTripAndCanonical) {
  for (size_t n = 0; n < 40; ++n) {
    std::string bytes = base::RandomBytes(n);
    auto back = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, bytes);
  }
  EXPECT_FALSE(Base64UrlDecode("A").has_value());
  EXPECT_FALSE(Base64UrlDecode("AB").has_value());  // leftover bits set: not canonical
  EXPECT_FALSE(Base64UrlDecode("a+b/").has_value());
}

TEST(CryptoUtilTest, UuidsAreVersion4AndParse) {
  const std::string u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  auto bytes = UuidToBytes(u);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(BytesToUuid(*bytes), u);
  EXPECT_FALSE(UuidToBytes("0b9f6a4e-6e0c-4a38-9b11-3a1b3b1f4c2").has_value());
  EXPECT_FALSE(UuidToBytes("0b9f6a4e_6e0c-4a38-9b11-3a1b3b1f4c2d").has_value());
}

}  // namespace
}  // namespace sfu::api

#include "transport/ice/ice_lite.h"

#include <gtest/gtest.h>

#include "transport/crypto/hmac_sha1.h"

namespace sfu::transport {
namespace {

std::vector<uint8_t> Check(const std::string& username, const std::string& pwd, bool use_candidate,
                           bool integrity = true, uint8_t tx = 1) {
  uint8_t txid[12] = {tx};
  std::vector<uint8_t> buf(512);
  wire::StunWriter w(buf, wire::kStunBindingRequest, txid);
  w.AddString(wire::kStunAttrUsername, username);
  w.AddUint32(wire::kStunAttrPriority, 1234);
  w.AddUint64(wire::kStunAttrIceControlling, 42);
  if (use_candidate) w.AddFlag(wire::kStunAttrUseCandidate);
  if (integrity) {
    w.AddMessageIntegrity(std::span(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size()),
                          &HmacSha1);
  }
  w.AddFingerprint();
  buf.resize(w.size());
  return buf;
}

wire::StunAddress Addr(uint8_t last, uint16_t port) {
  wire::StunAddress a;
  a.family = 4;
  a.port = port;
  a.ip = {127, 0, 0, last};
  return a;
}

class IceLiteTest : public ::testing::Test {
 protected:
  IceLite::Result Send(const std::vector<uint8_t>& req, const wire::StunAddress& from,
                       int64_t now) {
    auto m = wire::StunMessageView::Parse(req);
    EXPECT_TRUE(m.has_value());
    return ice_.OnBindingRequest(*m, from, out_, now);
  }
  IceLite ice_{"srvufrag", "serverpassword0123456789"};
  uint8_t out_[512];
};

TEST_F(IceLiteTest, ValidCheckIsAnsweredAndSelects) {
  auto r = Send(Check("srvufrag:cli", "serverpassword0123456789", true), Addr(1, 5000), 1000);
  ASSERT_EQ(r.outcome, IceLite::Outcome::kResponded);
  EXPECT_TRUE(r.selected_changed);
  auto resp = wire::StunMessageView::Parse(std::span<const uint8_t>(out_, r.response_size));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->type(), wire::kStunBindingSuccess);
  EXPECT_EQ(resp->XorMappedAddress(), Addr(1, 5000));
  const std::string pwd = "serverpassword0123456789";
  EXPECT_TRUE(resp->CheckMessageIntegrity(
      std::span(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size()), &HmacSha1));
  EXPECT_TRUE(resp->CheckFingerprint());
  EXPECT_EQ(ice_.selected(), Addr(1, 5000));
}

TEST_F(IceLiteTest, WrongPasswordOrUfragGets401AndSelectsNothing) {
  auto r = Send(Check("srvufrag:cli", "wrong", true), Addr(1, 5000), 1000);
  EXPECT_EQ(r.outcome, IceLite::Outcome::kRespondedError);
  auto resp = wire::StunMessageView::Parse(std::span<const uint8_t>(out_, r.response_size));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->ErrorCode(), 401);
  r = Send(Check("other:cli", "serverpassword0123456789", true), Addr(1, 5000), 1000);
  EXPECT_EQ(r.outcome, IceLite::Outcome::kRespondedError);
  EXPECT_FALSE(ice_.selected().has_value());
  EXPECT_EQ(ice_.failed_checks(), 2u);
}

TEST_F(IceLiteTest, MissingIntegrityGets400) {
  auto r = Send(Check("srvufrag:cli", "", true, /*integrity=*/false), Addr(1, 5000), 1000);
  EXPECT_EQ(r.outcome, IceLite::Outcome::kRespondedError);
  auto resp = wire::StunMessageView::Parse(std::span<const uint8_t>(out_, r.response_size));
  EXPECT_EQ(resp->ErrorCode(), 400);
}

TEST_F(IceLiteTest, FollowsANewNomination) {
  const std::string pwd = "serverpassword0123456789";
  Send(Check("srvufrag:cli", pwd, true), Addr(1, 5000), 1000);
  // A non-nominating check from elsewhere does not move the selection...
  auto r = Send(Check("srvufrag:cli", pwd, false), Addr(2, 6000), 2000);
  EXPECT_FALSE(r.selected_changed);
  EXPECT_EQ(ice_.selected(), Addr(1, 5000));
  // ...a nominating one does.
  r = Send(Check("srvufrag:cli", pwd, true), Addr(2, 6000), 3000);
  EXPECT_TRUE(r.selected_changed);
  EXPECT_EQ(ice_.selected(), Addr(2, 6000));
}

TEST_F(IceLiteTest, ConsentExpiresAfterThirtySecondsWithoutChecks) {
  const std::string pwd = "serverpassword0123456789";
  EXPECT_FALSE(ice_.ConsentExpired(100'000));  // never started: not expired
  Send(Check("srvufrag:cli", pwd, true), Addr(1, 5000), 1000);
  EXPECT_FALSE(ice_.ConsentExpired(30'000));
  Send(Check("srvufrag:cli", pwd, false), Addr(1, 5000), 25'000);
  EXPECT_FALSE(ice_.ConsentExpired(54'000));
  EXPECT_TRUE(ice_.ConsentExpired(55'001));
}

TEST(IceStringTest, RandomIceStrings) {
  const std::string a = RandomIceString(24), b = RandomIceString(24);
  EXPECT_EQ(a.size(), 24u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace sfu::transport

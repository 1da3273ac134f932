// Who gets TURN credentials in JOIN_ACK (--turn-policy; docs/DESIGN.md, "Media over TCP and
// TLS"): everyone with `always`, nobody with `never`, and with `auto` only an attendee whose
// earlier media attempt in the meeting never connected. The credentials are the TURN REST
// scheme's for the attendee.
#include <gtest/gtest.h>

#include "signaling/signaling_hub.h"
#include "tests/signaling/signaling_fixture.h"
#include "transport/crypto/turn_credentials.h"

namespace sfu::signaling {
namespace {
using proto::SdkSignalFrame;
using namespace std::chrono_literals;

class TurnOfferTest : public SignalingMeetingTest {
 protected:
  void Offer(TurnOffer::Policy policy) {
    media_.turn.secret = "turn-secret";
    media_.turn.uris = {"turns:turn.example.com:443?transport=tcp"};
    media_.turn.policy = policy;
  }
  std::optional<proto::SdkJoinAckFrame> JoinAck(const std::string& meeting,
                                                const std::string& token) {
    SignalingClient c;
    std::string error;
    if (!c.Connect("127.0.0.1", port_, meeting, token, SignalingClient::TokenVia::kSubprotocol,
                   &error))
      return std::nullopt;
    c.Send(proto::MakeFrame(SdkSignalFrame::JOIN));
    auto ack = c.ReceiveType(SdkSignalFrame::JOIN_ACK, 3000ms);
    if (!ack) return std::nullopt;
    c.Send(proto::MakeFrame(SdkSignalFrame::LEAVE));
    c.ReceiveType(SdkSignalFrame::LEAVE_ACK, 3000ms);
    return ack->joinack();
  }
};

TEST_F(TurnOfferTest, AlwaysGivesRestCredentialsForTheAttendee) {
  Offer(TurnOffer::Policy::kAlways);
  const std::string m = NewMeeting();
  auto [aid, token] = NewAttendee(m, "alice");
  auto ack = JoinAck(m, token);
  ASSERT_TRUE(ack);
  ASSERT_TRUE(ack->has_turn_credentials());
  const auto& t = ack->turn_credentials();
  const auto user = transport::ParseTurnRestUsername(t.username());
  ASSERT_TRUE(user);
  EXPECT_EQ(user->user_id, aid);
  EXPECT_GT(user->expiry_unix_s, clock_.NowUnixMs() / 1000);
  EXPECT_EQ(t.password(), transport::TurnRestPassword("turn-secret", t.username()));
  EXPECT_EQ(t.ttl(), 86'400u);
  ASSERT_EQ(t.uris_size(), 1);
  EXPECT_EQ(t.uris(0), "turns:turn.example.com:443?transport=tcp");
}

TEST_F(TurnOfferTest, NeverAndAFirstAutoJoinGiveNone) {
  Offer(TurnOffer::Policy::kNever);
  const std::string m = NewMeeting();
  auto [aid, token] = NewAttendee(m, "alice");
  auto ack = JoinAck(m, token);
  ASSERT_TRUE(ack);
  EXPECT_FALSE(ack->has_turn_credentials());
  Offer(TurnOffer::Policy::kAuto);
  ack = JoinAck(m, token);
  ASSERT_TRUE(ack);
  EXPECT_FALSE(ack->has_turn_credentials()) << "a client that may reach us directly";
}

TEST_F(TurnOfferTest, AutoRelaysAnAttendeeWhoseMediaNeverConnected) {
  Offer(TurnOffer::Policy::kAuto);
  media_.turn.failure_after_ms = 0;  // any attempt that ends unconnected counts
  const std::string m = NewMeeting();
  auto [aid, token] = NewAttendee(m, "alice");
  auto [bid, btoken] = NewAttendee(m, "bob");
  {
    // Alice subscribes (a transport is made) and leaves before any ICE check arrives.
    auto c = JoinAndSubscribe(m, token, nullptr);
    c->Send(proto::MakeFrame(SdkSignalFrame::LEAVE));
    ASSERT_TRUE(c->ReceiveType(SdkSignalFrame::LEAVE_ACK, 3000ms));
  }
  ASSERT_TRUE(OnControl([&] { return hub_.NeedsRelay(m, aid, clock_.NowSteadyMs()); }));
  auto ack = JoinAck(m, token);
  ASSERT_TRUE(ack);
  EXPECT_TRUE(ack->has_turn_credentials()) << "the retry relays";
  // Bob, who never failed, still goes direct.
  ack = JoinAck(m, btoken);
  ASSERT_TRUE(ack);
  EXPECT_FALSE(ack->has_turn_credentials());
}

TEST_F(TurnOfferTest, NoSecretMeansNoTurnWhateverThePolicy) {
  media_.turn.policy = TurnOffer::Policy::kAlways;
  const std::string m = NewMeeting();
  auto [aid, token] = NewAttendee(m, "alice");
  auto ack = JoinAck(m, token);
  ASSERT_TRUE(ack);
  EXPECT_FALSE(ack->has_turn_credentials());
}

}  // namespace
}  // namespace sfu::signaling

// Limits of the signaling front against a client that does not behave (docs/SECURITY.md §4):
// SUBSCRIBE before JOIN, many sockets on one join token, a content share outliving its
// attendee, joins while the meeting's shard is overloaded.
#include <gtest/gtest.h>

#include "signaling/signaling_front.h"
#include "tests/signaling/signaling_fixture.h"

namespace sfu::signaling {
namespace {

// Its own suite name: the fixture header's classes are per translation unit.
class SignalingLimitsTest : public SignalingMeetingTest {};

// One join token could open any number of sockets, and each SUBSCRIBE without JOIN made a
// transport and a mixer participant.
TEST_F(SignalingLimitsTest, SubscribeBeforeJoinGetsNoMedia) {
  const std::string m = NewMeeting();
  auto [a, t] = NewAttendee(m, "early");
  SignalingClient c;
  std::string error;
  ASSERT_TRUE(c.Connect("127.0.0.1", port_, m, t, SignalingClient::TokenVia::kSubprotocol, &error))
      << error;
  c.Send(Subscribe(ChromeOffer()));
  auto ack = c.ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->error().status(), 400u);
  EXPECT_FALSE(ack->suback().has_sdp_answer());
  EXPECT_EQ(shards_->Stats()[0]->transports.load() +
                (shards_->size() > 1 ? shards_->Stats()[1]->transports.load() : 0),
            0);
}

TEST_F(SignalingLimitsTest, AJoinTokenHoldsAtMostTwoSessions) {
  const std::string m = NewMeeting();
  auto [a, t] = NewAttendee(m, "looper");
  std::vector<std::unique_ptr<SignalingClient>> socks;
  for (int i = 0; i < 6; ++i) {
    socks.push_back(std::make_unique<SignalingClient>());
    std::string error;
    ASSERT_TRUE(socks.back()->Connect("127.0.0.1", port_, m, t,
                                      SignalingClient::TokenVia::kSubprotocol, &error))
        << error;
  }
  // The four oldest were superseded; the two newest still answer.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(socks[i]->WaitForClose(3000ms), 1000) << i;
  EXPECT_TRUE(PingPong(*socks[4], 1));
  EXPECT_TRUE(PingPong(*socks[5], 2));
  // A joined session is never the one superseded: JOIN on the newest, then two more sockets.
  socks[5]->Send(proto::MakeFrame(SdkSignalFrame::JOIN));
  ASSERT_TRUE(socks[5]->ReceiveType(SdkSignalFrame::JOIN_ACK, 3000ms));
  EXPECT_NE(socks[4]->WaitForClose(3000ms), 0);  // the other device's session ends (301) at JOIN
  SignalingClient extra1, extra2;
  std::string error;
  ASSERT_TRUE(
      extra1.Connect("127.0.0.1", port_, m, t, SignalingClient::TokenVia::kSubprotocol, &error));
  ASSERT_TRUE(
      extra2.Connect("127.0.0.1", port_, m, t, SignalingClient::TokenVia::kSubprotocol, &error));
  EXPECT_EQ(extra1.WaitForClose(3000ms), 1000);
  EXPECT_TRUE(PingPong(*socks[5], 3));
  EXPECT_TRUE(PingPong(extra2, 4));
}

TEST_F(SignalingLimitsTest, DeletingAnAttendeeEndsItsContentShareToo) {
  const std::string m = NewMeeting();
  auto [a, t] = NewAttendee(m, "presenter");
  auto main = Join(m, t);
  auto share = Join(m, t + "#content");
  Api("DELETE", "/meetings/" + m + "/attendees/" + a);
  auto status = share->ReceiveType(SdkSignalFrame::AUDIO_STATUS, 3000ms);
  ASSERT_TRUE(status) << "the content share must end with its attendee";
  EXPECT_EQ(status->audio_status().audio_status(), 411u);
  EXPECT_NE(share->WaitForClose(3000ms), 0);
  EXPECT_NE(main->WaitForClose(3000ms), 0);
}

// The meeting's shard runs late persistently: newcomers are refused with 4503 (the Chime client
// retries 4500-4599) so the meeting keeps its quality; an attendee already in it may reconnect.
TEST_F(SignalingLimitsTest, AnOverloadedShardRefusesNewJoinsButNotReconnects) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "inside");
  auto [b, tb] = NewAttendee(m, "newcomer");
  auto inside = Join(m, ta);
  inside->Send(Subscribe(ChromeOffer()));
  ASSERT_TRUE(inside->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms));
  const int shard = OnControl([&] { return *shards_->ShardOf(m); });
  OnControl([&] {
    shards_->ForceOverloadedForTest(static_cast<size_t>(shard), true);
    return 0;
  });
  EXPECT_EQ(RefusalCode(m, tb), 4503);
  auto again = Join(m, ta);  // a reconnect of the joined attendee
  EXPECT_TRUE(PingPong(*again, 9));
  OnControl([&] {
    shards_->ForceOverloadedForTest(static_cast<size_t>(shard), false);
    return 0;
  });
  auto later = Join(m, tb);
  EXPECT_TRUE(PingPong(*later, 10));
}

}  // namespace
}  // namespace sfu::signaling

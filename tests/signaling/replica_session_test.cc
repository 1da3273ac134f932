// Replica meetings through the signaling front (docs/DESIGN.md, "Replica meetings"): a replica
// meeting's attendee authenticates for the replica but shares its primary's live state as a
// hidden, receive-only member: it gets the primary's roster (and itself, shown to itself only),
// AUDIO_METADATA, INDEX and data messages; the primary never hears of it; its camera is refused
// with 206; PRIMARY_MEETING_JOIN is answered 501 (400 outside a replica); ending the primary ends
// it. What it hears and what it is heard as: mixer_tone_test.cc.
#include <gtest/gtest.h>

#include "tests/signaling/signaling_fixture.h"

namespace sfu::signaling {
namespace {

SdkSignalFrame SubscribeWithCamera(const std::string& sdp) {
  SdkSignalFrame f = Subscribe(sdp);
  f.mutable_sub()->set_duplex(proto::DUPLEX);
  auto* audio = f.mutable_sub()->add_send_streams();
  audio->set_media_type(proto::AUDIO);
  auto* video = f.mutable_sub()->add_send_streams();
  video->set_media_type(proto::VIDEO);
  video->set_track_label("AmazonChimeExpressVideo");
  video->set_max_bitrate_kbps(1500);
  return f;
}

SdkSignalFrame DataMessage(const std::string& data, uint32_t lifetime_ms = 0) {
  SdkSignalFrame f = proto::MakeFrame(SdkSignalFrame::DATA_MESSAGE);
  auto* m = f.mutable_data_message()->add_messages();
  m->set_topic("chat");
  m->set_data(data);
  if (lifetime_ms) m->set_lifetime_ms(lifetime_ms);
  return f;
}

class ReplicaSessionTest : public SignalingMeetingTest {
 protected:
  std::string NewReplica(const std::string& primary) {
    return std::string(Api("POST", "/meetings", R"({"PrimaryMeetingId":")" + primary + R"("})")
                           .at("Meeting")
                           .at("MeetingId")
                           .as_string());
  }
};

TEST_F(ReplicaSessionTest, ReplicaAttendeeSeesThePrimaryRosterAndLevelsAndIsNotInThem) {
  const std::string m = NewMeeting();
  const std::string r = NewReplica(m);
  auto [a, ta] = NewAttendee(m, "alice");
  auto [b, tb] = NewAttendee(m, "bob");
  auto [v, tv] = NewAttendee(r, "viewer");
  proto::SdkAudioStreamIdInfoFrame snap;
  auto ca = JoinAndSubscribe(m, ta, &snap);
  const uint32_t alice_stream = snap.streams(0).audio_stream_id();
  proto::SdkAudioStreamIdInfoFrame vsnap;
  auto cv = JoinAndSubscribe(r, tv, &vsnap);
  // The primary's roster, and the viewer itself (its own client waits for it), nobody else.
  ASSERT_EQ(vsnap.streams_size(), 2);
  EXPECT_EQ(vsnap.streams(0).attendee_id(), a);
  EXPECT_EQ(vsnap.streams(0).audio_stream_id(), alice_stream);
  EXPECT_EQ(vsnap.streams(1).attendee_id(), v);
  EXPECT_EQ(vsnap.streams(1).external_user_id(), "viewer");
  EXPECT_NE(vsnap.streams(1).audio_stream_id(), alice_stream);
  EXPECT_FALSE(ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 300ms))
      << "the primary is not told of a replica attendee";
  // The primary's changes reach the viewer.
  auto cb = JoinAndSubscribe(m, tb, &snap);
  EXPECT_EQ(snap.streams_size(), 2) << "bob sees alice and himself, not the viewer";
  auto delta = cv->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
  ASSERT_TRUE(delta);
  EXPECT_EQ(delta->audio_stream_id_info().streams(0).attendee_id(), b);
  ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 1000ms);  // bob's arrival
  // The viewer's mute and leave are nobody's business.
  SdkSignalFrame mute = proto::MakeFrame(SdkSignalFrame::AUDIO_CONTROL);
  mute.mutable_audio_control()->set_muted(true);
  cv->Send(mute);
  // Levels: the primary's speakers, to the viewer too.
  OnControl([&] {
    const int64_t now = clock_.NowSteadyMs();
    hub_.State(m).ReportLevel(a, 20, 2, now);
    hub_.PublishAudioMetadata(now);
    return 0;
  });
  auto md = cv->ReceiveType(SdkSignalFrame::AUDIO_METADATA, 3000ms);
  ASSERT_TRUE(md);
  ASSERT_EQ(md->audio_metadata().attendee_states_size(), 1);
  EXPECT_EQ(md->audio_metadata().attendee_states(0).audio_stream_id(), alice_stream);
  EXPECT_FALSE(ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 300ms));
  // INDEX counts the primary's joined attendees only; the hub keeps both views.
  EXPECT_EQ(OnControl([&] { return hub_.JoinedCount(m); }), 2u);
  EXPECT_EQ(OnControl([&] { return hub_.SessionsOf(r).size(); }), 1u);
  EXPECT_EQ(OnControl([&] { return hub_.MediaSessionsOf(m).size(); }), 3u);
  cv->Send(proto::MakeFrame(SdkSignalFrame::LEAVE));
  ASSERT_TRUE(cv->ReceiveType(SdkSignalFrame::LEAVE_ACK, 3000ms));
  EXPECT_FALSE(ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 300ms));
  cv.reset();
  EXPECT_TRUE(WaitForShard(
      [&] { return OnControl([&] { return hub_.MediaSessionsOf(m).size(); }) == 2u; }));
  EXPECT_TRUE(OnControl([&] { return hub_.State(m).Find(a) != nullptr; }))
      << "the primary's state outlives the replica attendee";
}

TEST_F(ReplicaSessionTest, ReplicaMediaIsOnThePrimarysShardInItsMixer) {
  const std::string m = NewMeeting();
  const std::string r = NewReplica(m);
  auto [a, ta] = NewAttendee(m, "alice");
  auto [v, tv] = NewAttendee(r, "viewer");
  auto ca = JoinAndSubscribe(m, ta, nullptr);
  auto cv = JoinAndSubscribe(r, tv, nullptr);
  // One mixer (the primary's) with both participants in it; the replica made none of its own.
  EXPECT_TRUE(WaitForShard([&] { return shards_->Stats()[0]->transports.load() == 2; }));
  EXPECT_TRUE(WaitForShard([&] { return shards_->Stats()[0]->mixing_participants.load() == 2; }));
  Shard& shard = shards_->shard(0);
  std::promise<std::pair<bool, bool>> mixers;
  shard.Post([&] {
    const auto& audio = shard.registry().audio;
    mixers.set_value({audio.count(m) == 1, audio.count(r) == 1});
  });
  EXPECT_EQ(mixers.get_future().get(), std::make_pair(true, false));
  EXPECT_EQ(OnControl([&] { return shards_->ShardOf(m); }), 0);
}

TEST_F(ReplicaSessionTest, ReplicaCameraIsRefusedWith206AndSeesThePrimarysCameras) {
  const std::string m = NewMeeting();
  const std::string r = NewReplica(m);
  auto [a, ta] = NewAttendee(m, "alice");
  auto [v, tv] = NewAttendee(r, "viewer");
  auto ca = Join(m, ta);
  auto cv = Join(r, tv);
  ca->Send(SubscribeWithCamera(ChromeOffer()));
  auto ack = ca->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
  ASSERT_TRUE(ack);
  ASSERT_EQ(ack->suback().allocations_size(), 1);
  const uint32_t stream = ack->suback().allocations(0).stream_id();
  ASSERT_TRUE(ca->ReceiveType(SdkSignalFrame::INDEX, 3000ms));  // alice's camera, to her too
  // The viewer's INDEX lists alice's camera (and counts one participant: alice).
  auto index = cv->ReceiveType(SdkSignalFrame::INDEX, 3000ms);
  ASSERT_TRUE(index);
  ASSERT_EQ(index->index().sources_size(), 1);
  EXPECT_EQ(index->index().sources(0).stream_id(), stream);
  EXPECT_EQ(index->index().sources(0).attendee_id(), a);
  EXPECT_EQ(index->index().num_participants(), 1u);
  // Its own camera: view only (206), inactive, no allocation, in nobody's INDEX.
  cv->Send(SubscribeWithCamera(ChromeOffer()));
  auto vack = cv->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
  ASSERT_TRUE(vack);
  EXPECT_EQ(vack->error().status(), 206u);
  EXPECT_EQ(vack->error().description(), "replica meeting attendees cannot send video");
  EXPECT_EQ(vack->suback().allocations_size(), 0);
  EXPECT_NE(vack->suback().sdp_answer().find("a=inactive"), std::string::npos);
  EXPECT_FALSE(ca->ReceiveType(SdkSignalFrame::INDEX, 500ms)) << "the index did not change";
  EXPECT_EQ(OnControl([&] { return hub_.State(m).VideoSenderCount(); }), 1u);
}

TEST_F(ReplicaSessionTest, PrimaryMeetingJoinIsRefusedAndTheSessionGoesOn) {
  const std::string m = NewMeeting();
  const std::string r = NewReplica(m);
  auto [a, ta] = NewAttendee(m, "alice");
  auto [v, tv] = NewAttendee(r, "viewer");
  auto ca = JoinAndSubscribe(m, ta, nullptr);
  auto cv = JoinAndSubscribe(r, tv, nullptr);
  SdkSignalFrame join = proto::MakeFrame(SdkSignalFrame::PRIMARY_MEETING_JOIN);
  auto* creds = join.mutable_primary_meeting_join()->mutable_credentials();
  creds->set_attendee_id(a);
  creds->set_join_token(ta);
  cv->Send(join);
  auto ack = cv->ReceiveType(SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK, 3000ms);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->error().status(), 501u);  // the client: SignalingInternalServerError
  EXPECT_EQ(ack->error().description(),
            "promotion to the primary meeting is not supported by this server");
  EXPECT_TRUE(PingPong(*cv, 7)) << "the replica session goes on";
  // Not in a replica: a 4xx (the client: SignalingBadRequest).
  ca->Send(join);
  auto bad = ca->ReceiveType(SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK, 3000ms);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->error().status(), 400u);
  EXPECT_TRUE(PingPong(*ca, 8));
}

TEST_F(ReplicaSessionTest, ReplicaReceivesThePrimarysDataMessagesAndSendsNone) {
  const std::string m = NewMeeting();
  const std::string r = NewReplica(m);
  auto [a, ta] = NewAttendee(m, "alice");
  auto [v, tv] = NewAttendee(r, "viewer");
  auto [w, tw] = NewAttendee(r, "late");
  auto ca = JoinAndSubscribe(m, ta, nullptr);
  auto cv = JoinAndSubscribe(r, tv, nullptr);
  ca->Send(DataMessage("hello", /*lifetime_ms=*/60000));
  auto got = cv->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 3000ms);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data_message().messages(0).data(), "hello");
  EXPECT_EQ(got->data_message().messages(0).sender_attendee_id(), a);
  cv->Send(DataMessage("from the audience"));
  EXPECT_FALSE(ca->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 500ms));
  EXPECT_FALSE(cv->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 200ms)) << "no bounce either";
  // A late replica attendee gets the primary's kept messages.
  auto cw = JoinAndSubscribe(r, tw, nullptr);
  auto replay = cw->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 3000ms);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->data_message().messages(0).data(), "hello");
}

TEST_F(ReplicaSessionTest, EndingThePrimaryEndsReplicaSessions) {
  const std::string m = NewMeeting();
  const std::string r = NewReplica(m);
  auto [a, ta] = NewAttendee(m, "alice");
  auto [v, tv] = NewAttendee(r, "viewer");
  auto ca = JoinAndSubscribe(m, ta, nullptr);
  auto cv = JoinAndSubscribe(r, tv, nullptr);
  Api("DELETE", "/meetings/" + m);
  for (auto* c : {ca.get(), cv.get()}) {
    auto status = c->ReceiveType(SdkSignalFrame::AUDIO_STATUS, 3000ms);
    ASSERT_TRUE(status);
    EXPECT_EQ(status->audio_status().audio_status(), 410u);
    EXPECT_EQ(c->WaitForClose(3000ms), 1000);
  }
  EXPECT_EQ(RefusalCode(r, tv), 4410);
}

TEST_F(ReplicaSessionTest, AReplicaWhosePrimaryIsGoneRefusesJoins) {
  // As when the replica was created while its primary ended (on another node).
  const std::string m = NewMeeting();
  const std::string r = NewReplica(m);
  auto [v, tv] = NewAttendee(r, "viewer");
  ASSERT_TRUE(OnControl([&] { return store_->DeleteMeeting(m); }));
  EXPECT_EQ(RefusalCode(r, tv), 4410);
}

}  // namespace
}  // namespace sfu::signaling

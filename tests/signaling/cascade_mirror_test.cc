// The cascade mirror (signaling/cascade_mirror.h, docs/DESIGN.md "Replica meetings"): a primary
// meeting's roster, INDEX sources, layer ids and levels, taken on the primary's node, carried as
// hex in a Redis inbox, and applied on a replica's node, where the replica attendees (hidden
// members of the primary's media meeting) are told what changed as the primary's own attendees
// would be.
#include "signaling/cascade_mirror.h"

#include <gtest/gtest.h>

#include "tests/signaling/signaling_fixture.h"

namespace sfu::signaling {
namespace {

proto::CascadeMirror Mirror(std::vector<std::pair<std::string, uint32_t>> present,
                            std::vector<std::pair<std::string, uint32_t>> video = {}) {
  proto::CascadeMirror m;
  for (auto& [attendee, stream] : present) {
    auto* a = m.add_present();
    a->set_attendee_id(attendee);
    a->set_external_user_id("ext-" + attendee);
    a->set_audio_stream_id(stream);
  }
  for (auto& [attendee, stream] : video) {
    auto* v = m.add_video();
    v->set_attendee_id(attendee);
    v->set_stream_id(stream);
    v->set_group_id(stream);
    v->set_max_bitrate_kbps(500);
  }
  m.set_joined(static_cast<uint32_t>(present.size()));
  return m;
}

TEST(CascadeMirrorCodecTest, TheStateOfAMeetingSurvivesTheTrip) {
  MeetingState state;
  state.Present("alice", "Alice", false);
  const uint32_t bob = state.Present("bob", "Bob \xe2\x9c\x93 with spaces", true);
  VideoSource low;
  low.stream_id = 7;
  low.group_id = 3;
  low.attendee_id = "alice";
  VideoSource high = low;
  high.stream_id = 8;
  state.PublishVideoLayers("alice", {low, high});
  state.SetVideoLayerIds("alice", {7, 9, 8});  // 9: a layer alice turned off
  state.ReportLevel("alice", 30, 2, 1000);
  state.ReportLevel("bob", 60, 1, 100);  // too old for the snapshot at 1000 ms
  const proto::CascadeMirror m = MirrorOf(state, 2, 1000);
  const std::optional<proto::CascadeMirror> back = DecodeMirror(EncodeMirror(m));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->present_size(), 2);
  EXPECT_EQ(back->present(1).audio_stream_id(), bob);
  EXPECT_EQ(back->present(1).external_user_id(), "Bob \xe2\x9c\x93 with spaces");
  EXPECT_TRUE(back->present(1).muted());
  EXPECT_EQ(back->video_size(), 2);
  ASSERT_EQ(back->levels_size(), 1);
  EXPECT_EQ(back->levels(0).attendee_id(), "alice");
  EXPECT_EQ(back->joined(), 2u);
  // The relay publisher: alice's layers in her camera's order, the off one included.
  const std::vector<RelayedPublication> pubs = RelayedPublications(*back);
  ASSERT_EQ(pubs.size(), 1u);
  EXPECT_EQ(pubs[0].attendee_id, "alice");
  EXPECT_EQ(pubs[0].stream_ids, (std::vector<uint32_t>{7, 9, 8}));
}

TEST(CascadeMirrorCodecTest, GarbageIsRefused) {
  EXPECT_FALSE(DecodeMirror("0"));         // odd length
  EXPECT_FALSE(DecodeMirror("zz"));        // not hex
  EXPECT_FALSE(DecodeMirror("ffffffff"));  // not the message
  EXPECT_TRUE(DecodeMirror(""));           // the empty state
  EXPECT_FALSE(DecodeMirror(std::string(2 * kMaxMirrorBytes + 2, '0')));
}

TEST(CascadeMirrorCodecTest, OnlyAttendeesWithVideoAreRelayPublishers) {
  proto::CascadeMirror m = Mirror({{"a", 1}, {"b", 2}}, {{"a", 5}, {"a", 4}});
  auto* stale = m.add_layers();  // layer ids of a camera that stopped: no publisher
  stale->set_attendee_id("b");
  stale->add_stream_ids(9);
  const std::vector<RelayedPublication> pubs = RelayedPublications(m);
  ASSERT_EQ(pubs.size(), 1u);
  EXPECT_EQ(pubs[0].stream_ids, (std::vector<uint32_t>{5, 4}))
      << "without a layer list, the sources' ids as listed";
}

TEST(CascadeMirrorCodecTest, RelayedDataSurvivesTheTripAndIsBounded) {
  proto::SdkDataMessageFrame f;
  auto* m = f.add_messages();
  m->set_topic("chat");
  m->set_data(std::string("\0\xff binary", 9));
  m->set_sender_attendee_id("alice");
  m->set_lifetime_ms(1000);
  const std::optional<proto::SdkDataMessageFrame> back = DecodeRelayedData(EncodeRelayedData(f));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->messages_size(), 1);
  EXPECT_EQ(back->messages(0).data(), std::string("\0\xff binary", 9));
  for (int i = 0; i < kMaxRelayedMessages; ++i) *f.add_messages() = f.messages(0);
  EXPECT_FALSE(DecodeRelayedData(EncodeRelayedData(f))) << "over kMaxRelayedMessages";
  EXPECT_FALSE(DecodeRelayedData("0g"));
}

class CascadeMirrorTest : public SignalingMeetingTest {};

TEST_F(CascadeMirrorTest, AReplicaAttendeeIsToldTheMirroredRosterAndIndex) {
  // One process plays the replica's node: the viewer joins a replica of `m`, and m's state here
  // is set by mirrors only (nobody joins m itself).
  const std::string m = NewMeeting();
  const std::string r =
      std::string(Api("POST", "/meetings", R"({"PrimaryMeetingId":")" + m + R"("})")
                      .at("Meeting")
                      .at("MeetingId")
                      .as_string());
  auto [v, tv] = NewAttendee(r, "viewer");
  proto::SdkAudioStreamIdInfoFrame snap;
  auto cv = JoinAndSubscribe(r, tv, &snap);
  ASSERT_EQ(snap.streams_size(), 1) << "itself only, before any mirror";
  EXPECT_GE(snap.streams(0).audio_stream_id(), MeetingState::kHiddenStreamIds)
      << "a hidden attendee's id never meets one of the primary's";

  // Alice and Bob are in the primary, Alice with a camera.
  EXPECT_TRUE(OnControl([&] {
    return ApplyMirror(hub_, m, Mirror({{"alice", 1}, {"bob", 2}}, {{"alice", 5}}), 0);
  })) << "the video sources changed";
  auto came = cv->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
  ASSERT_TRUE(came);
  ASSERT_EQ(came->audio_stream_id_info().streams_size(), 2);
  EXPECT_EQ(came->audio_stream_id_info().streams(0).attendee_id(), "alice");
  EXPECT_EQ(came->audio_stream_id_info().streams(0).external_user_id(), "ext-alice");
  auto index = cv->ReceiveType(SdkSignalFrame::INDEX, 3000ms);
  ASSERT_TRUE(index);
  ASSERT_EQ(index->index().sources_size(), 1);
  EXPECT_EQ(index->index().sources(0).stream_id(), 5u);
  EXPECT_EQ(index->index().sources(0).attendee_id(), "alice");
  EXPECT_EQ(index->index().num_participants(), 2u) << "the primary's count, not ours";

  // The same state again: nothing to tell. Bob leaves: one delta with his stream id only.
  EXPECT_FALSE(OnControl([&] {
    return ApplyMirror(hub_, m, Mirror({{"alice", 1}, {"bob", 2}}, {{"alice", 5}}), 0);
  }));
  OnControl([&] { return ApplyMirror(hub_, m, Mirror({{"alice", 1}}, {{"alice", 5}}), 0); });
  auto left = cv->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->audio_stream_id_info().streams_size(), 1);
  EXPECT_EQ(left->audio_stream_id_info().streams(0).audio_stream_id(), 2u);
  EXPECT_FALSE(left->audio_stream_id_info().streams(0).has_attendee_id());
  EXPECT_TRUE(OnControl([&] { return hub_.State(m).Find("bob") == nullptr; }));

  // Garbage inside a well-formed message is skipped: no stream id, or one in the hidden range.
  OnControl([&] {
    return ApplyMirror(
        hub_, m,
        Mirror({{"alice", 1}, {"zero", 0}, {"hidden", MeetingState::kHiddenStreamIds}},
               {{"alice", 5}}),
        0);
  });
  EXPECT_TRUE(
      OnControl([&] { return hub_.State(m).present().size() == 1 && hub_.State(m).mirrored(); }));
}

}  // namespace
}  // namespace sfu::signaling

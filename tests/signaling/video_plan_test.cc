#include "signaling/video_plan.h"

#include <gtest/gtest.h>

namespace sfu::signaling {
namespace {

uint32_t g_next_ssrc = 5000;
uint32_t NextSsrc() { return g_next_ssrc++; }

// An offer like the Chime client's: audio, the camera (direction `camera`, optional SSRC), then
// one video section per entry of `remote` (its direction; "" = rejected, port 0).
sdp::SessionDescription Offer(const std::string& camera, uint32_t camera_ssrc,
                              const std::vector<std::string>& remote) {
  std::string s = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
  s += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 "
       "0.0.0.0\r\na=mid:0\r\na=ice-ufrag:u\r\na=ice-pwd:pppppppppppppppppppppp\r\n"
       "a=fingerprint:sha-256 AA\r\na=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 "
       "opus/48000/2\r\n";
  auto video = [&](int mid, const std::string& dir, uint32_t ssrc) {
    s += std::string("m=video ") + (dir.empty() ? "0" : "9") +
         " UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:" + std::to_string(mid) +
         "\r\na=" + (dir.empty() ? "inactive" : dir) +
         "\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n";
    if (ssrc)
      s += "a=ssrc-group:FID " + std::to_string(ssrc) + " " + std::to_string(ssrc + 1) +
           "\r\na=ssrc:" + std::to_string(ssrc) + " cname:x\r\na=ssrc:" + std::to_string(ssrc + 1) +
           " cname:x\r\n";
  };
  video(1, camera, camera_ssrc);
  for (size_t i = 0; i < remote.size(); ++i) video(static_cast<int>(2 + i), remote[i], 0);
  auto parsed = sdp::Parse(s);
  EXPECT_TRUE(parsed.description) << parsed.error;
  return *parsed.description;
}

proto::SdkSubscribeFrame Sub(bool camera_on, std::vector<uint32_t> receive) {
  proto::SdkSubscribeFrame f;
  auto* audio = f.add_send_streams();
  audio->set_media_type(proto::AUDIO);
  if (camera_on) {
    auto* v = f.add_send_streams();
    v->set_media_type(proto::VIDEO);
    v->set_track_label("AmazonChimeExpressVideo");
    v->set_max_bitrate_kbps(1500);
    v->set_framerate(15);
  }
  for (uint32_t id : receive) f.add_receive_stream_ids(id);
  return f;
}

TEST(VideoPlanTest, PublishesTheCameraAndAllocatesGrowingIds) {
  MeetingState state;
  SessionVideoState session;
  auto offer = Offer("sendrecv", 1234, {});
  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  auto r = PlanVideo(offer, Sub(true, {0}), {"alice", "a"}, state, session, answers, &NextSsrc);
  EXPECT_TRUE(r.index_changed);
  EXPECT_EQ(answers[1].direction, "recvonly");
  EXPECT_EQ(answers[1].payload_types, (std::vector<int>{96, 97})) << "VP8 and its RTX";
  EXPECT_EQ(r.media.publication.rtx_payload_type, 97);
  ASSERT_EQ(r.allocations.size(), 1u);
  EXPECT_EQ(r.allocations[0].stream_id(), r.media.publication.stream_id());
  ASSERT_EQ(r.media.publication.layers.size(), 1u);
  EXPECT_EQ(r.media.publication.layers[0].ssrc, 1234u);
  EXPECT_EQ(r.media.publication.layers[0].rtx_ssrc, 1235u) << "from the FID group";
  EXPECT_EQ(r.media.publication.payload_type, 96);
  const auto* src = state.FindVideo(r.media.publication.stream_id());
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(src->attendee_id, "alice");
  EXPECT_EQ(src->max_bitrate_kbps, 1500u);
  const uint32_t group = src->group_id;
  // The same camera renegotiated: nothing changes.
  std::vector<sdp::MediaAnswer> again(offer.media.size());
  auto r2 = PlanVideo(offer, Sub(true, {0}), {"alice", "a"}, state, session, again, &NextSsrc);
  EXPECT_FALSE(r2.index_changed);
  EXPECT_EQ(r2.media.publication.stream_id(), r.media.publication.stream_id());
  // Camera off: unpublished; on again with a new track: a larger group id.
  auto off = Offer("inactive", 0, {});
  std::vector<sdp::MediaAnswer> a3(off.media.size());
  auto r3 = PlanVideo(off, Sub(false, {0}), {"alice", "a"}, state, session, a3, &NextSsrc);
  EXPECT_TRUE(r3.index_changed);
  EXPECT_EQ(a3[1].direction, "inactive");
  EXPECT_TRUE(state.video_sources().empty());
  auto on = Offer("sendrecv", 7777, {});
  std::vector<sdp::MediaAnswer> a4(on.media.size());
  auto r4 = PlanVideo(on, Sub(true, {0}), {"alice", "a"}, state, session, a4, &NextSsrc);
  ASSERT_EQ(state.video_sources().size(), 1u);
  EXPECT_GT(state.video_sources().begin()->second.group_id, group);
  EXPECT_GT(r4.media.publication.stream_id(), r.media.publication.stream_id());
}

TEST(VideoPlanTest, SubscribedSectionsGetFixedSsrcsMsidAndTracks) {
  MeetingState state;
  VideoSource bob{10, 3, "bob", "b", 1500, 15};
  state.PublishVideo(bob);
  VideoSource own{11, 4, "alice", "a", 1500, 15};
  state.PublishVideo(own);
  SessionVideoState session;
  // Sections: camera off; bob's stream; a stream that does not exist; our own; a rejected one.
  auto offer = Offer("inactive", 0, {"recvonly", "recvonly", "recvonly", ""});
  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  auto r = PlanVideo(offer, Sub(false, {0, 10, 99, 11, 10}), {"alice", "a"}, state, session,
                     answers, &NextSsrc);
  EXPECT_EQ(answers[2].direction, "sendonly");
  ASSERT_EQ(answers[2].send_streams.size(), 1u);
  EXPECT_EQ(answers[2].send_streams[0].stream_id, "v_2");
  EXPECT_EQ(answers[3].direction, "inactive") << "unknown stream";
  EXPECT_EQ(answers[4].direction, "inactive") << "own stream";
  EXPECT_TRUE(answers[5].reject) << "rejected section";
  ASSERT_EQ(r.media.subscriptions.size(), 1u);
  EXPECT_EQ(r.media.subscriptions[0].stream_id, 10u);
  EXPECT_EQ(r.media.subscriptions[0].mid, "2");
  ASSERT_EQ(r.tracks.size(), 1u);
  EXPECT_EQ(r.tracks[0].track_label(), "v_2");
  EXPECT_EQ(r.tracks[0].ssrc(), answers[2].send_streams[0].ssrc);
  // RTX offered (97, apt=96): answered, with our RTX SSRC in an FID group.
  EXPECT_EQ(answers[2].payload_types, (std::vector<int>{96, 97}));
  EXPECT_NE(answers[2].send_streams[0].rtx_ssrc, 0u);
  EXPECT_NE(answers[2].send_streams[0].rtx_ssrc, answers[2].send_streams[0].ssrc);
  EXPECT_EQ(r.media.subscriptions[0].rtx_payload_type, 97);
  EXPECT_EQ(r.media.subscriptions[0].rtx_ssrc, answers[2].send_streams[0].rtx_ssrc);
  // A renegotiation keeps the section's SSRCs.
  std::vector<sdp::MediaAnswer> again(offer.media.size());
  auto r2 = PlanVideo(offer, Sub(false, {0, 10}), {"alice", "a"}, state, session, again, &NextSsrc);
  ASSERT_EQ(r2.tracks.size(), 1u);
  EXPECT_EQ(r2.tracks[0].ssrc(), r.tracks[0].ssrc());
  EXPECT_EQ(r2.media.subscriptions[0].rtx_ssrc, r.media.subscriptions[0].rtx_ssrc);
}

TEST(VideoPlanTest, TheSenderCapCountsCamerasNotLayers) {
  MeetingState state;
  // Two simulcast cameras (three layers each) already publish.
  for (uint32_t cam = 0; cam < 2; ++cam) {
    std::vector<VideoSource> layers;
    for (uint32_t l = 0; l < 3; ++l)
      layers.push_back({10 * cam + l + 1, cam + 1, "cam" + std::to_string(cam), "", 300, 15});
    state.PublishVideoLayers("cam" + std::to_string(cam), layers);
  }
  EXPECT_EQ(state.video_sources().size(), 6u);
  EXPECT_EQ(state.VideoSenderCount(), 2u);
  SessionVideoState session;
  auto offer = Offer("sendrecv", 4321, {});
  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  auto r = PlanVideo(offer, Sub(true, {0}), {"third", ""}, state, session, answers, &NextSsrc, 25,
                     /*max_video_senders=*/3);
  EXPECT_FALSE(r.over_sender_capacity) << "a third camera fits a cap of 3 although 6 layers exist";
  std::vector<sdp::MediaAnswer> a2(offer.media.size());
  SessionVideoState fourth_session;
  auto r2 =
      PlanVideo(offer, Sub(true, {0}), {"fourth", ""}, state, fourth_session, a2, &NextSsrc, 25, 3);
  EXPECT_TRUE(r2.over_sender_capacity);
}

TEST(VideoPlanTest, AtMostTheSubscriptionLimitIsFilled) {
  MeetingState state;
  std::vector<std::string> remote;
  std::vector<uint32_t> want = {0};
  for (uint32_t i = 0; i < 5; ++i) {
    state.PublishVideo({100 + i, 50 + i, "p" + std::to_string(i), "", 600, 15});
    remote.push_back("recvonly");
    want.push_back(100 + i);
  }
  SessionVideoState session;
  auto offer = Offer("inactive", 0, remote);
  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  auto r = PlanVideo(offer, Sub(false, want), {"me", ""}, state, session, answers, &NextSsrc,
                     /*limit=*/3);
  EXPECT_EQ(r.media.subscriptions.size(), 3u);
  EXPECT_EQ(answers.back().direction, "inactive");
}

// An offer with an inactive camera and one recvonly section per mid.
sdp::SessionDescription OfferWithMids(const std::vector<std::string>& mids) {
  std::string s = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
  s += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 "
       "0.0.0.0\r\na=mid:0\r\na=ice-ufrag:u\r\na=ice-pwd:pppppppppppppppppppppp\r\n"
       "a=fingerprint:sha-256 AA\r\na=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 "
       "opus/48000/2\r\n";
  std::vector<std::string> all = {"cam"};
  all.insert(all.end(), mids.begin(), mids.end());
  for (size_t i = 0; i < all.size(); ++i) {
    s += "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:" + all[i] +
         "\r\na=" + (i == 0 ? "inactive" : "recvonly") +
         "\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n";
  }
  auto parsed = sdp::Parse(s);
  EXPECT_TRUE(parsed.description) << parsed.error;
  return *parsed.description;
}

// Hardening (docs/SECURITY.md): the session's per-section SSRCs were keyed by client-chosen mids
// and never pruned, so renaming mids on every SUBSCRIBE grew memory without bound.
TEST(VideoPlanTest, SectionStateFollowsTheOfferAndLongMidsAreRefused) {
  MeetingState state;
  state.PublishVideo(VideoSource{10, 3, "bob", "b", 1500, 15});
  SessionVideoState session;
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> mids;
    for (int k = 0; k < 5; ++k)
      mids.push_back("r" + std::to_string(round) + "x" + std::to_string(k));
    auto offer = OfferWithMids(mids);
    std::vector<sdp::MediaAnswer> answers(offer.media.size());
    std::vector<uint32_t> want(1 + mids.size(), 10);
    want[0] = 0;
    PlanVideo(offer, Sub(false, want), {"alice", "a"}, state, session, answers, &NextSsrc);
    EXPECT_LE(session.section_ssrcs.size(), mids.size());
    EXPECT_LE(session.section_rtx_ssrcs.size(), mids.size());
  }
  auto offer = OfferWithMids({std::string(kMaxMidLength + 1, 'm'), "ok"});
  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  auto r =
      PlanVideo(offer, Sub(false, {0, 10, 10}), {"alice", "a"}, state, session, answers, &NextSsrc);
  EXPECT_TRUE(answers[2].reject);
  EXPECT_EQ(session.section_ssrcs.count(std::string(kMaxMidLength + 1, 'm')), 0u);
  ASSERT_EQ(r.media.subscriptions.size(), 1u);
  EXPECT_EQ(r.media.subscriptions[0].mid, "ok");
}

}  // namespace
}  // namespace sfu::signaling

namespace sfu::signaling {
namespace {

// Attendee capabilities (docs/PROTOCOL.md, "Attendee capabilities"): a non-sender's camera is
// answered inactive and never reaches the index (and a published one leaves it at the next
// SUBSCRIBE); a non-receiver's sections asking for cameras or content shares are inactive.
TEST(VideoPlanTest, CapabilitiesRefusePublishingAndReceiving) {
  MeetingState state;
  state.PublishVideo(VideoSource{10, 3, "bob", "b", 1500, 15});
  state.PublishVideo(VideoSource{20, 5, "carol#content", "c", 1500, 15});
  SessionVideoState session;
  auto offer = Offer("sendrecv", 1234, {"recvonly", "recvonly"});
  VideoIdentity viewer{"alice", "a"};
  viewer.may_send = false;  // Video: Receive
  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  auto r = PlanVideo(offer, Sub(true, {0, 10, 20}), viewer, state, session, answers, &NextSsrc);
  EXPECT_EQ(answers[1].direction, "inactive") << "camera of a Receive-only attendee";
  EXPECT_FALSE(r.index_changed);
  EXPECT_EQ(state.video_sources().size(), 2u) << "nothing of alice's in the index";
  EXPECT_EQ(answers[2].direction, "sendonly");
  EXPECT_EQ(answers[3].direction, "sendonly");

  // Video None + Content Receive is refused by the API; Video Receive + Content None: cameras
  // come, content shares do not.
  VideoIdentity no_content{"dave", "d"};
  no_content.may_receive_content = false;
  SessionVideoState s2;
  std::vector<sdp::MediaAnswer> a2(offer.media.size());
  auto offer2 = Offer("inactive", 0, {"recvonly", "recvonly"});
  auto r2 = PlanVideo(offer2, Sub(false, {0, 10, 20}), no_content, state, s2, a2, &NextSsrc);
  EXPECT_EQ(a2[2].direction, "sendonly") << "bob's camera";
  EXPECT_EQ(a2[3].direction, "inactive") << "carol's content share";
  ASSERT_EQ(r2.media.subscriptions.size(), 1u);

  VideoIdentity blind{"erin", "e"};
  blind.may_receive_video = false;
  blind.may_receive_content = false;
  SessionVideoState s3;
  std::vector<sdp::MediaAnswer> a3(offer2.media.size());
  auto r3 = PlanVideo(offer2, Sub(false, {0, 10, 20}), blind, state, s3, a3, &NextSsrc);
  EXPECT_TRUE(r3.media.subscriptions.empty());
  EXPECT_EQ(a3[2].direction, "inactive");

  // A publishing attendee whose capability drops to Receive leaves the index at its next offer.
  SessionVideoState pub;
  std::vector<sdp::MediaAnswer> a4(offer.media.size());
  PlanVideo(offer, Sub(true, {0}), {"frank", "f"}, state, pub, a4, &NextSsrc);
  EXPECT_EQ(state.video_sources().size(), 3u);
  VideoIdentity frank{"frank", "f"};
  frank.may_send = false;
  std::vector<sdp::MediaAnswer> a5(offer.media.size());
  auto r5 = PlanVideo(offer, Sub(true, {0}), frank, state, pub, a5, &NextSsrc);
  EXPECT_TRUE(r5.index_changed);
  EXPECT_EQ(a5[1].direction, "inactive");
  EXPECT_EQ(state.video_sources().size(), 2u);
}

}  // namespace
}  // namespace sfu::signaling

namespace sfu::signaling {
namespace {

// A replica meeting's attendee (docs/DESIGN.md, "Replica meetings"): its camera is refused with
// the 206 flag and never indexed; it subscribes to the primary's cameras and content as anyone.
TEST(VideoPlanTest, AViewOnlyAttendeesCameraIsRefusedWith206AndItReceives) {
  MeetingState state;
  state.PublishVideo(VideoSource{10, 3, "bob", "b", 1500, 15});
  state.PublishVideo(VideoSource{20, 5, "carol#content", "c", 1500, 15});
  SessionVideoState session;
  auto offer = Offer("sendrecv", 1234, {"recvonly", "recvonly"});
  VideoIdentity viewer{"replica-viewer", "v"};
  viewer.view_only = true;
  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  auto r = PlanVideo(offer, Sub(true, {0, 10, 20}), viewer, state, session, answers, &NextSsrc);
  EXPECT_TRUE(r.view_only_refused);
  EXPECT_FALSE(r.over_sender_capacity);
  EXPECT_EQ(answers[1].direction, "inactive");
  EXPECT_TRUE(r.allocations.empty());
  EXPECT_FALSE(r.index_changed);
  EXPECT_EQ(state.video_sources().size(), 2u);
  EXPECT_EQ(session.stream_id, 0u);
  EXPECT_EQ(answers[2].direction, "sendonly") << "bob's camera";
  EXPECT_EQ(answers[3].direction, "sendonly") << "carol's content";
  EXPECT_EQ(r.media.subscriptions.size(), 2u);
  // Without a camera offered there is nothing to refuse.
  std::vector<sdp::MediaAnswer> a2(offer.media.size());
  auto r2 = PlanVideo(Offer("inactive", 0, {"recvonly"}), Sub(false, {0, 10}), viewer, state,
                      session, a2, &NextSsrc);
  EXPECT_FALSE(r2.view_only_refused);
}

}  // namespace
}  // namespace sfu::signaling

namespace sfu::signaling {
namespace {

// A subscriber asks for a simulcast layer in the same instant its sender turns that layer off
// (the sender's uplink policy does when a content share starts): the section stays sendonly,
// on the layer asked for (forwarding feeds it the best layer arriving), instead of going
// inactive, which makes the client end the track and drop the tile.
TEST(VideoPlanTest, ALayerJustTurnedOffKeepsItsSubscribers) {
  MeetingState state;
  state.PublishVideoLayers(
      "bob", {VideoSource{20, 5, "bob", "b", 300, 15}, VideoSource{22, 5, "bob", "b", 1200, 15}});
  state.SetVideoLayerIds("bob", {20, 21, 22});  // 21 (mid) is off
  ASSERT_EQ(state.FindVideo(21), nullptr);
  const VideoSource* fed = state.FindVideoForSubscription(21);
  ASSERT_NE(fed, nullptr);
  EXPECT_EQ(fed->attendee_id, "bob");
  EXPECT_EQ(state.FindVideoForSubscription(99), nullptr);

  SessionVideoState session;
  auto offer = Offer("inactive", 0, {"recvonly"});
  std::vector<sdp::MediaAnswer> answers(offer.media.size());
  auto r =
      PlanVideo(offer, Sub(false, {0, 21}), {"alice", "a"}, state, session, answers, &NextSsrc);
  EXPECT_EQ(answers[2].direction, "sendonly");
  ASSERT_EQ(r.media.subscriptions.size(), 1u);
  EXPECT_EQ(r.media.subscriptions[0].stream_id, 21u);

  // Once the camera is gone, its layers are gone with it.
  state.UnpublishVideo("bob");
  EXPECT_EQ(state.FindVideoForSubscription(21), nullptr);
  EXPECT_EQ(state.FindVideoForSubscription(20), nullptr);
}

}  // namespace
}  // namespace sfu::signaling

// Client->server frames built byte by byte from the field tables of docs/PROTOCOL.md §4 (as
// the JS client fills them), decoded through DecodeFrame: the .proto must put every value where
// the document says the client puts it.
#include <gtest/gtest.h>

#include <string>

#include "signaling/proto/frame_codec.h"
#include "tests/signaling/proto/raw_protobuf.h"

namespace sfu::signaling::proto {
namespace {

using testing::Bytes;
using testing::Envelope;
using testing::Raw;

constexpr uint64_t kTs = 1'700'000'000'123;

SdkSignalFrame MustDecode(const Bytes& bytes) {
  std::string error;
  auto frame = DecodeFrame(bytes, &error);
  EXPECT_TRUE(frame) << error;
  return frame.value_or(SdkSignalFrame());
}

TEST(ClientFramesTest, DecodesJsJoin) {
  const Raw details = Raw()
                          .String(5, "Chrome")
                          .String(6, "156")
                          .String(7, "amazon-chime-sdk-js")
                          .String(8, "3.32.0")
                          .String(9, "+01:00")
                          .String(10, "Linux")
                          .String(11, "x86_64");
  const Raw join = Raw()
                       .Varint(1, 2)           // protocol_version
                       .Varint(3, 2)           // flags = HAS_STREAM_UPDATE
                       .Message(4, details)    // client_details
                       .Varint(6, 0xF00DF00D)  // audio_session_id
                       .Varint(7, 1)           // wants_compressed_sdp
                       .Varint(10, 1)          // server_side_network_adaption = DEFAULT
                       .Varint(12, 0)          // wants_all_temporal_layers_in_index
                       .Varint(13, 0);         // disable_periodic_keyframe_request...
  const SdkSignalFrame f = MustDecode(Envelope(kTs, 1).Message(4, join).Frame());
  EXPECT_EQ(f.timestamp_ms(), kTs);
  EXPECT_EQ(f.type(), SdkSignalFrame::JOIN);
  ASSERT_TRUE(f.has_join());
  const SdkJoinFrame& j = f.join();
  EXPECT_EQ(j.protocol_version(), 2u);
  EXPECT_FALSE(j.has_max_num_of_videos());
  EXPECT_EQ(j.flags(), static_cast<uint32_t>(HAS_STREAM_UPDATE));
  EXPECT_EQ(j.audio_session_id(), 0xF00DF00Du);
  EXPECT_TRUE(j.wants_compressed_sdp());
  EXPECT_EQ(j.server_side_network_adaption(), DEFAULT);
  EXPECT_EQ(j.supported_server_side_network_adaptions_size(), 0);
  EXPECT_TRUE(j.has_wants_all_temporal_layers_in_index());
  EXPECT_FALSE(j.wants_all_temporal_layers_in_index());
  EXPECT_FALSE(j.disable_periodic_keyframe_request_on_content_sender());
  EXPECT_EQ(j.client_details().platform_name(), "Chrome");
  EXPECT_EQ(j.client_details().platform_version(), "156");
  EXPECT_EQ(j.client_details().client_source(), "amazon-chime-sdk-js");
  EXPECT_EQ(j.client_details().chime_sdk_version(), "3.32.0");
  EXPECT_EQ(j.client_details().client_utc_offset(), "+01:00");
  EXPECT_EQ(j.client_details().os_name(), "Linux");
  EXPECT_EQ(j.client_details().os_version(), "x86_64");
  EXPECT_FALSE(j.client_details().has_app_name());
}

TEST(ClientFramesTest, DecodesJoinWithPriorityPolicyInBothRepeatedEncodings) {
  // [NONE, BANDWIDTH_PROBING, BANDWIDTH_PROBING_AND_VIDEO_QUALITY_ADAPTION], once unpacked (one
  // key per element) and once packed: a proto2 parser must take both.
  const Raw unpacked = Raw().Varint(10, 4).Varint(11, 2).Varint(11, 3).Varint(11, 4).Varint(12, 1);
  const Raw packed = Raw().Varint(10, 4).Packed(11, {2, 3, 4}).Varint(12, 1);
  for (const Raw* join : {&unpacked, &packed}) {
    const SdkSignalFrame f = MustDecode(Envelope(kTs, 1).Message(4, *join).Frame());
    const SdkJoinFrame& j = f.join();
    EXPECT_EQ(j.server_side_network_adaption(), BANDWIDTH_PROBING_AND_VIDEO_QUALITY_ADAPTION);
    ASSERT_EQ(j.supported_server_side_network_adaptions_size(), 3);
    EXPECT_EQ(j.supported_server_side_network_adaptions(0), NONE);
    EXPECT_EQ(j.supported_server_side_network_adaptions(1), BANDWIDTH_PROBING);
    EXPECT_EQ(j.supported_server_side_network_adaptions(2),
              BANDWIDTH_PROBING_AND_VIDEO_QUALITY_ADAPTION);
    EXPECT_TRUE(j.wants_all_temporal_layers_in_index());
    EXPECT_FALSE(j.has_protocol_version());
    EXPECT_EQ(j.protocol_version(), 2u);  // "(default 2)"
  }
}

TEST(ClientFramesTest, DecodesCppSdkJoinExtras) {
  // The C++ SDK sends max_num_of_videos 25, audio_receive_type (14) and opt-ins 15/16.
  const Raw join = Raw().Varint(1, 3).Varint(2, 25).Varint(14, 1).Varint(15, 1).Varint(16, 1);
  const SdkSignalFrame f = MustDecode(Envelope(kTs, 1).Message(4, join).Frame());
  EXPECT_EQ(f.join().max_num_of_videos(), 25u);
  EXPECT_EQ(f.join().audio_receive_type(), UNMIXED_STREAM);
  EXPECT_EQ(f.join().unknown_fields().field_count(), 2);  // 15 and 16 kept, not lost
}

TEST(ClientFramesTest, DecodesSubscribeWithOffer) {
  const std::string offer =
      "v=0\r\no=mozilla-chrome 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE 0 1 2\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  const Raw audio = Raw()
                        .Varint(1, 1)                          // stream_id
                        .Varint(2, 15)                         // framerate
                        .Varint(3, 600)                        // max_bitrate_kbps
                        .String(4, "AmazonChimeExpressAudio")  // track_label
                        .Varint(6, 1)                          // group_id
                        .Varint(7, 400000)                     // avg_bitrate_bps
                        .String(8, "a-1")                      // attendee_id
                        .Varint(9, 1);                         // media_type AUDIO
  const Raw video = Raw()
                        .Varint(1, 2)
                        .Varint(2, 15)
                        .Varint(3, 1500)
                        .String(4, "AmazonChimeExpressVideo")
                        .Varint(6, 2)
                        .String(8, "a-1")
                        .Varint(9, 2)      // VIDEO
                        .Varint(11, 640)   // width
                        .Varint(12, 384);  // height
  const Raw sub = Raw()
                      .Varint(1, 3)  // duplex DUPLEX
                      .Message(2, audio)
                      .Message(2, video)
                      .Varint(3, 0)  // receive_stream_ids: camera section
                      .Varint(3, 21)
                      .String(4, offer)
                      .String(5, "m-1")
                      .Varint(6, 0)   // audio_checkin
                      .Varint(7, 1);  // audio_muted
  const SdkSignalFrame f = MustDecode(Envelope(kTs, 3).Message(6, sub).Frame());
  EXPECT_EQ(f.type(), SdkSignalFrame::SUBSCRIBE);
  const SdkSubscribeFrame& s = f.sub();
  EXPECT_EQ(s.duplex(), DUPLEX);
  ASSERT_EQ(s.send_streams_size(), 2);
  EXPECT_EQ(s.send_streams(0).stream_id(), 1u);
  EXPECT_EQ(s.send_streams(0).framerate(), 15u);
  EXPECT_EQ(s.send_streams(0).max_bitrate_kbps(), 600u);
  EXPECT_EQ(s.send_streams(0).track_label(), "AmazonChimeExpressAudio");
  EXPECT_EQ(s.send_streams(0).group_id(), 1u);
  EXPECT_EQ(s.send_streams(0).avg_bitrate_bps(), 400000u);
  EXPECT_EQ(s.send_streams(0).attendee_id(), "a-1");
  EXPECT_EQ(s.send_streams(0).media_type(), AUDIO);
  EXPECT_EQ(s.send_streams(1).media_type(), VIDEO);
  EXPECT_EQ(s.send_streams(1).track_label(), "AmazonChimeExpressVideo");
  EXPECT_EQ(s.send_streams(1).width(), 640u);
  EXPECT_EQ(s.send_streams(1).height(), 384u);
  ASSERT_EQ(s.receive_stream_ids_size(), 2);
  EXPECT_EQ(s.receive_stream_ids(0), 0u);
  EXPECT_EQ(s.receive_stream_ids(1), 21u);
  EXPECT_EQ(s.sdp_offer(), offer);
  EXPECT_EQ(s.audio_host(), "m-1");
  EXPECT_FALSE(s.audio_checkin());
  EXPECT_TRUE(s.has_audio_muted());
  EXPECT_TRUE(s.audio_muted());
  EXPECT_FALSE(s.has_compressed_sdp_offer());
  EXPECT_EQ(s.video_subscription_configuration_size(), 0);
}

TEST(ClientFramesTest, DecodesSubscribeWithVideoSubscriptionConfiguration) {
  const Raw config = Raw()
                         .String(1, "2")  // mid
                         .String(2, "a-2")
                         .Varint(3, 21)
                         .Varint(4, 1)    // priority
                         .Varint(5, 800)  // target_bitrate_kbps
                         .Varint(6, 3)    // group_id
                         .Varint(7, 2);   // MAINTAIN_FRAMERATE
  const Raw sub = Raw().Varint(1, 1).Packed(3, {0, 21}).Message(9, config);
  const SdkSignalFrame f = MustDecode(Envelope(kTs, 3).Message(6, sub).Frame());
  ASSERT_EQ(f.sub().video_subscription_configuration_size(), 1);
  const SdkVideoSubscriptionConfiguration& c = f.sub().video_subscription_configuration(0);
  EXPECT_EQ(c.mid(), "2");
  EXPECT_EQ(c.attendee_id(), "a-2");
  EXPECT_EQ(c.stream_id(), 21u);
  EXPECT_EQ(c.priority(), 1u);
  EXPECT_EQ(c.target_bitrate_kbps(), 800u);
  EXPECT_EQ(c.group_id(), 3u);
  EXPECT_EQ(c.quality_adaptation_preference(), MAINTAIN_FRAMERATE);
  EXPECT_EQ(f.sub().duplex(), RX);
  ASSERT_EQ(f.sub().receive_stream_ids_size(), 2);
  EXPECT_EQ(f.sub().receive_stream_ids(1), 21u);
}

TEST(ClientFramesTest, DecodesPing) {
  // §5.1 step 2: PING id 1 right after open, usually before JOIN.
  const SdkSignalFrame f =
      MustDecode(Envelope(kTs, 19).Message(20, Raw().Varint(1, 1).Varint(2, 1)).Frame());
  EXPECT_EQ(f.type(), SdkSignalFrame::PING_PONG);
  EXPECT_EQ(f.ping_pong().type(), PING);
  EXPECT_EQ(f.ping_pong().ping_id(), 1u);
}

TEST(ClientFramesTest, DecodesLeaveWithAndWithoutItsEmptySubMessage) {
  const SdkSignalFrame with = MustDecode(Envelope(kTs, 9).Message(11, Raw()).Frame());
  EXPECT_EQ(with.type(), SdkSignalFrame::LEAVE);
  EXPECT_TRUE(with.has_leave());
  const SdkSignalFrame without = MustDecode(Envelope(kTs, 9).Frame());
  EXPECT_EQ(without.type(), SdkSignalFrame::LEAVE);
  EXPECT_FALSE(without.has_leave());
}

TEST(ClientFramesTest, DecodesDataMessage) {
  // §4.15: the client sends topic, data and lifetime_ms; sender fields empty.
  const std::string payload("{\"text\":\"hi\"}\x00\xff", 15);
  const Raw message = Raw().String(1, "chat-1").String(2, payload).Varint(3, 300000);
  const Raw data = Raw().Message(1, message).Message(1, Raw().String(1, "x").String(2, ""));
  const SdkSignalFrame f = MustDecode(Envelope(kTs, 22).Message(23, data).Frame());
  EXPECT_EQ(f.type(), SdkSignalFrame::DATA_MESSAGE);
  ASSERT_EQ(f.data_message().messages_size(), 2);
  const SdkDataMessagePayload& m = f.data_message().messages(0);
  EXPECT_EQ(m.topic(), "chat-1");
  EXPECT_EQ(m.data(), payload);
  EXPECT_EQ(m.lifetime_ms(), 300000u);
  EXPECT_FALSE(m.has_sender_attendee_id());
  EXPECT_FALSE(m.has_sender_external_user_id());
  EXPECT_FALSE(m.has_ingest_time_ns());
  EXPECT_TRUE(f.data_message().messages(1).has_data());
  EXPECT_TRUE(f.data_message().messages(1).data().empty());
}

TEST(ClientFramesTest, DecodesAudioControlMuteAndUnmute) {
  const SdkSignalFrame mute = MustDecode(Envelope(kTs, 16).Message(17, Raw().Varint(1, 1)).Frame());
  EXPECT_EQ(mute.type(), SdkSignalFrame::AUDIO_CONTROL);
  EXPECT_TRUE(mute.audio_control().muted());
  const SdkSignalFrame unmute =
      MustDecode(Envelope(kTs, 16).Message(17, Raw().Varint(1, 0)).Frame());
  EXPECT_TRUE(unmute.audio_control().has_muted());
  EXPECT_FALSE(unmute.audio_control().muted());
}

TEST(ClientFramesTest, DecodesClientMetric) {
  const Raw metric = Raw().Varint(1, 5).Double(2, 1.5);
  const Raw unknown_metric = Raw().Varint(1, 137).Double(2, -2.25);  // id the doc does not list
  const Raw dimension = Raw().Varint(1, 1).Message(2, Raw().String(1, "VP8"));
  const Raw stream = Raw()
                         .Varint(3, 21)  // stream_id
                         .Varint(4, 3)   // group_id
                         .Message(5, metric)
                         .Message(6, dimension)
                         .Varint(7, 2);  // media_type
  const Raw client_metric = Raw().Message(1, metric).Message(1, unknown_metric).Message(2, stream);
  const Bytes wire = Envelope(kTs, 21).Message(22, client_metric).Frame();
  const SdkSignalFrame f = MustDecode(wire);
  EXPECT_EQ(f.type(), SdkSignalFrame::CLIENT_METRIC);
  const SdkClientMetricFrame& m = f.client_metric();
  ASSERT_EQ(m.global_metrics_size(), 2);
  EXPECT_EQ(m.global_metrics(0).type(), 5u);
  EXPECT_EQ(m.global_metrics(0).value(), 1.5);
  EXPECT_EQ(m.global_metrics(1).type(), 137u);
  EXPECT_EQ(m.global_metrics(1).value(), -2.25);
  ASSERT_EQ(m.stream_metric_frames_size(), 1);
  const SdkStreamMetricFrame& s = m.stream_metric_frames(0);
  EXPECT_EQ(s.stream_id(), 21u);
  EXPECT_EQ(s.group_id(), 3u);
  ASSERT_EQ(s.metrics_size(), 1);
  EXPECT_EQ(s.metrics(0).type(), 5u);
  ASSERT_EQ(s.dimensions_size(), 1);
  EXPECT_EQ(s.dimensions(0), std::string(dimension.bytes().begin(), dimension.bytes().end()));
  EXPECT_EQ(s.media_type(), 2u);
  // Nothing is lost: re-encoding gives back the client's bytes.
  EXPECT_EQ(EncodeFrame(f), wire);
}

TEST(ClientFramesTest, DecodesMeetingSessionTimingKeepingItsFields) {
  const Raw timing =
      Raw().Varint(1, kTs).Varint(2, kTs + 1).Varint(3, kTs + 2).Varint(4, kTs + 3).Varint(5, 9);
  const Bytes wire = Envelope(kTs, 43).Message(44, timing).Frame();
  const SdkSignalFrame f = MustDecode(wire);
  EXPECT_EQ(f.type(), SdkSignalFrame::MEETING_SESSION_TIMING);
  EXPECT_EQ(f.meeting_session_timing().unknown_fields().field_count(), 5);
  EXPECT_EQ(EncodeFrame(f), wire);
}

TEST(ClientFramesTest, DecodesRemoteVideoUpdate) {
  // §4.17: a layer switch on mid "3", and mid "4" removed.
  const Raw added = Raw().String(1, "3").String(2, "a-2").Varint(3, 22).Varint(6, 3);
  const Raw update = Raw().Message(1, added).String(2, "4");
  const SdkSignalFrame f = MustDecode(Envelope(kTs, 24).Message(25, update).Frame());
  EXPECT_EQ(f.type(), SdkSignalFrame::REMOTE_VIDEO_UPDATE);
  const SdkRemoteVideoUpdateFrame& u = f.remote_video_update();
  ASSERT_EQ(u.added_or_updated_video_subscriptions_size(), 1);
  EXPECT_EQ(u.added_or_updated_video_subscriptions(0).mid(), "3");
  EXPECT_EQ(u.added_or_updated_video_subscriptions(0).attendee_id(), "a-2");
  EXPECT_EQ(u.added_or_updated_video_subscriptions(0).stream_id(), 22u);
  EXPECT_EQ(u.added_or_updated_video_subscriptions(0).group_id(), 3u);
  ASSERT_EQ(u.removed_video_subscription_mids_size(), 1);
  EXPECT_EQ(u.removed_video_subscription_mids(0), "4");
}

TEST(ClientFramesTest, DecodesPauseAndResumeOfStreams) {
  const SdkSignalFrame pause =
      MustDecode(Envelope(kTs, 7).Message(10, Raw().Varint(1, 21).Varint(1, 22)).Frame());
  EXPECT_EQ(pause.type(), SdkSignalFrame::PAUSE);
  ASSERT_EQ(pause.pause().stream_ids_size(), 2);
  EXPECT_EQ(pause.pause().stream_ids(1), 22u);
  const SdkSignalFrame resume =
      MustDecode(Envelope(kTs, 8).Message(10, Raw().Packed(1, {21})).Frame());
  EXPECT_EQ(resume.type(), SdkSignalFrame::RESUME);
  ASSERT_EQ(resume.pause().stream_ids_size(), 1);
}

TEST(ClientFramesTest, DecodesPrimaryMeetingJoin) {
  const Raw credentials = Raw().String(1, "a-1").String(2, "alice").String(3, "tok");
  const SdkSignalFrame f =
      MustDecode(Envelope(kTs, 25).Message(26, Raw().Message(1, credentials)).Frame());
  EXPECT_EQ(f.type(), SdkSignalFrame::PRIMARY_MEETING_JOIN);
  EXPECT_EQ(f.primary_meeting_join().credentials().attendee_id(), "a-1");
  EXPECT_EQ(f.primary_meeting_join().credentials().external_user_id(), "alice");
  EXPECT_EQ(f.primary_meeting_join().credentials().join_token(), "tok");
}

TEST(ClientFramesTest, KeepsUnknownFieldsOfTheEnvelope) {
  // A newer client may add fields (§3.1: unknown fields are skipped); they survive a round trip.
  const Bytes wire = Envelope(kTs, 19)
                         .Message(20, Raw().Varint(1, 2).Varint(2, 9))
                         .String(99, "future")
                         .Varint(100, 7)
                         .Frame();
  const SdkSignalFrame f = MustDecode(wire);
  EXPECT_EQ(f.unknown_fields().field_count(), 2);
  EXPECT_EQ(EncodeFrame(f), wire);
}

}  // namespace
}  // namespace sfu::signaling::proto

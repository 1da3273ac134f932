// Wire compatibility of chime_signaling.proto with docs/PROTOCOL.md §3-§4: the exact bytes our
// builders emit, every field number/type/label and enum value checked against a table typed from
// the document, proto2 presence and the documented defaults.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "signaling/proto/frame_codec.h"
#include "tests/signaling/proto/raw_protobuf.h"

namespace sfu::signaling::proto {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using testing::Bytes;
using testing::Envelope;
using testing::Raw;

// §3.2: each Type value and the envelope field of its sub-message, as the document lists them.
struct TypeRow {
  const char* name;
  int value;
  int field;
};
constexpr TypeRow kTypeTable[] = {
    {"JOIN", 1, 4},
    {"JOIN_ACK", 2, 5},
    {"SUBSCRIBE", 3, 6},
    {"SUBSCRIBE_ACK", 4, 7},
    {"INDEX", 5, 8},
    {"PAUSE", 7, 10},
    {"RESUME", 8, 10},
    {"LEAVE", 9, 11},
    {"LEAVE_ACK", 10, 12},
    {"BITRATES", 13, 14},
    {"AUDIO_CONTROL", 16, 17},
    {"AUDIO_METADATA", 17, 18},
    {"AUDIO_STREAM_ID_INFO", 18, 19},
    {"PING_PONG", 19, 20},
    {"AUDIO_STATUS", 20, 21},
    {"CLIENT_METRIC", 21, 22},
    {"DATA_MESSAGE", 22, 23},
    {"AUDIO_TRANSCRIPT", 23, 24},
    {"REMOTE_VIDEO_UPDATE", 24, 25},
    {"PRIMARY_MEETING_JOIN", 25, 26},
    {"PRIMARY_MEETING_JOIN_ACK", 26, 27},
    {"PRIMARY_MEETING_LEAVE", 27, 28},
    {"NOTIFICATION", 34, 35},
    {"MEETING_SESSION_TIMING", 43, 44},
};

TEST(WireFormatTest, TypeValuesMatchTheDocument) {
  const EnumDescriptor* d = SdkSignalFrame::Type_descriptor();
  EXPECT_EQ(d->value_count(), static_cast<int>(std::size(kTypeTable)));
  for (const TypeRow& row : kTypeTable) {
    SCOPED_TRACE(row.name);
    const auto* v = d->FindValueByName(row.name);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->number(), row.value);
  }
}

// MakeFrame(type, 1) must be exactly: prefix, timestamp_ms=1 on field 1, type on field 2, and an
// empty sub-message on the field the document gives.
TEST(WireFormatTest, BuilderBytesPutEachSubMessageOnItsDocumentedField) {
  for (const TypeRow& row : kTypeTable) {
    SCOPED_TRACE(row.name);
    SdkSignalFrame::Type type = SdkSignalFrame::JOIN;
    ASSERT_TRUE(SdkSignalFrame::Type_Parse(row.name, &type));
    if (type == SdkSignalFrame::PING_PONG) continue;  // has required inner fields: see below
    const SdkSignalFrame frame = MakeFrame(type, 1);
    Bytes expected = {0x05, 0x08, 0x01, 0x10, static_cast<uint8_t>(row.value)};
    const int key = (row.field << 3) | 2;  // length-delimited
    if (key < 0x80) {
      expected.push_back(static_cast<uint8_t>(key));
    } else {
      expected.push_back(static_cast<uint8_t>(key | 0x80));
      expected.push_back(static_cast<uint8_t>(key >> 7));
    }
    expected.push_back(0x00);  // empty sub-message
    EXPECT_EQ(EncodeFrame(frame), expected);
  }
}

TEST(WireFormatTest, ExactBytesOfCommonServerFrames) {
  // JOIN_ACK: 05 | 08 01 (timestamp_ms=1) | 10 02 (type=JOIN_ACK) | 2A 00 (field 5, empty).
  EXPECT_EQ(EncodeFrame(MakeFrame(SdkSignalFrame::JOIN_ACK, 1)),
            (Bytes{0x05, 0x08, 0x01, 0x10, 0x02, 0x2A, 0x00}));
  // INDEX with num_participants=2: field 8 (0x42), inner field 4 varint (0x20 0x02).
  SdkSignalFrame index = MakeFrame(SdkSignalFrame::INDEX, 1);
  index.mutable_index()->set_num_participants(2);
  EXPECT_EQ(EncodeFrame(index), (Bytes{0x05, 0x08, 0x01, 0x10, 0x05, 0x42, 0x02, 0x20, 0x02}));
  // PONG id 7: field 20 is a two-byte key (A2 01), inner type=2 (08 02), ping_id=7 (10 07).
  EXPECT_EQ(EncodeFrame(MakePingPong(PONG, 7, 1)),
            (Bytes{0x05, 0x08, 0x01, 0x10, 0x13, 0xA2, 0x01, 0x04, 0x08, 0x02, 0x10, 0x07}));
  // AUDIO_STATUS 410: field 21 (AA 01), inner field 1 = 410 (08 9A 03).
  SdkSignalFrame status = MakeFrame(SdkSignalFrame::AUDIO_STATUS, 1);
  status.mutable_audio_status()->set_audio_status(410);
  EXPECT_EQ(EncodeFrame(status),
            (Bytes{0x05, 0x08, 0x01, 0x10, 0x14, 0xAA, 0x01, 0x03, 0x08, 0x9A, 0x03}));
  // Error status on any frame: field 3 (1A), status 206 (08 CE 01).
  SdkSignalFrame error = MakeFrame(SdkSignalFrame::LEAVE_ACK, 1);
  error.mutable_error()->set_status(206);
  EXPECT_EQ(EncodeFrame(error),
            (Bytes{0x05, 0x08, 0x01, 0x10, 0x0A, 0x1A, 0x03, 0x08, 0xCE, 0x01, 0x62, 0x00}));
  // A large timestamp (just under 2^53, §3.2) is a plain varint on field 1.
  SdkSignalFrame late = MakeFrame(SdkSignalFrame::LEAVE_ACK, (1ull << 53) - 1);
  const Bytes late_wire = EncodeFrame(late);
  EXPECT_EQ(late_wire, Raw().Varint(1, (1ull << 53) - 1).Varint(2, 10).Message(12, Raw()).Frame());
  auto decoded = DecodeFrame(late_wire, nullptr);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->timestamp_ms(), (1ull << 53) - 1);
}

TEST(WireFormatTest, ServerFramePayloadsMatchHandBuiltBytes) {
  SdkSignalFrame ack = MakeFrame(SdkSignalFrame::SUBSCRIBE_ACK, 5);
  ack.mutable_suback()->set_sdp_answer("v=0");
  auto* alloc = ack.mutable_suback()->add_allocations();
  alloc->set_track_label("x");
  alloc->set_stream_id(11);
  alloc->set_group_id(3);
  auto* track = ack.mutable_suback()->add_tracks();
  track->set_stream_id(21);
  track->set_ssrc(1234);
  track->set_track_label("v_2");
  const Raw expected_ack = Envelope(5, 4).Message(
      7, Raw()
             .Message(2, Raw().String(1, "x").Varint(2, 11).Varint(3, 3))
             .String(3, "v=0")
             .Message(4, Raw().Varint(1, 21).Varint(2, 1234).String(3, "v_2")));
  EXPECT_EQ(EncodeFrame(ack), expected_ack.Frame());

  SdkSignalFrame index = MakeFrame(SdkSignalFrame::INDEX, 5);
  index.mutable_index()->set_at_capacity(true);
  auto* s = index.mutable_index()->add_sources();
  s->set_stream_id(21);
  s->set_framerate(15);
  s->set_max_bitrate_kbps(1500);
  s->set_track_label("t");
  s->set_group_id(3);
  s->set_avg_bitrate_bps(900000);
  s->set_attendee_id("a-2");
  s->set_media_type(VIDEO);
  s->set_external_user_id("bob");
  s->set_width(640);
  s->set_height(384);
  index.mutable_index()->add_paused_at_source_ids(22);
  index.mutable_index()->set_num_participants(3);
  index.mutable_index()->add_supported_receive_codec_intersection(VP8);
  index.mutable_index()->add_supported_receive_codec_intersection(AV1_MAIN);
  const Raw source = Raw()
                         .Varint(1, 21)
                         .Varint(2, 15)
                         .Varint(3, 1500)
                         .String(4, "t")
                         .Varint(6, 3)
                         .Varint(7, 900000)
                         .String(8, "a-2")
                         .Varint(9, 2)
                         .String(10, "bob")
                         .Varint(11, 640)
                         .Varint(12, 384);
  const Raw expected_index = Envelope(5, 5).Message(
      8,
      Raw().Varint(1, 1).Message(2, source).Varint(3, 22).Varint(4, 3).Varint(5, 1).Varint(5, 11));
  EXPECT_EQ(EncodeFrame(index), expected_index.Frame());

  SdkSignalFrame info = MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 5);
  auto* st = info.mutable_audio_stream_id_info()->add_streams();
  st->set_audio_stream_id(4);
  st->set_attendee_id("a-1");
  st->set_muted(true);
  st->set_external_user_id("alice");
  st->set_dropped(true);
  EXPECT_EQ(
      EncodeFrame(info),
      Envelope(5, 18)
          .Message(
              19,
              Raw().Message(
                  1,
                  Raw().Varint(1, 4).String(2, "a-1").Varint(3, 1).String(4, "alice").Varint(5, 1)))
          .Frame());

  SdkSignalFrame meta = MakeFrame(SdkSignalFrame::AUDIO_METADATA, 5);
  auto* as = meta.mutable_audio_metadata()->add_attendee_states();
  as->set_audio_stream_id(4);
  as->set_volume(20);
  as->set_muted(false);
  as->set_signal_strength(2);
  EXPECT_EQ(
      EncodeFrame(meta),
      Envelope(5, 17)
          .Message(18, Raw().Message(1, Raw().Varint(1, 4).Varint(2, 20).Varint(3, 0).Varint(4, 2)))
          .Frame());

  SdkSignalFrame bitrates = MakeFrame(SdkSignalFrame::BITRATES, 5);
  auto* b = bitrates.mutable_bitrates()->add_bitrates();
  b->set_source_stream_id(21);
  b->set_avg_bitrate_bps(800000);
  bitrates.mutable_bitrates()->set_server_available_outgoing_bitrate(2500);
  EXPECT_EQ(
      EncodeFrame(bitrates),
      Envelope(5, 13)
          .Message(14, Raw().Message(1, Raw().Varint(1, 21).Varint(2, 800000)).Varint(2, 2500))
          .Frame());

  SdkSignalFrame data = MakeFrame(SdkSignalFrame::DATA_MESSAGE, 5);
  auto* m = data.mutable_data_message()->add_messages();
  m->set_topic("t");
  m->set_data("d");
  m->set_lifetime_ms(1000);
  m->set_sender_attendee_id("a-1");
  m->set_ingest_time_ns(1'700'000'000'000'000'000);
  m->set_sender_external_user_id("alice");
  EXPECT_EQ(EncodeFrame(data),
            Envelope(5, 22)
                .Message(23, Raw().Message(1, Raw()
                                                  .String(1, "t")
                                                  .String(2, "d")
                                                  .Varint(3, 1000)
                                                  .String(4, "a-1")
                                                  .Varint(5, 1'700'000'000'000'000'000)
                                                  .String(6, "alice")))
                .Frame());

  SdkSignalFrame joinack = MakeFrame(SdkSignalFrame::JOIN_ACK, 5);
  auto* turn = joinack.mutable_joinack()->mutable_turn_credentials();
  turn->set_username("u");
  turn->set_password("p");
  turn->set_ttl(300);
  turn->add_uris("turn:127.0.0.1:3478");
  joinack.mutable_joinack()->set_video_subscription_limit(25);
  joinack.mutable_joinack()->set_wants_compressed_sdp(false);
  joinack.mutable_joinack()->set_default_server_side_network_adaption(NONE);
  EXPECT_EQ(
      EncodeFrame(joinack),
      Envelope(5, 2)
          .Message(5, Raw()
                          .Message(1, Raw().String(1, "u").String(2, "p").Varint(3, 300).String(
                                          4, "turn:127.0.0.1:3478"))
                          .Varint(2, 25)
                          .Varint(3, 0)
                          .Varint(4, 2))
          .Frame());

  SdkSignalFrame note = MakeFrame(SdkSignalFrame::NOTIFICATION, 5);
  note.mutable_notification()->set_level(SdkNotificationFrame::WARNING);
  note.mutable_notification()->set_message("m");
  EXPECT_EQ(EncodeFrame(note),
            Envelope(5, 34).Message(35, Raw().Varint(1, 2).String(2, "m")).Frame());

  SdkSignalFrame pause = MakeFrame(SdkSignalFrame::PAUSE, 5);
  pause.mutable_pause()->add_group_ids(3);
  EXPECT_EQ(EncodeFrame(pause), Envelope(5, 7).Message(10, Raw().Varint(2, 3)).Frame());
}

// ---------------------------------------------------------------------------------------------
// Every field of every message against the document's tables: "Message.field number type label".

struct FieldRow {
  const char* message;
  const char* field;
  int number;
  const char* type;   // FieldDescriptor::type_name()
  const char* label;  // "optional", "required", "repeated"
};

constexpr FieldRow kFieldTable[] = {
    // §3.2
    {"SdkSignalFrame", "timestamp_ms", 1, "uint64", "required"},
    {"SdkSignalFrame", "type", 2, "enum", "required"},
    {"SdkSignalFrame", "error", 3, "message", "optional"},
    {"SdkSignalFrame", "join", 4, "message", "optional"},
    {"SdkSignalFrame", "joinack", 5, "message", "optional"},
    {"SdkSignalFrame", "sub", 6, "message", "optional"},
    {"SdkSignalFrame", "suback", 7, "message", "optional"},
    {"SdkSignalFrame", "index", 8, "message", "optional"},
    {"SdkSignalFrame", "pause", 10, "message", "optional"},
    {"SdkSignalFrame", "leave", 11, "message", "optional"},
    {"SdkSignalFrame", "leave_ack", 12, "message", "optional"},
    {"SdkSignalFrame", "bitrates", 14, "message", "optional"},
    {"SdkSignalFrame", "audio_control", 17, "message", "optional"},
    {"SdkSignalFrame", "audio_metadata", 18, "message", "optional"},
    {"SdkSignalFrame", "audio_stream_id_info", 19, "message", "optional"},
    {"SdkSignalFrame", "ping_pong", 20, "message", "optional"},
    {"SdkSignalFrame", "audio_status", 21, "message", "optional"},
    {"SdkSignalFrame", "client_metric", 22, "message", "optional"},
    {"SdkSignalFrame", "data_message", 23, "message", "optional"},
    {"SdkSignalFrame", "audio_transcript", 24, "message", "optional"},
    {"SdkSignalFrame", "remote_video_update", 25, "message", "optional"},
    {"SdkSignalFrame", "primary_meeting_join", 26, "message", "optional"},
    {"SdkSignalFrame", "primary_meeting_join_ack", 27, "message", "optional"},
    {"SdkSignalFrame", "primary_meeting_leave", 28, "message", "optional"},
    {"SdkSignalFrame", "notification", 35, "message", "optional"},
    {"SdkSignalFrame", "meeting_session_timing", 44, "message", "optional"},
    // §4.2
    {"SdkJoinFrame", "protocol_version", 1, "uint32", "optional"},
    {"SdkJoinFrame", "max_num_of_videos", 2, "uint32", "optional"},
    {"SdkJoinFrame", "flags", 3, "uint32", "optional"},
    {"SdkJoinFrame", "client_details", 4, "message", "optional"},
    {"SdkJoinFrame", "audio_session_id", 6, "uint64", "optional"},
    {"SdkJoinFrame", "wants_compressed_sdp", 7, "bool", "optional"},
    {"SdkJoinFrame", "server_side_network_adaption", 10, "enum", "optional"},
    {"SdkJoinFrame", "supported_server_side_network_adaptions", 11, "enum", "repeated"},
    {"SdkJoinFrame", "wants_all_temporal_layers_in_index", 12, "bool", "optional"},
    {"SdkJoinFrame", "disable_periodic_keyframe_request_on_content_sender", 13, "bool", "optional"},
    {"SdkJoinFrame", "audio_receive_type", 14, "enum", "optional"},
    {"SdkClientDetails", "app_name", 1, "string", "optional"},
    {"SdkClientDetails", "app_version", 2, "string", "optional"},
    {"SdkClientDetails", "device_model", 3, "string", "optional"},
    {"SdkClientDetails", "device_make", 4, "string", "optional"},
    {"SdkClientDetails", "platform_name", 5, "string", "optional"},
    {"SdkClientDetails", "platform_version", 6, "string", "optional"},
    {"SdkClientDetails", "client_source", 7, "string", "optional"},
    {"SdkClientDetails", "chime_sdk_version", 8, "string", "optional"},
    {"SdkClientDetails", "client_utc_offset", 9, "string", "optional"},
    {"SdkClientDetails", "os_name", 10, "string", "optional"},
    {"SdkClientDetails", "os_version", 11, "string", "optional"},
    // §4.3
    {"SdkJoinAckFrame", "turn_credentials", 1, "message", "optional"},
    {"SdkJoinAckFrame", "video_subscription_limit", 2, "uint32", "optional"},
    {"SdkJoinAckFrame", "wants_compressed_sdp", 3, "bool", "optional"},
    {"SdkJoinAckFrame", "default_server_side_network_adaption", 4, "enum", "optional"},
    {"SdkTurnCredentials", "username", 1, "string", "optional"},
    {"SdkTurnCredentials", "password", 2, "string", "optional"},
    {"SdkTurnCredentials", "ttl", 3, "uint32", "optional"},
    {"SdkTurnCredentials", "uris", 4, "string", "repeated"},
    // §4.4
    {"SdkSubscribeFrame", "duplex", 1, "enum", "optional"},
    {"SdkSubscribeFrame", "send_streams", 2, "message", "repeated"},
    {"SdkSubscribeFrame", "receive_stream_ids", 3, "uint32", "repeated"},
    {"SdkSubscribeFrame", "sdp_offer", 4, "string", "optional"},
    {"SdkSubscribeFrame", "audio_host", 5, "string", "optional"},
    {"SdkSubscribeFrame", "audio_checkin", 6, "bool", "optional"},
    {"SdkSubscribeFrame", "audio_muted", 7, "bool", "optional"},
    {"SdkSubscribeFrame", "compressed_sdp_offer", 8, "bytes", "optional"},
    {"SdkSubscribeFrame", "video_subscription_configuration", 9, "message", "repeated"},
    // §4.5
    {"SdkSubscribeAckFrame", "duplex", 1, "enum", "optional"},
    {"SdkSubscribeAckFrame", "allocations", 2, "message", "repeated"},
    {"SdkSubscribeAckFrame", "sdp_answer", 3, "string", "optional"},
    {"SdkSubscribeAckFrame", "tracks", 4, "message", "repeated"},
    {"SdkSubscribeAckFrame", "compressed_sdp_answer", 5, "bytes", "optional"},
    {"SdkStreamAllocation", "track_label", 1, "string", "optional"},
    {"SdkStreamAllocation", "stream_id", 2, "uint32", "optional"},
    {"SdkStreamAllocation", "group_id", 3, "uint32", "optional"},
    {"SdkTrackMapping", "stream_id", 1, "uint32", "optional"},
    {"SdkTrackMapping", "ssrc", 2, "uint32", "optional"},
    {"SdkTrackMapping", "track_label", 3, "string", "optional"},
    // §4.7
    {"SdkIndexFrame", "at_capacity", 1, "bool", "optional"},
    {"SdkIndexFrame", "sources", 2, "message", "repeated"},
    {"SdkIndexFrame", "paused_at_source_ids", 3, "uint32", "repeated"},
    {"SdkIndexFrame", "num_participants", 4, "uint32", "optional"},
    {"SdkIndexFrame", "supported_receive_codec_intersection", 5, "enum", "repeated"},
    // §4.6
    {"SdkStreamDescriptor", "stream_id", 1, "uint32", "optional"},
    {"SdkStreamDescriptor", "framerate", 2, "uint32", "optional"},
    {"SdkStreamDescriptor", "max_bitrate_kbps", 3, "uint32", "optional"},
    {"SdkStreamDescriptor", "track_label", 4, "string", "optional"},
    {"SdkStreamDescriptor", "group_id", 6, "uint32", "optional"},
    {"SdkStreamDescriptor", "avg_bitrate_bps", 7, "uint32", "optional"},
    {"SdkStreamDescriptor", "attendee_id", 8, "string", "optional"},
    {"SdkStreamDescriptor", "media_type", 9, "enum", "optional"},
    {"SdkStreamDescriptor", "external_user_id", 10, "string", "optional"},
    {"SdkStreamDescriptor", "width", 11, "uint32", "optional"},
    {"SdkStreamDescriptor", "height", 12, "uint32", "optional"},
    {"SdkStreamDescriptor", "display_label", 16, "string", "optional"},
    // §4.8, §4.9
    {"SdkPauseResumeFrame", "stream_ids", 1, "uint32", "repeated"},
    {"SdkPauseResumeFrame", "group_ids", 2, "uint32", "repeated"},
    {"SdkBitrateFrame", "bitrates", 1, "message", "repeated"},
    {"SdkBitrateFrame", "server_available_outgoing_bitrate", 2, "uint32", "optional"},
    {"SdkBitrate", "source_stream_id", 1, "uint32", "optional"},
    {"SdkBitrate", "avg_bitrate_bps", 2, "uint32", "optional"},
    // §4.10 - §4.14
    {"SdkAudioControlFrame", "muted", 1, "bool", "optional"},
    {"SdkAudioMetadataFrame", "attendee_states", 1, "message", "repeated"},
    {"SdkAudioAttendeeState", "audio_stream_id", 1, "uint32", "optional"},
    {"SdkAudioAttendeeState", "volume", 2, "uint32", "optional"},
    {"SdkAudioAttendeeState", "muted", 3, "bool", "optional"},
    {"SdkAudioAttendeeState", "signal_strength", 4, "uint32", "optional"},
    {"SdkAudioStreamIdInfoFrame", "streams", 1, "message", "repeated"},
    {"SdkAudioStreamIdInfo", "audio_stream_id", 1, "uint32", "optional"},
    {"SdkAudioStreamIdInfo", "attendee_id", 2, "string", "optional"},
    {"SdkAudioStreamIdInfo", "muted", 3, "bool", "optional"},
    {"SdkAudioStreamIdInfo", "external_user_id", 4, "string", "optional"},
    {"SdkAudioStreamIdInfo", "dropped", 5, "bool", "optional"},
    {"SdkPingPongFrame", "type", 1, "enum", "required"},
    {"SdkPingPongFrame", "ping_id", 2, "uint32", "required"},
    {"SdkAudioStatusFrame", "audio_status", 1, "uint32", "optional"},
    // §4.15
    {"SdkDataMessageFrame", "messages", 1, "message", "repeated"},
    {"SdkDataMessagePayload", "topic", 1, "string", "optional"},
    {"SdkDataMessagePayload", "data", 2, "bytes", "optional"},
    {"SdkDataMessagePayload", "lifetime_ms", 3, "uint32", "optional"},
    {"SdkDataMessagePayload", "sender_attendee_id", 4, "string", "optional"},
    {"SdkDataMessagePayload", "ingest_time_ns", 5, "int64", "optional"},
    {"SdkDataMessagePayload", "sender_external_user_id", 6, "string", "optional"},
    // §4.16, §4.18
    {"SdkPrimaryMeetingJoinFrame", "credentials", 1, "message", "optional"},
    {"SdkMeetingSessionCredentials", "attendee_id", 1, "string", "optional"},
    {"SdkMeetingSessionCredentials", "external_user_id", 2, "string", "optional"},
    {"SdkMeetingSessionCredentials", "join_token", 3, "string", "optional"},
    {"SdkErrorFrame", "status", 1, "uint32", "optional"},
    {"SdkErrorFrame", "description", 2, "string", "optional"},
    // §4.17, §4.19
    {"SdkRemoteVideoUpdateFrame", "added_or_updated_video_subscriptions", 1, "message", "repeated"},
    {"SdkRemoteVideoUpdateFrame", "removed_video_subscription_mids", 2, "string", "repeated"},
    {"SdkVideoSubscriptionConfiguration", "mid", 1, "string", "required"},
    {"SdkVideoSubscriptionConfiguration", "attendee_id", 2, "string", "optional"},
    {"SdkVideoSubscriptionConfiguration", "stream_id", 3, "uint32", "optional"},
    {"SdkVideoSubscriptionConfiguration", "priority", 4, "uint32", "optional"},
    {"SdkVideoSubscriptionConfiguration", "target_bitrate_kbps", 5, "uint32", "optional"},
    {"SdkVideoSubscriptionConfiguration", "group_id", 6, "uint32", "optional"},
    {"SdkVideoSubscriptionConfiguration", "quality_adaptation_preference", 7, "enum", "optional"},
    {"SdkNotificationFrame", "level", 1, "enum", "optional"},
    {"SdkNotificationFrame", "message", 2, "string", "optional"},
    // §4.19 (types partly undocumented: wire-compatible stand-ins)
    {"SdkClientMetricFrame", "global_metrics", 1, "message", "repeated"},
    {"SdkClientMetricFrame", "stream_metric_frames", 2, "message", "repeated"},
    {"SdkMetric", "type", 1, "uint32", "optional"},
    {"SdkMetric", "value", 2, "double", "optional"},
    {"SdkStreamMetricFrame", "stream_id", 3, "uint32", "optional"},
    {"SdkStreamMetricFrame", "group_id", 4, "uint32", "optional"},
    {"SdkStreamMetricFrame", "metrics", 5, "message", "repeated"},
    {"SdkStreamMetricFrame", "dimensions", 6, "bytes", "repeated"},
    {"SdkStreamMetricFrame", "media_type", 7, "uint32", "optional"},
};

const Descriptor* FindMessage(const std::string& name) {
  return DescriptorPool::generated_pool()->FindMessageTypeByName("sfu.signaling.proto." + name);
}

const char* LabelName(const FieldDescriptor* f) {
  if (f->is_required()) return "required";
  if (f->is_repeated()) return "repeated";
  return "optional";
}

TEST(WireFormatTest, EveryFieldMatchesTheDocumentTables) {
  for (const FieldRow& row : kFieldTable) {
    SCOPED_TRACE(std::string(row.message) + "." + row.field);
    const Descriptor* m = FindMessage(row.message);
    ASSERT_NE(m, nullptr);
    const FieldDescriptor* f = m->FindFieldByName(row.field);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->number(), row.number);
    EXPECT_STREQ(f->type_name(), row.type);
    EXPECT_STREQ(LabelName(f), row.label);
  }
}

TEST(WireFormatTest, NoFieldOutsideTheTable) {
  // Every field the .proto declares is in the table above (nothing invented on the way).
  const auto* file = SdkSignalFrame::descriptor()->file();
  int declared = 0;
  for (int i = 0; i < file->message_type_count(); ++i) {
    const Descriptor* m = file->message_type(i);
    for (int j = 0; j < m->field_count(); ++j) {
      ++declared;
      bool found = false;
      for (const FieldRow& row : kFieldTable) {
        found |= m->name() == row.message && m->field(j)->name() == row.field;
      }
      EXPECT_TRUE(found) << m->name() << "." << m->field(j)->name();
    }
  }
  EXPECT_EQ(declared, static_cast<int>(std::size(kFieldTable)));
}

TEST(WireFormatTest, OnlyTheDocumentedFieldsAreRequired) {
  // §3.2: SdkSignalFrame.timestamp_ms/type, SdkPingPongFrame.type/ping_id,
  // SdkVideoSubscriptionConfiguration.mid.
  int required = 0;
  for (const FieldRow& row : kFieldTable) required += std::string(row.label) == "required";
  EXPECT_EQ(required, 5);
}

struct EnumRow {
  const char* enum_name;  // full name below the package
  const char* value;
  int number;
};

constexpr EnumRow kEnumTable[] = {
    {"SdkJoinFlags", "HAS_STREAM_UPDATE", 2},
    {"SdkJoinFlags", "COMPLETE_VIDEO_SOURCES_LIST", 16},
    {"SdkJoinFlags", "EXCLUDE_SELF_CONTENT_IN_INDEX", 32},
    {"SdkServerSideNetworkAdaption", "DEFAULT", 1},
    {"SdkServerSideNetworkAdaption", "NONE", 2},
    {"SdkServerSideNetworkAdaption", "BANDWIDTH_PROBING", 3},
    {"SdkServerSideNetworkAdaption", "BANDWIDTH_PROBING_AND_VIDEO_QUALITY_ADAPTION", 4},
    {"SdkAudioReceiveType", "MIXED_STREAM", 0},
    {"SdkAudioReceiveType", "UNMIXED_STREAM", 1},
    {"SdkStreamServiceType", "RX", 1},
    {"SdkStreamServiceType", "TX", 2},
    {"SdkStreamServiceType", "DUPLEX", 3},
    {"SdkStreamMediaType", "AUDIO", 1},
    {"SdkStreamMediaType", "VIDEO", 2},
    {"SdkVideoCodecCapability", "VP8", 1},
    {"SdkVideoCodecCapability", "H264_BASELINE", 2},
    {"SdkVideoCodecCapability", "H264_CONSTRAINED_BASELINE", 3},
    {"SdkVideoCodecCapability", "H264_MAIN", 4},
    {"SdkVideoCodecCapability", "H264_HIGH", 5},
    {"SdkVideoCodecCapability", "H264_CONSTRAINED_HIGH", 6},
    {"SdkVideoCodecCapability", "H265", 7},
    {"SdkVideoCodecCapability", "VP9_PROFILE_0", 8},
    {"SdkVideoCodecCapability", "VP9_PROFILE_1", 9},
    {"SdkVideoCodecCapability", "VP9_PROFILE_2", 10},
    {"SdkVideoCodecCapability", "AV1_MAIN", 11},
    {"SdkVideoQualityAdaptationPreference", "BALANCED", 1},
    {"SdkVideoQualityAdaptationPreference", "MAINTAIN_FRAMERATE", 2},
    {"SdkVideoQualityAdaptationPreference", "MAINTAIN_RESOLUTION", 3},
    {"SdkPingPongType", "PING", 1},
    {"SdkPingPongType", "PONG", 2},
    {"SdkNotificationFrame.NotificationLevel", "INFO", 1},
    {"SdkNotificationFrame.NotificationLevel", "WARNING", 2},
    {"SdkNotificationFrame.NotificationLevel", "ERROR", 3},
};

TEST(WireFormatTest, EnumValuesMatchTheDocument) {
  for (const EnumRow& row : kEnumTable) {
    SCOPED_TRACE(std::string(row.enum_name) + "." + row.value);
    const EnumDescriptor* e = DescriptorPool::generated_pool()->FindEnumTypeByName(
        std::string("sfu.signaling.proto.") + row.enum_name);
    ASSERT_NE(e, nullptr);
    const auto* v = e->FindValueByName(row.value);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->number(), row.number);
  }
}

// ---------------------------------------------------------------------------------------------
// Presence (§3.1, §4.12, §4.11) and defaults

TEST(WireFormatTest, MutedAbsentIsNotMutedFalse) {
  // §4.12: an entry with attendee_id only means "present"; "muted" present means a mute update.
  SdkSignalFrame present = MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 1);
  auto* joined = present.mutable_audio_stream_id_info()->add_streams();
  joined->set_audio_stream_id(5);
  joined->set_attendee_id("a");
  SdkSignalFrame unmute = MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 1);
  auto* unmuted = unmute.mutable_audio_stream_id_info()->add_streams();
  unmuted->set_audio_stream_id(5);
  unmuted->set_muted(false);

  const Bytes present_wire = EncodeFrame(present);
  const Bytes unmute_wire = EncodeFrame(unmute);
  // Inner entries: 08 05 12 01 'a'  versus  08 05 18 00 (muted=false is on the wire).
  EXPECT_EQ(
      present_wire,
      Envelope(1, 18).Message(19, Raw().Message(1, Raw().Varint(1, 5).String(2, "a"))).Frame());
  EXPECT_EQ(unmute_wire,
            Envelope(1, 18).Message(19, Raw().Message(1, Raw().Varint(1, 5).Varint(3, 0))).Frame());

  auto a = DecodeFrame(present_wire, nullptr);
  auto b = DecodeFrame(unmute_wire, nullptr);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a->audio_stream_id_info().streams(0).has_muted());
  EXPECT_TRUE(b->audio_stream_id_info().streams(0).has_muted());
  EXPECT_FALSE(b->audio_stream_id_info().streams(0).muted());
  EXPECT_FALSE(b->audio_stream_id_info().streams(0).has_attendee_id());

  // "Left": neither attendee_id nor muted, dropped optional.
  SdkSignalFrame left = MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 1);
  left.mutable_audio_stream_id_info()->add_streams()->set_audio_stream_id(5);
  EXPECT_EQ(EncodeFrame(left),
            Envelope(1, 18).Message(19, Raw().Message(1, Raw().Varint(1, 5))).Frame());
}

TEST(WireFormatTest, VolumeAndSignalStrengthPresence) {
  // §4.11: a frame with no volume fields changes nothing; volume 0 is a value.
  SdkAudioAttendeeState state;
  state.set_audio_stream_id(5);
  EXPECT_EQ(state.SerializeAsString(), std::string("\x08\x05", 2));
  state.set_volume(0);
  state.set_signal_strength(0);
  EXPECT_EQ(state.SerializeAsString(), std::string("\x08\x05\x10\x00\x20\x00", 6));
  SdkAudioAttendeeState parsed;
  ASSERT_TRUE(parsed.ParseFromString(std::string("\x08\x05\x10\x00", 4)));
  EXPECT_TRUE(parsed.has_volume());
  EXPECT_FALSE(parsed.has_signal_strength());
}

TEST(WireFormatTest, DocumentedDefaults) {
  EXPECT_EQ(SdkJoinFrame().protocol_version(), 2u);  // §4.2 "(default 2)"
  EXPECT_EQ(SdkJoinFrame().server_side_network_adaption(), DEFAULT);
  EXPECT_EQ(SdkSubscribeFrame().duplex(), RX);                         // §4.4 "(default RX)"
  EXPECT_EQ(SdkStreamDescriptor().media_type(), AUDIO);                // §4.6: absent => AUDIO
  EXPECT_EQ(SdkJoinAckFrame().default_server_side_network_adaption(),  // §4.3 quirk
            DEFAULT);
  EXPECT_EQ(SdkNotificationFrame().level(), SdkNotificationFrame::ERROR);  // §4.19
  // Defaults are not emitted unless set.
  EXPECT_EQ(SdkJoinFrame().ByteSizeLong(), 0u);
  EXPECT_EQ(SdkJoinAckFrame().ByteSizeLong(), 0u);
}

TEST(WireFormatTest, UnknownEnumValueInsideASubMessageIsKeptNotFatal) {
  // A codec id we do not know (e.g. a future one) must not fail the frame; it is kept.
  const Bytes wire = Envelope(1, 5).Message(8, Raw().Varint(5, 1).Varint(5, 77)).Frame();
  auto f = DecodeFrame(wire, nullptr);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->index().supported_receive_codec_intersection_size(), 1);
  EXPECT_EQ(f->index().supported_receive_codec_intersection(0), VP8);
  EXPECT_EQ(f->index().unknown_fields().field_count(), 1);
  EXPECT_EQ(EncodeFrame(*f), wire);
}

}  // namespace
}  // namespace sfu::signaling::proto

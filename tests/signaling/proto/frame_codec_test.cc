// DecodeFrame / EncodeFrame / MakeFrame (docs/PROTOCOL.md §3): builder round trips, the
// rejection paths for hostile or broken input, and the encode-side checks.
#include "signaling/proto/frame_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/signaling/proto/raw_protobuf.h"

namespace sfu::signaling::proto {
namespace {

using testing::Bytes;
using testing::Envelope;
using testing::Raw;

constexpr uint64_t kTs = 1'700'000'000'123;

// Every Type value, read from the generated descriptor so a new value is covered automatically.
std::vector<SdkSignalFrame::Type> AllTypes() {
  std::vector<SdkSignalFrame::Type> types;
  const auto* d = SdkSignalFrame::Type_descriptor();
  for (int i = 0; i < d->value_count(); ++i) {
    types.push_back(static_cast<SdkSignalFrame::Type>(d->value(i)->number()));
  }
  return types;
}

std::optional<SdkSignalFrame> Decode(const Bytes& bytes, std::string* error = nullptr,
                                     const DecodeOptions& options = {}) {
  return DecodeFrame(bytes, error, options);
}

std::string DecodeError(const Bytes& bytes, const DecodeOptions& options = {}) {
  std::string error;
  EXPECT_FALSE(DecodeFrame(bytes, &error, options));
  return error;
}

// ---------------------------------------------------------------------------------------------
// Builders

// The server frames whose sub-message the client dereferences without a null check (§3.4), plus
// the other S->C types: each must come out of MakeFrame with its sub-message present.
TEST(FrameCodecTest, ServerFrameBuildersAlwaysCarryTheirSubMessage) {
  const SdkSignalFrame::Type kServerTypes[] = {SdkSignalFrame::JOIN_ACK,
                                               SdkSignalFrame::INDEX,
                                               SdkSignalFrame::SUBSCRIBE_ACK,
                                               SdkSignalFrame::LEAVE_ACK,
                                               SdkSignalFrame::PING_PONG,
                                               SdkSignalFrame::AUDIO_STATUS,
                                               SdkSignalFrame::AUDIO_METADATA,
                                               SdkSignalFrame::AUDIO_STREAM_ID_INFO,
                                               SdkSignalFrame::DATA_MESSAGE,
                                               SdkSignalFrame::BITRATES,
                                               SdkSignalFrame::PAUSE,
                                               SdkSignalFrame::RESUME,
                                               SdkSignalFrame::NOTIFICATION,
                                               SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK,
                                               SdkSignalFrame::PRIMARY_MEETING_LEAVE};
  for (SdkSignalFrame::Type type : kServerTypes) {
    SCOPED_TRACE(SdkSignalFrame::Type_Name(type));
    SdkSignalFrame frame = MakeFrame(type, kTs);
    if (type == SdkSignalFrame::PING_PONG) {  // required fields inside (§4.13)
      frame.mutable_ping_pong()->set_type(PONG);
      frame.mutable_ping_pong()->set_ping_id(1);
    }
    EXPECT_EQ(frame.timestamp_ms(), kTs);
    EXPECT_EQ(frame.type(), type);
    EXPECT_TRUE(HasSubMessageForType(frame));
    const Bytes wire = EncodeFrame(frame);
    ASSERT_GE(wire.size(), 2u);
    EXPECT_EQ(wire[0], 0x05);
    std::string error;
    auto decoded = Decode(wire, &error);
    ASSERT_TRUE(decoded) << error;
    EXPECT_EQ(decoded->SerializeAsString(), frame.SerializeAsString());
    EXPECT_TRUE(HasSubMessageForType(*decoded));
  }
}

TEST(FrameCodecTest, MakeFrameCreatesTheSubMessageForEveryType) {
  for (SdkSignalFrame::Type type : AllTypes()) {
    SCOPED_TRACE(SdkSignalFrame::Type_Name(type));
    const SdkSignalFrame frame = MakeFrame(type, kTs);
    EXPECT_TRUE(HasSubMessageForType(frame));
    EXPECT_FALSE(SubMessageFieldName(type).empty());
    // The sub-message is the field of that name in the descriptor, and it is set.
    const auto* field =
        SdkSignalFrame::descriptor()->FindFieldByName(std::string(SubMessageFieldName(type)));
    ASSERT_NE(field, nullptr);
    EXPECT_TRUE(frame.GetReflection()->HasField(frame, field));
    // Exactly one sub-message: timestamp_ms, type and that field.
    std::vector<const google::protobuf::FieldDescriptor*> set_fields;
    frame.GetReflection()->ListFields(frame, &set_fields);
    EXPECT_EQ(set_fields.size(), 3u);
  }
}

TEST(FrameCodecTest, PauseAndResumeBothUseThePauseField) {
  EXPECT_EQ(SubMessageFieldName(SdkSignalFrame::PAUSE), "pause");
  EXPECT_EQ(SubMessageFieldName(SdkSignalFrame::RESUME), "pause");
  SdkSignalFrame resume = MakeFrame(SdkSignalFrame::RESUME, kTs);
  resume.mutable_pause()->add_group_ids(7);
  auto decoded = Decode(EncodeFrame(resume));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->type(), SdkSignalFrame::RESUME);
  ASSERT_EQ(decoded->pause().group_ids_size(), 1);
  EXPECT_EQ(decoded->pause().group_ids(0), 7u);
}

TEST(FrameCodecTest, MakeFrameWithoutTimestampUsesTheWallClock) {
  const uint64_t before = NowTimestampMs();
  const SdkSignalFrame frame = MakeFrame(SdkSignalFrame::INDEX);
  const uint64_t after = NowTimestampMs();
  EXPECT_GE(frame.timestamp_ms(), before);
  EXPECT_LE(frame.timestamp_ms(), after);
  EXPECT_GT(before, 1'600'000'000'000u);  // ms since the epoch, not seconds or µs
  EXPECT_LT(before, 1ull << 53);          // §3.2: keep 64-bit values below 2^53
}

TEST(FrameCodecTest, PongEchoesThePingId) {
  const SdkSignalFrame pong = MakePingPong(PONG, 42, kTs);
  auto decoded = Decode(EncodeFrame(pong));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->type(), SdkSignalFrame::PING_PONG);
  EXPECT_EQ(decoded->ping_pong().type(), PONG);
  EXPECT_EQ(decoded->ping_pong().ping_id(), 42u);
  EXPECT_EQ(decoded->timestamp_ms(), kTs);
  const SdkSignalFrame ping = MakePingPong(PING, 3);
  EXPECT_EQ(ping.ping_pong().type(), PING);
  EXPECT_GT(ping.timestamp_ms(), 0u);
}

TEST(FrameCodecTest, FullServerFramesRoundTrip) {
  SdkSignalFrame ack = MakeFrame(SdkSignalFrame::SUBSCRIBE_ACK, kTs);
  ack.mutable_suback()->set_sdp_answer("v=0\r\n");
  auto* alloc = ack.mutable_suback()->add_allocations();
  alloc->set_stream_id(11);
  alloc->set_group_id(3);
  auto* track = ack.mutable_suback()->add_tracks();
  track->set_stream_id(21);
  track->set_ssrc(0xDEADBEEF);
  track->set_track_label("v_2");

  SdkSignalFrame index = MakeFrame(SdkSignalFrame::INDEX, kTs);
  index.mutable_index()->set_num_participants(2);
  auto* source = index.mutable_index()->add_sources();
  source->set_stream_id(21);
  source->set_group_id(3);
  source->set_attendee_id("a-2");
  source->set_external_user_id("bob");
  source->set_media_type(VIDEO);
  source->set_max_bitrate_kbps(1500);
  source->set_framerate(15);

  SdkSignalFrame data = MakeFrame(SdkSignalFrame::DATA_MESSAGE, kTs);
  auto* msg = data.mutable_data_message()->add_messages();
  msg->set_topic("chat");
  msg->set_data(std::string("\x00\xff", 2));
  msg->set_sender_attendee_id("a-1");
  msg->set_sender_external_user_id("alice");
  msg->set_ingest_time_ns(1'700'000'000'123'456'789);

  SdkSignalFrame status = MakeFrame(SdkSignalFrame::AUDIO_STATUS, kTs);
  status.mutable_audio_status()->set_audio_status(410);
  status.mutable_error()->set_status(410);
  status.mutable_error()->set_description("meeting ended");

  for (const SdkSignalFrame* frame : {&ack, &index, &data, &status}) {
    SCOPED_TRACE(SdkSignalFrame::Type_Name(frame->type()));
    std::string error;
    auto decoded = Decode(EncodeFrame(*frame), &error);
    ASSERT_TRUE(decoded) << error;
    EXPECT_EQ(decoded->SerializeAsString(), frame->SerializeAsString());
    EXPECT_EQ(decoded->DebugString(), frame->DebugString());
  }
}

// ---------------------------------------------------------------------------------------------
// Rejections

TEST(FrameCodecTest, RejectsEmptyFrame) {
  EXPECT_EQ(DecodeError({}), "empty frame");
  std::string error;
  EXPECT_FALSE(DecodeFrame({}, nullptr));  // a null error pointer is allowed
}

TEST(FrameCodecTest, RejectsAFrameWithoutPrefix) {
  // A bare SdkSignalFrame starts with the timestamp key 0x08.
  const Bytes bare = Envelope(kTs, 19).bytes();
  EXPECT_EQ(DecodeError(bare), "bad prefix 0x08 (want 0x05)");
}

TEST(FrameCodecTest, RejectsWrongPrefixes) {
  const Raw join = Envelope(kTs, 1).Message(4, Raw().Varint(1, 2));
  for (int prefix : {0x00, 0x01, 0x03, 0x04, 0x06, 0xFF}) {
    SCOPED_TRACE(prefix);
    EXPECT_NE(DecodeError(join.Frame(static_cast<uint8_t>(prefix))).find("bad prefix"),
              std::string::npos);
  }
  EXPECT_TRUE(Decode(join.Frame(0x05)));
}

// 0x02 is tolerated by the JS client on frames it receives (§3.1), never sent by clients.
TEST(FrameCodecTest, LegacyPrefixOnlyWhenAsked) {
  const Bytes frame = Envelope(kTs, 2).Message(5, Raw()).Frame(0x02);
  EXPECT_EQ(DecodeError(frame), "bad prefix 0x02 (want 0x05)");
  DecodeOptions options;
  options.accept_legacy_prefix = true;
  auto decoded = Decode(frame, nullptr, options);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->type(), SdkSignalFrame::JOIN_ACK);
}

TEST(FrameCodecTest, RejectsTruncatedProtobuf) {
  SdkSignalFrame frame = MakeFrame(SdkSignalFrame::SUBSCRIBE_ACK, kTs);
  frame.mutable_suback()->set_sdp_answer("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n");
  const Bytes full = EncodeFrame(frame);
  ASSERT_TRUE(Decode(full));
  // Every cut inside the length-delimited sub-message leaves a dangling length.
  for (size_t cut = full.size() - 1; cut > full.size() - 20; --cut) {
    SCOPED_TRACE(cut);
    const Bytes truncated(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_EQ(DecodeError(truncated).rfind("protobuf parse failed", 0), 0u);
  }
  // A varint cut in the middle.
  EXPECT_EQ(DecodeError({0x05, 0x08, 0xFF}).rfind("protobuf parse failed", 0), 0u);
  // Garbage: wire type 7 does not exist.
  EXPECT_EQ(DecodeError({0x05, 0x0F, 0x00}).rfind("protobuf parse failed", 0), 0u);
}

TEST(FrameCodecTest, RejectsPrefixOnly) {
  // An empty SdkSignalFrame parses but lacks both required fields.
  EXPECT_EQ(DecodeError({0x05}), "missing required field(s): timestamp_ms, type");
}

TEST(FrameCodecTest, RejectsMissingRequiredTimestamp) {
  const Bytes frame = Raw().Varint(2, 19).Message(20, Raw().Varint(1, 1).Varint(2, 1)).Frame();
  EXPECT_EQ(DecodeError(frame), "missing required field(s): timestamp_ms");
}

TEST(FrameCodecTest, RejectsMissingRequiredType) {
  const Bytes frame = Raw().Varint(1, kTs).Message(20, Raw().Varint(1, 1).Varint(2, 1)).Frame();
  EXPECT_EQ(DecodeError(frame), "missing required field(s): type");
}

TEST(FrameCodecTest, RejectsUnknownTypeValueWithAClearReason) {
  // proto2 keeps an unknown enum value as an unknown field, leaving `type` unset.
  EXPECT_EQ(DecodeError(Envelope(kTs, 99).Frame()), "unknown frame type 99");
  EXPECT_EQ(DecodeError(Envelope(kTs, 6).Frame()), "unknown frame type 6");
}

TEST(FrameCodecTest, RejectsMissingRequiredFieldsInsideSubMessages) {
  // SdkPingPongFrame.type and .ping_id are required (§4.13).
  EXPECT_EQ(DecodeError(Envelope(kTs, 19).Message(20, Raw().Varint(1, 1)).Frame()),
            "missing required field(s): ping_pong.ping_id");
  EXPECT_EQ(DecodeError(Envelope(kTs, 19).Message(20, Raw().Varint(2, 5)).Frame()),
            "missing required field(s): ping_pong.type");
  // SdkVideoSubscriptionConfiguration.mid is required (§4.17).
  const Raw update = Raw().Message(1, Raw().Varint(3, 21));
  EXPECT_EQ(
      DecodeError(Envelope(kTs, 24).Message(25, update).Frame()),
      "missing required field(s): remote_video_update.added_or_updated_video_subscriptions[0].mid");
}

TEST(FrameCodecTest, RejectsOversizeFrames) {
  SdkSignalFrame frame = MakeFrame(SdkSignalFrame::SUBSCRIBE, kTs);
  frame.mutable_sub()->set_sdp_offer(std::string(kDefaultMaxFrameBytes, 'a'));
  const Bytes big = EncodeFrame(frame);
  ASSERT_GT(big.size(), kDefaultMaxFrameBytes);
  EXPECT_EQ(DecodeError(big).rfind("frame of ", 0), 0u);

  // Exactly at the limit passes; one byte more fails.
  DecodeOptions options;
  options.max_frame_bytes = big.size();
  EXPECT_TRUE(Decode(big, nullptr, options));
  options.max_frame_bytes = big.size() - 1;
  EXPECT_EQ(DecodeError(big, options), "frame of " + std::to_string(big.size()) +
                                           " bytes exceeds the limit of " +
                                           std::to_string(big.size() - 1));
}

TEST(FrameCodecTest, DefaultLimitAdmitsALargeSubscribe) {
  // An uncompressed offer with 27 m-sections is ~110 KB (see kDefaultMaxFrameBytes).
  SdkSignalFrame frame = MakeFrame(SdkSignalFrame::SUBSCRIBE, kTs);
  frame.mutable_sub()->set_sdp_offer(std::string(150'000, 'a'));
  EXPECT_TRUE(Decode(EncodeFrame(frame)));
}

TEST(FrameCodecTest, RejectsTypesWithoutTheirSubMessage) {
  for (SdkSignalFrame::Type type : AllTypes()) {
    SCOPED_TRACE(SdkSignalFrame::Type_Name(type));
    const Bytes bare = Envelope(kTs, type).Frame();
    std::string error;
    auto decoded = Decode(bare, &error);
    if (TypeRequiresSubMessage(type)) {
      EXPECT_FALSE(decoded);
      EXPECT_EQ(error, SdkSignalFrame::Type_Name(type) + " frame without its sub-message '" +
                           std::string(SubMessageFieldName(type)) + "'");
    } else {
      EXPECT_TRUE(decoded) << error;
    }
  }
  // Another type's sub-message does not count.
  EXPECT_EQ(DecodeError(Envelope(kTs, 2).Message(8, Raw()).Frame()),
            "JOIN_ACK frame without its sub-message 'joinack'");
}

TEST(FrameCodecTest, SubMessageRequirementFollowsTheDocument) {
  // §3.4: the client dereferences these without a null check.
  for (auto type :
       {SdkSignalFrame::JOIN_ACK, SdkSignalFrame::INDEX, SdkSignalFrame::SUBSCRIBE_ACK,
        SdkSignalFrame::DATA_MESSAGE, SdkSignalFrame::AUDIO_STREAM_ID_INFO,
        SdkSignalFrame::AUDIO_METADATA, SdkSignalFrame::PING_PONG, SdkSignalFrame::NOTIFICATION}) {
    EXPECT_TRUE(TypeRequiresSubMessage(type)) << SdkSignalFrame::Type_Name(type);
  }
  // The server needs the payload of these client frames.
  for (auto type : {SdkSignalFrame::JOIN, SdkSignalFrame::SUBSCRIBE, SdkSignalFrame::AUDIO_CONTROL,
                    SdkSignalFrame::REMOTE_VIDEO_UPDATE, SdkSignalFrame::PAUSE,
                    SdkSignalFrame::RESUME, SdkSignalFrame::PRIMARY_MEETING_JOIN}) {
    EXPECT_TRUE(TypeRequiresSubMessage(type)) << SdkSignalFrame::Type_Name(type);
  }
  // Empty or ignorable sub-messages: tolerated when absent.
  for (auto type :
       {SdkSignalFrame::LEAVE, SdkSignalFrame::LEAVE_ACK, SdkSignalFrame::CLIENT_METRIC,
        SdkSignalFrame::MEETING_SESSION_TIMING, SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK,
        SdkSignalFrame::PRIMARY_MEETING_LEAVE, SdkSignalFrame::AUDIO_TRANSCRIPT}) {
    EXPECT_FALSE(TypeRequiresSubMessage(type)) << SdkSignalFrame::Type_Name(type);
  }
}

TEST(FrameCodecTest, ErrorPointerIsOptional) {
  EXPECT_FALSE(DecodeFrame(Bytes{0x05}, nullptr));
  EXPECT_FALSE(DecodeFrame(Bytes{0x07, 0x08}, nullptr));
}

TEST(FrameCodecTest, ValidateFrameMatchesDecode) {
  SdkSignalFrame frame;
  EXPECT_EQ(ValidateFrame(frame), "missing required field(s): timestamp_ms, type");
  frame.set_timestamp_ms(kTs);
  frame.set_type(SdkSignalFrame::INDEX);
  EXPECT_EQ(ValidateFrame(frame), "INDEX frame without its sub-message 'index'");
  frame.mutable_index();
  EXPECT_EQ(ValidateFrame(frame), "");
}

// ---------------------------------------------------------------------------------------------
// Encode-side checks: building a frame the client would drop is a programmer error.

using FrameCodecDeathTest = ::testing::Test;

TEST_F(FrameCodecDeathTest, EncodeAbortsOnMissingRequiredField) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  SdkSignalFrame frame;
  frame.set_type(SdkSignalFrame::LEAVE_ACK);
  EXPECT_DEATH(EncodeFrame(frame), "check failed");
  SdkSignalFrame pong = MakeFrame(SdkSignalFrame::PING_PONG, kTs);
  pong.mutable_ping_pong()->set_type(PONG);  // ping_id missing
  EXPECT_DEATH(EncodeFrame(pong), "check failed");
}

TEST_F(FrameCodecDeathTest, EncodeAbortsOnMissingSubMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  SdkSignalFrame frame;
  frame.set_timestamp_ms(kTs);
  frame.set_type(SdkSignalFrame::JOIN_ACK);
  EXPECT_DEATH(EncodeFrame(frame), "check failed");
}

}  // namespace
}  // namespace sfu::signaling::proto

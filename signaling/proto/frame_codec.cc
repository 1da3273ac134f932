#include "signaling/proto/frame_codec.h"

#include <google/protobuf/unknown_field_set.h>

#include <chrono>
#include <climits>
#include <cstdio>

#include "base/check.h"

namespace sfu::signaling::proto {
namespace {

void SetError(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

std::string Hex(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", b);
  return buf;
}

// proto2 moves an unknown value of an enum field into the unknown fields, so a frame with a type
// this file does not know looks like one without a type. Find the value to say so.
std::optional<uint64_t> UnknownTypeValue(const SdkSignalFrame& frame) {
  const google::protobuf::UnknownFieldSet& unknown = frame.unknown_fields();
  for (int i = 0; i < unknown.field_count(); ++i) {
    const google::protobuf::UnknownField& f = unknown.field(i);
    if (f.number() == SdkSignalFrame::kTypeFieldNumber &&
        f.type() == google::protobuf::UnknownField::TYPE_VARINT) {
      return f.varint();
    }
  }
  return std::nullopt;
}

}  // namespace

uint64_t NowTimestampMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

bool TypeRequiresSubMessage(SdkSignalFrame::Type type) {
  switch (type) {
    case SdkSignalFrame::JOIN:
    case SdkSignalFrame::JOIN_ACK:
    case SdkSignalFrame::SUBSCRIBE:
    case SdkSignalFrame::SUBSCRIBE_ACK:
    case SdkSignalFrame::INDEX:
    case SdkSignalFrame::PAUSE:
    case SdkSignalFrame::RESUME:
    case SdkSignalFrame::BITRATES:
    case SdkSignalFrame::AUDIO_CONTROL:
    case SdkSignalFrame::AUDIO_METADATA:
    case SdkSignalFrame::AUDIO_STREAM_ID_INFO:
    case SdkSignalFrame::PING_PONG:
    case SdkSignalFrame::AUDIO_STATUS:
    case SdkSignalFrame::DATA_MESSAGE:
    case SdkSignalFrame::REMOTE_VIDEO_UPDATE:
    case SdkSignalFrame::PRIMARY_MEETING_JOIN:
    case SdkSignalFrame::NOTIFICATION:
      return true;
    case SdkSignalFrame::LEAVE:
    case SdkSignalFrame::LEAVE_ACK:
    case SdkSignalFrame::CLIENT_METRIC:
    case SdkSignalFrame::AUDIO_TRANSCRIPT:
    case SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK:
    case SdkSignalFrame::PRIMARY_MEETING_LEAVE:
    case SdkSignalFrame::MEETING_SESSION_TIMING:
      return false;
  }
  return false;
}

std::string_view SubMessageFieldName(SdkSignalFrame::Type type) {
  switch (type) {
    case SdkSignalFrame::JOIN:
      return "join";
    case SdkSignalFrame::JOIN_ACK:
      return "joinack";
    case SdkSignalFrame::SUBSCRIBE:
      return "sub";
    case SdkSignalFrame::SUBSCRIBE_ACK:
      return "suback";
    case SdkSignalFrame::INDEX:
      return "index";
    case SdkSignalFrame::PAUSE:
    case SdkSignalFrame::RESUME:
      return "pause";
    case SdkSignalFrame::LEAVE:
      return "leave";
    case SdkSignalFrame::LEAVE_ACK:
      return "leave_ack";
    case SdkSignalFrame::BITRATES:
      return "bitrates";
    case SdkSignalFrame::AUDIO_CONTROL:
      return "audio_control";
    case SdkSignalFrame::AUDIO_METADATA:
      return "audio_metadata";
    case SdkSignalFrame::AUDIO_STREAM_ID_INFO:
      return "audio_stream_id_info";
    case SdkSignalFrame::PING_PONG:
      return "ping_pong";
    case SdkSignalFrame::AUDIO_STATUS:
      return "audio_status";
    case SdkSignalFrame::CLIENT_METRIC:
      return "client_metric";
    case SdkSignalFrame::DATA_MESSAGE:
      return "data_message";
    case SdkSignalFrame::AUDIO_TRANSCRIPT:
      return "audio_transcript";
    case SdkSignalFrame::REMOTE_VIDEO_UPDATE:
      return "remote_video_update";
    case SdkSignalFrame::PRIMARY_MEETING_JOIN:
      return "primary_meeting_join";
    case SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK:
      return "primary_meeting_join_ack";
    case SdkSignalFrame::PRIMARY_MEETING_LEAVE:
      return "primary_meeting_leave";
    case SdkSignalFrame::NOTIFICATION:
      return "notification";
    case SdkSignalFrame::MEETING_SESSION_TIMING:
      return "meeting_session_timing";
  }
  return "";
}

bool HasSubMessageForType(const SdkSignalFrame& frame) {
  switch (frame.type()) {
    case SdkSignalFrame::JOIN:
      return frame.has_join();
    case SdkSignalFrame::JOIN_ACK:
      return frame.has_joinack();
    case SdkSignalFrame::SUBSCRIBE:
      return frame.has_sub();
    case SdkSignalFrame::SUBSCRIBE_ACK:
      return frame.has_suback();
    case SdkSignalFrame::INDEX:
      return frame.has_index();
    case SdkSignalFrame::PAUSE:
    case SdkSignalFrame::RESUME:
      return frame.has_pause();
    case SdkSignalFrame::LEAVE:
      return frame.has_leave();
    case SdkSignalFrame::LEAVE_ACK:
      return frame.has_leave_ack();
    case SdkSignalFrame::BITRATES:
      return frame.has_bitrates();
    case SdkSignalFrame::AUDIO_CONTROL:
      return frame.has_audio_control();
    case SdkSignalFrame::AUDIO_METADATA:
      return frame.has_audio_metadata();
    case SdkSignalFrame::AUDIO_STREAM_ID_INFO:
      return frame.has_audio_stream_id_info();
    case SdkSignalFrame::PING_PONG:
      return frame.has_ping_pong();
    case SdkSignalFrame::AUDIO_STATUS:
      return frame.has_audio_status();
    case SdkSignalFrame::CLIENT_METRIC:
      return frame.has_client_metric();
    case SdkSignalFrame::DATA_MESSAGE:
      return frame.has_data_message();
    case SdkSignalFrame::AUDIO_TRANSCRIPT:
      return frame.has_audio_transcript();
    case SdkSignalFrame::REMOTE_VIDEO_UPDATE:
      return frame.has_remote_video_update();
    case SdkSignalFrame::PRIMARY_MEETING_JOIN:
      return frame.has_primary_meeting_join();
    case SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK:
      return frame.has_primary_meeting_join_ack();
    case SdkSignalFrame::PRIMARY_MEETING_LEAVE:
      return frame.has_primary_meeting_leave();
    case SdkSignalFrame::NOTIFICATION:
      return frame.has_notification();
    case SdkSignalFrame::MEETING_SESSION_TIMING:
      return frame.has_meeting_session_timing();
  }
  return false;
}

std::string ValidateFrame(const SdkSignalFrame& frame) {
  if (!frame.IsInitialized()) {
    if (!frame.has_type()) {
      if (std::optional<uint64_t> value = UnknownTypeValue(frame)) {
        return "unknown frame type " + std::to_string(*value);
      }
    }
    return "missing required field(s): " + frame.InitializationErrorString();
  }
  if (TypeRequiresSubMessage(frame.type()) && !HasSubMessageForType(frame)) {
    return SdkSignalFrame::Type_Name(frame.type()) + " frame without its sub-message '" +
           std::string(SubMessageFieldName(frame.type())) + "'";
  }
  return {};
}

std::optional<SdkSignalFrame> DecodeFrame(std::span<const uint8_t> bytes, std::string* error,
                                          const DecodeOptions& options) {
  if (bytes.empty()) {
    SetError(error, "empty frame");
    return std::nullopt;
  }
  if (bytes.size() > options.max_frame_bytes) {
    SetError(error, "frame of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                        std::to_string(options.max_frame_bytes));
    return std::nullopt;
  }
  const uint8_t prefix = bytes[0];
  if (prefix != kFramePrefix && !(options.accept_legacy_prefix && prefix == kLegacyFramePrefix)) {
    SetError(error, "bad prefix " + Hex(prefix) + " (want " + Hex(kFramePrefix) + ")");
    return std::nullopt;
  }
  const std::span<const uint8_t> body = bytes.subspan(1);
  if (body.size() > static_cast<size_t>(INT_MAX)) {  // protobuf takes an int size
    SetError(error, "frame too large for protobuf");
    return std::nullopt;
  }
  SdkSignalFrame frame;
  if (!frame.ParsePartialFromArray(body.data(), static_cast<int>(body.size()))) {
    SetError(error,
             "protobuf parse failed (" + std::to_string(body.size()) + " bytes after prefix)");
    return std::nullopt;
  }
  if (std::string reason = ValidateFrame(frame); !reason.empty()) {
    SetError(error, std::move(reason));
    return std::nullopt;
  }
  return frame;
}

std::vector<uint8_t> EncodeFrame(const SdkSignalFrame& frame) {
  SFU_CHECK(ValidateFrame(frame).empty());
  const size_t size = frame.ByteSizeLong();
  SFU_CHECK(size <= static_cast<size_t>(INT_MAX));
  std::vector<uint8_t> out(1 + size);
  out[0] = kFramePrefix;
  SFU_CHECK(frame.SerializeToArray(out.data() + 1, static_cast<int>(size)));
  return out;
}

SdkSignalFrame MakeFrame(SdkSignalFrame::Type type, uint64_t timestamp_ms) {
  SdkSignalFrame frame;
  frame.set_timestamp_ms(timestamp_ms);
  frame.set_type(type);
  switch (type) {
    case SdkSignalFrame::JOIN:
      frame.mutable_join();
      break;
    case SdkSignalFrame::JOIN_ACK:
      frame.mutable_joinack();
      break;
    case SdkSignalFrame::SUBSCRIBE:
      frame.mutable_sub();
      break;
    case SdkSignalFrame::SUBSCRIBE_ACK:
      frame.mutable_suback();
      break;
    case SdkSignalFrame::INDEX:
      frame.mutable_index();
      break;
    case SdkSignalFrame::PAUSE:
    case SdkSignalFrame::RESUME:
      frame.mutable_pause();
      break;
    case SdkSignalFrame::LEAVE:
      frame.mutable_leave();
      break;
    case SdkSignalFrame::LEAVE_ACK:
      frame.mutable_leave_ack();
      break;
    case SdkSignalFrame::BITRATES:
      frame.mutable_bitrates();
      break;
    case SdkSignalFrame::AUDIO_CONTROL:
      frame.mutable_audio_control();
      break;
    case SdkSignalFrame::AUDIO_METADATA:
      frame.mutable_audio_metadata();
      break;
    case SdkSignalFrame::AUDIO_STREAM_ID_INFO:
      frame.mutable_audio_stream_id_info();
      break;
    case SdkSignalFrame::PING_PONG:
      frame.mutable_ping_pong();
      break;
    case SdkSignalFrame::AUDIO_STATUS:
      frame.mutable_audio_status();
      break;
    case SdkSignalFrame::CLIENT_METRIC:
      frame.mutable_client_metric();
      break;
    case SdkSignalFrame::DATA_MESSAGE:
      frame.mutable_data_message();
      break;
    case SdkSignalFrame::AUDIO_TRANSCRIPT:
      frame.mutable_audio_transcript();
      break;
    case SdkSignalFrame::REMOTE_VIDEO_UPDATE:
      frame.mutable_remote_video_update();
      break;
    case SdkSignalFrame::PRIMARY_MEETING_JOIN:
      frame.mutable_primary_meeting_join();
      break;
    case SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK:
      frame.mutable_primary_meeting_join_ack();
      break;
    case SdkSignalFrame::PRIMARY_MEETING_LEAVE:
      frame.mutable_primary_meeting_leave();
      break;
    case SdkSignalFrame::NOTIFICATION:
      frame.mutable_notification();
      break;
    case SdkSignalFrame::MEETING_SESSION_TIMING:
      frame.mutable_meeting_session_timing();
      break;
  }
  return frame;
}

SdkSignalFrame MakeFrame(SdkSignalFrame::Type type) { return MakeFrame(type, NowTimestampMs()); }

SdkSignalFrame MakePingPong(SdkPingPongType type, uint32_t ping_id, uint64_t timestamp_ms) {
  SdkSignalFrame frame = MakeFrame(SdkSignalFrame::PING_PONG, timestamp_ms);
  frame.mutable_ping_pong()->set_type(type);
  frame.mutable_ping_pong()->set_ping_id(ping_id);
  return frame;
}

SdkSignalFrame MakePingPong(SdkPingPongType type, uint32_t ping_id) {
  return MakePingPong(type, ping_id, NowTimestampMs());
}

}  // namespace sfu::signaling::proto

#pragma once
// The signaling WebSocket's binary frame codec (docs/PROTOCOL.md §3.1): every binary message is
// one prefix byte 0x05 ("FrameTypeRTC") followed by one protobuf-encoded SdkSignalFrame.
//
// DecodeFrame is the single gate for untrusted client bytes: it bounds the size, checks the
// prefix, parses, enforces proto2 `required` fields and rejects a frame whose `type` lacks the
// sub-message carrying that type's payload (TypeRequiresSubMessage). It never throws or logs.
//
// EncodeFrame is for frames we build ourselves: a frame it would not accept back is a
// programmer error and aborts (SFU_CHECK), because the Chime client silently drops frames
// missing a required field and crashes a task on a missing sub-message (§3.4). Build
// outgoing frames with MakeFrame(), which always creates the sub-message matching the type.
//
// Pure functions; any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/proto/chime_signaling.pb.h"

namespace sfu::signaling::proto {

// §3.1: client->server frames (JS and C++ SDKs) always carry 0x05, and the server must always
// send 0x05. The JS client also tolerates 0x02 on frames it receives; we accept it only when asked.
inline constexpr uint8_t kFramePrefix = 0x05;
inline constexpr uint8_t kLegacyFramePrefix = 0x02;

// The protocol sets no size limit. The largest legitimate frame is a SUBSCRIBE with an
// uncompressed SDP offer: audio + camera + up to 25 recvonly video sections (video subscription
// limit, §4.3) at roughly 4 KB each with Chrome's full codec list, so ~110 KB. 256 KiB leaves
// headroom while bounding the parse cost of one hostile frame.
inline constexpr size_t kDefaultMaxFrameBytes = 256 * 1024;

struct DecodeOptions {
  // Frames larger than this (prefix included) are rejected before parsing.
  size_t max_frame_bytes = kDefaultMaxFrameBytes;
  // Accept 0x02 as well as 0x05 (only the client side of the protocol needs this; §3.1).
  bool accept_legacy_prefix = false;
};

// Decodes one WebSocket binary message. On failure returns nullopt and, if `error` is non-null,
// stores a one-line reason there ("empty frame", "bad prefix 0x07 (want 0x05)", "protobuf parse
// failed", "missing required field(s): type", "unknown frame type 99", "JOIN frame without its
// sub-message 'join'", ...). Unknown fields are kept (and re-emitted by EncodeFrame).
std::optional<SdkSignalFrame> DecodeFrame(std::span<const uint8_t> bytes, std::string* error,
                                          const DecodeOptions& options = {});

// 0x05 + serialized frame. SFU_CHECK-fails unless ValidateFrame(frame) is empty.
std::vector<uint8_t> EncodeFrame(const SdkSignalFrame& frame);

// Empty if `frame` is acceptable on the wire (all required fields set, sub-message present where
// TypeRequiresSubMessage), else the reason. DecodeFrame and EncodeFrame apply the same rule, so
// whatever one side encodes the other side decodes.
std::string ValidateFrame(const SdkSignalFrame& frame);

// True for every type whose payload lives in its sub-message, so that a frame of that type
// without it is meaningless (or, towards the JS client, fatal: §3.4). False for types whose
// sub-message is empty or ignorable (LEAVE, LEAVE_ACK, PRIMARY_MEETING_JOIN_ACK,
// PRIMARY_MEETING_LEAVE, CLIENT_METRIC, MEETING_SESSION_TIMING, AUDIO_TRANSCRIPT): clients are
// not required to send those, though MakeFrame always creates them.
bool TypeRequiresSubMessage(SdkSignalFrame::Type type);

// Whether `frame` carries the sub-message field that belongs to its type (`pause` for both PAUSE
// and RESUME).
bool HasSubMessageForType(const SdkSignalFrame& frame);

// The name of the sub-message field that belongs to `type` ("joinack", "pause", ...).
std::string_view SubMessageFieldName(SdkSignalFrame::Type type);

// A frame of `type` stamped with `timestamp_ms`, whose matching sub-message has been created
// (mutable_xxx()), even if it stays empty, for every type. Fill the sub-message afterwards.
SdkSignalFrame MakeFrame(SdkSignalFrame::Type type, uint64_t timestamp_ms);
// Same, stamped with the system wall clock (ms since the Unix epoch).
SdkSignalFrame MakeFrame(SdkSignalFrame::Type type);

// PING_PONG frames (§4.13): the server answers a PING with a PONG carrying the same ping_id.
SdkSignalFrame MakePingPong(SdkPingPongType type, uint32_t ping_id, uint64_t timestamp_ms);
SdkSignalFrame MakePingPong(SdkPingPongType type, uint32_t ping_id);

// Wall clock in ms since the Unix epoch, as MakeFrame(type) stamps it.
uint64_t NowTimestampMs();

}  // namespace sfu::signaling::proto

#pragma once
// TURN (RFC 8656) on the wire: STUN methods and classes, and ChannelData messages.
//
// TURN requests, responses and indications are STUN messages (stun_message.h parses and writes
// them; the TURN attributes are in StunAttr). The message type packs a 12-bit method and a
// 2-bit class (RFC 8489 §5):
//
//    0                 1
//    2  3  4 5 6 7 8 9 0 1 2 3 4 5
//   +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//   |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
//   |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
//   +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Media on a channel travels as ChannelData instead (RFC 8656 §12.4), 4 bytes of header:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Channel Number        |            Length             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   /                       Application Data                        /
//   +-------------------------------+-------------------------------+
//
// Length counts the application data only. Over TCP/TLS the message is padded to a multiple of
// 4 (stream_framing.h reads it from a stream); over UDP the padding is optional (§12.5).
//
// Pure: no I/O, no allocation, no exceptions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "transport/wire/stun_message.h"  // TURN messages are STUN messages

namespace sfu::wire {

// STUN/TURN methods (RFC 8489 §18.2, RFC 8656 §17).
enum TurnMethod : uint16_t {
  kStunMethodBinding = 0x001,
  kTurnAllocate = 0x003,
  kTurnRefresh = 0x004,
  kTurnSend = 0x006,
  kTurnData = 0x007,
  kTurnCreatePermission = 0x008,
  kTurnChannelBind = 0x009,
};

// The two class bits (C1 C0) as a number: 0b00 request ... 0b11 error response.
enum class StunClass : uint8_t {
  kRequest = 0,
  kIndication = 1,
  kSuccess = 2,
  kError = 3,
};

// The 12-bit method of a message type (the two leading zero bits are ignored).
uint16_t StunMethodOf(uint16_t type);
StunClass StunClassOf(uint16_t type);
// The message type for a method (its low 12 bits) and a class.
uint16_t StunType(uint16_t method, StunClass cls);

// TURN error codes (RFC 8656 §18, RFC 8489 §14.8) a server answers with.
enum TurnErrorCode : uint16_t {
  kTurnErrorBadRequest = 400,
  kTurnErrorUnauthorized = 401,
  kTurnErrorForbidden = 403,
  kTurnErrorUnknownAttribute = 420,
  kTurnErrorAllocationMismatch = 437,
  kTurnErrorStaleNonce = 438,
  kTurnErrorAddressFamilyNotSupported = 440,
  kTurnErrorWrongCredentials = 441,
  kTurnErrorUnsupportedTransport = 442,
  kTurnErrorPeerAddressFamilyMismatch = 443,
  kTurnErrorAllocationQuotaReached = 486,
  kTurnErrorServerError = 500,
  kTurnErrorInsufficientCapacity = 508,
};

// REQUESTED-TRANSPORT's protocol byte for UDP (RFC 8656 §18.7; the only one RFC 8656 relays).
inline constexpr uint8_t kTurnTransportUdp = 17;

// Channel numbers a client may bind (RFC 8656 §12: 0x4000 through 0x4FFF; 0x5000-0xFFFF are
// reserved and never valid).
inline constexpr uint16_t kTurnChannelMin = 0x4000;
inline constexpr uint16_t kTurnChannelMax = 0x4FFF;
inline constexpr size_t kChannelDataHeaderSize = 4;

inline constexpr bool IsValidTurnChannel(uint16_t channel) {
  return channel >= kTurnChannelMin && channel <= kTurnChannelMax;
}

// RFC 7983 §7: a first byte of 64..79 is a TURN ChannelData message. A cheap demux test; Parse
// validates.
inline bool IsChannelData(std::span<const uint8_t> data) {
  return !data.empty() && data[0] >= 0x40 && data[0] <= 0x4F;
}

// A parsed ChannelData message: a view over the caller's buffer, valid while the buffer is.
struct ChannelDataView {
  uint16_t channel = 0;
  std::span<const uint8_t> payload;

  // nullopt unless: at least the 4-byte header, a channel in 0x4000-0x4FFF, and Length bytes of
  // data present with at most 3 bytes after them (the padding; its value is not checked). A
  // Length of 0 is valid (an empty payload).
  static std::optional<ChannelDataView> Parse(std::span<const uint8_t> data);
};

// Writes a ChannelData message into out: header, payload and, with pad_to_4 (TCP/TLS), zero
// padding to a multiple of 4. Returns the bytes written, or 0 if out is too small, the channel
// is not in 0x4000-0x4FFF or the payload is longer than 65535 bytes. out may not overlap payload.
size_t WriteChannelData(std::span<uint8_t> out, uint16_t channel, std::span<const uint8_t> payload,
                        bool pad_to_4);

}  // namespace sfu::wire

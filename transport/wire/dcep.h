#pragma once
// WebRTC Data Channel Establishment Protocol messages (RFC 8832) and the SCTP payload protocol
// identifiers data channels use (RFC 8831 §8). DCEP messages travel on the data channel's own
// SCTP stream with PPID 50.
//
// DATA_CHANNEL_OPEN (RFC 8832 §5.1):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Message Type |  Channel Type |            Priority           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Reliability Parameter                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |         Label Length          |       Protocol Length         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                Label (Label Length bytes, no padding)         |
//  |             Protocol (Protocol Length bytes, no padding)      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// DATA_CHANNEL_ACK (RFC 8832 §5.2): one byte, Message Type 0x02.
//
// Pure: no I/O, no exceptions, no dependencies. This is the control path (one OPEN per channel),
// so the parsed label and protocol are std::string copies, not views.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sfu::wire {

// SCTP payload protocol identifiers (RFC 8831 §8, RFC 8832 §8.1). 52 and 54 (partial binary /
// string) are deprecated and not listed.
inline constexpr uint32_t kPpidDcep = 50;
inline constexpr uint32_t kPpidString = 51;
inline constexpr uint32_t kPpidBinary = 53;
inline constexpr uint32_t kPpidStringEmpty = 56;  // payload is one ignored byte (RFC 8831 §6.6)
inline constexpr uint32_t kPpidBinaryEmpty = 57;

inline constexpr size_t kDcepOpenHeaderSize = 12;

enum class DcepMessageType : uint8_t {
  kAck = 0x02,
  kOpen = 0x03,
};

// RFC 8832 §5.1. Bit 7 means unordered; the low bits choose the reliability.
enum class DcepChannelType : uint8_t {
  kReliable = 0x00,
  kReliableUnordered = 0x80,
  kPartialReliableRexmit = 0x01,  // reliability parameter = max retransmissions
  kPartialReliableRexmitUnordered = 0x81,
  kPartialReliableTimed = 0x02,  // reliability parameter = lifetime in ms
  kPartialReliableTimedUnordered = 0x82,
};

// True for the six channel types RFC 8832 defines.
bool IsKnownDcepChannelType(uint8_t type);
inline bool DcepChannelOrdered(DcepChannelType t) { return (static_cast<uint8_t>(t) & 0x80) == 0; }

struct DcepOpen {
  DcepChannelType channel_type = DcepChannelType::kReliable;
  uint16_t priority = 0;
  uint32_t reliability_parameter = 0;
  std::string label;
  std::string protocol;

  bool ordered() const { return DcepChannelOrdered(channel_type); }
  bool operator==(const DcepOpen&) const = default;
};

// The DCEP message type (first byte) if data is a DCEP message we know; nullopt if empty or the
// type is unknown.
std::optional<DcepMessageType> PeekDcepType(std::span<const uint8_t> data);

// Parses a DATA_CHANNEL_OPEN. nullopt if the type is not 0x03, the header is short, the channel
// type is unknown, or label/protocol run past the end. Bytes after the protocol are ignored
// (as libwebrtc does).
std::optional<DcepOpen> ParseDcepOpen(std::span<const uint8_t> data);

// True if data is a DATA_CHANNEL_ACK (first byte 0x02; anything after it is ignored).
bool ParseDcepAck(std::span<const uint8_t> data);

// Serialises an OPEN. Returns an empty vector (never a valid message) if the label or protocol
// is longer than 65535 bytes.
std::vector<uint8_t> BuildDcepOpen(const DcepOpen& open);
std::vector<uint8_t> BuildDcepAck();

}  // namespace sfu::wire

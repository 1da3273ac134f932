#pragma once
// STUN messages (RFC 8489), as ICE (RFC 8445) and TURN (RFC 8656, transport/wire/turn_message.h)
// use them.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |0 0|     STUN Message Type     |         Message Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                    Magic Cookie 0x2112A442                    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                  Transaction ID (96 bits)                     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | attributes: Type (16) | Length (16) | Value, padded to 4 bytes |
//
// Pure: no I/O, no allocation, no exceptions. HMAC-SHA1 (MESSAGE-INTEGRITY) is injected so the
// library depends on nothing; CRC-32 (FINGERPRINT, RFC 8489 §14.7) is computed here.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sfu::wire {

inline constexpr uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr size_t kStunHeaderSize = 20;

enum StunMethodType : uint16_t {
  kStunBindingRequest = 0x0001,
  kStunBindingIndication = 0x0011,
  kStunBindingSuccess = 0x0101,
  kStunBindingError = 0x0111,
};

enum StunAttr : uint16_t {
  kStunAttrMappedAddress = 0x0001,
  kStunAttrUsername = 0x0006,
  kStunAttrMessageIntegrity = 0x0008,
  kStunAttrErrorCode = 0x0009,
  kStunAttrUnknownAttributes = 0x000A,
  // TURN (RFC 8656 §18), and RFC 8489 §14.9-10 for REALM and NONCE.
  kStunAttrChannelNumber = 0x000C,   // 16-bit channel, then 16 bits RFFU
  kStunAttrLifetime = 0x000D,        // seconds, 32 bits
  kStunAttrXorPeerAddress = 0x0012,  // XOR-encoded like XOR-MAPPED-ADDRESS
  kStunAttrData = 0x0013,
  kStunAttrRealm = 0x0014,
  kStunAttrNonce = 0x0015,
  kStunAttrXorRelayedAddress = 0x0016,
  kStunAttrRequestedAddressFamily = 0x0017,  // family byte (1 IPv4, 2 IPv6), then 24 bits RFFU
  kStunAttrEvenPort = 0x0018,
  kStunAttrRequestedTransport = 0x0019,  // protocol byte (17 UDP), then 24 bits RFFU
  kStunAttrDontFragment = 0x001A,
  kStunAttrXorMappedAddress = 0x0020,
  kStunAttrReservationToken = 0x0022,
  kStunAttrPriority = 0x0024,
  kStunAttrUseCandidate = 0x0025,
  kStunAttrAdditionalAddressFamily = 0x8000,
  kStunAttrSoftware = 0x8022,
  kStunAttrFingerprint = 0x8028,
  kStunAttrIceControlled = 0x8029,
  kStunAttrIceControlling = 0x802A,
  kStunAttrGoogNetworkInfo = 0xC057,
};

// An IP address and port, family 4 or 6. ip holds 4 or 16 bytes in network order.
struct StunAddress {
  uint8_t family = 4;
  uint16_t port = 0;
  std::array<uint8_t, 16> ip{};
  bool operator==(const StunAddress&) const = default;
};

// HMAC-SHA1 over the concatenation of parts, into out (20 bytes). Returns false on failure.
using HmacSha1Fn = bool (*)(std::span<const uint8_t> key,
                            std::span<const std::span<const uint8_t>> parts, uint8_t out[20]);

uint32_t Crc32(std::span<const uint8_t> data, uint32_t crc = 0);

// A parsed STUN message: a view over the caller's buffer, valid while the buffer is.
class StunMessageView {
 public:
  // Checks header, cookie, length and attribute framing; nullopt on any violation.
  static std::optional<StunMessageView> Parse(std::span<const uint8_t> data);
  // Cheap test for the RFC 7983 demux: first byte 0-3, size, cookie.
  static bool LooksLikeStun(std::span<const uint8_t> data);

  uint16_t type() const { return type_; }
  std::span<const uint8_t, 12> transaction_id() const {
    return std::span<const uint8_t, 12>(data_.data() + 8, 12);
  }
  std::span<const uint8_t> data() const { return data_; }

  // Attribute value of the first (index 0) or a later attribute of that type before
  // MESSAGE-INTEGRITY (attributes after it other than FINGERPRINT are ignored, RFC 8489 §14.5).
  std::optional<std::span<const uint8_t>> Attribute(uint16_t type, size_t index = 0) const;
  bool Has(uint16_t type) const { return Attribute(type).has_value(); }
  std::optional<std::string_view> Username() const;
  // REALM and NONCE (RFC 8489 §14.9-10: at most 763 bytes; longer ones are refused here).
  std::optional<std::string_view> Realm() const;
  std::optional<std::string_view> Nonce() const;
  std::optional<uint32_t> Priority() const;
  std::optional<uint64_t> IceControlling() const;
  std::optional<uint64_t> IceControlled() const;
  // A 4-byte attribute as a big-endian integer (LIFETIME, PRIORITY, CHANNEL-NUMBER,
  // REQUESTED-TRANSPORT...); nullopt if absent or not exactly 4 bytes long. Fields that use only
  // the high bits (CHANNEL-NUMBER: >> 16; REQUESTED-TRANSPORT: >> 24) are the caller's to shift.
  std::optional<uint32_t> Uint32(uint16_t attr_type) const;
  // An XOR-encoded address attribute (RFC 8489 §14.2: XOR-MAPPED-ADDRESS; RFC 8656 §18:
  // XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS): family 1 with 4 address bytes or family 2 with 16,
  // port XOR the cookie's top half, address XOR cookie (+ transaction id for IPv6).
  std::optional<StunAddress> XorAddress(uint16_t attr_type, size_t index = 0) const;
  std::optional<StunAddress> XorMappedAddress() const {
    return XorAddress(kStunAttrXorMappedAddress);
  }
  std::optional<uint16_t> ErrorCode() const;  // e.g. 401

  bool has_message_integrity() const { return integrity_offset_ != 0; }
  bool has_fingerprint() const { return fingerprint_offset_ != 0; }
  // RFC 8489 §14.5: HMAC-SHA1 keyed with the short-term password over the message up to the
  // attribute, with the header length adjusted to end after MESSAGE-INTEGRITY.
  bool CheckMessageIntegrity(std::span<const uint8_t> key, HmacSha1Fn hmac) const;
  // RFC 8489 §14.7: CRC-32 of everything before FINGERPRINT, XOR 0x5354554e.
  bool CheckFingerprint() const;

 private:
  std::span<const uint8_t> data_;
  uint16_t type_ = 0;
  size_t integrity_offset_ = 0;    // offset of the MESSAGE-INTEGRITY attribute header, 0 if none
  size_t fingerprint_offset_ = 0;  // offset of the FINGERPRINT attribute header, 0 if none
};

// Builds a STUN message into a caller buffer. Each Add returns false (and the writer stays
// failed) if the buffer is too small. MESSAGE-INTEGRITY then FINGERPRINT go last, in that order.
class StunWriter {
 public:
  StunWriter(std::span<uint8_t> buffer, uint16_t type, std::span<const uint8_t, 12> transaction_id);

  bool AddAttribute(uint16_t type, std::span<const uint8_t> value);
  bool AddString(uint16_t type, std::string_view value);
  bool AddUint32(uint16_t type, uint32_t value);
  bool AddUint64(uint16_t type, uint64_t value);
  bool AddFlag(uint16_t type) { return AddAttribute(type, {}); }
  // Any XOR-encoded address attribute (see StunMessageView::XorAddress). Family 6 writes 16
  // address bytes, anything else the first 4.
  bool AddXorAddress(uint16_t attr_type, const StunAddress& address);
  bool AddXorMappedAddress(const StunAddress& address) {
    return AddXorAddress(kStunAttrXorMappedAddress, address);
  }
  bool AddErrorCode(uint16_t code, std::string_view reason);
  bool AddMessageIntegrity(std::span<const uint8_t> key, HmacSha1Fn hmac);
  bool AddFingerprint();

  bool ok() const { return ok_; }
  // Bytes written so far (0 if any Add failed).
  size_t size() const { return ok_ ? size_ : 0; }

 private:
  uint8_t* Reserve(uint16_t type, size_t length);  // writes the attribute header, updates length
  void SetLength(size_t body_length);

  std::span<uint8_t> buf_;
  size_t size_ = 0;
  bool ok_ = true;
};

}  // namespace sfu::wire

#pragma once
// RTP packets (RFC 3550 §5.1) with header extensions (RFC 3550 §5.3.1, RFC 8285).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                           timestamp                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           synchronization source (SSRC) identifier            |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |            contributing source (CSRC) identifiers (CC of them)|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      defined by profile       |    length (32-bit words)      |  if X
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  header extension (length words)              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                            payload ...                        |
//   |                               +-------------------------------+
//   |                               | padding ...   | padding count |  if P
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// RFC 8285 §4.2 one-byte elements (profile 0xBEDE): |ID(4)|L(4)| data (L+1 bytes); a byte with
// ID 0 is one byte of padding (whatever its L), ID 15 ends processing. §4.3 two-byte elements
// (profile 0x100X, X = appbits): |ID(8)|L(8)| data (L bytes, may be 0); a zero ID byte is padding.
//
// Parse validates everything a reader may later touch (element framing included), so the
// accessors never fail. Pure: no allocation, no exceptions; callable from any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sfu::wire {

inline constexpr size_t kRtpHeaderSize = 12;  // fixed part, without CSRCs and extension
inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;  // low 4 bits are "appbits"

// One header extension element: a view into the packet it came from.
struct RtpExtension {
  uint8_t id = 0;
  std::span<const uint8_t> data;
};

// Walks the elements of an RFC 8285 extension block. Created by RtpPacketView::extensions();
// yields nothing for an unknown profile. Borrowed view: valid while the packet buffer is.
class RtpExtensionIterator {
 public:
  RtpExtensionIterator() = default;
  RtpExtensionIterator(uint16_t profile, std::span<const uint8_t> block);
  // The next element, or nullopt at the end (or at a one-byte ID 15, RFC 8285 §4.2).
  std::optional<RtpExtension> Next();

 private:
  std::span<const uint8_t> block_;
  size_t pos_ = 0;
  bool one_byte_ = false;
};

// A parsed RTP packet: a view over the caller's buffer, valid while the buffer is.
class RtpPacketView {
 public:
  // nullopt unless: version 2; the CSRC list, extension header and extension block fit; every
  // RFC 8285 element fits in the block; the padding count is 1..(bytes after the header).
  static std::optional<RtpPacketView> Parse(std::span<const uint8_t> packet);

  bool marker() const { return (data_[1] & 0x80) != 0; }
  uint8_t payload_type() const { return data_[1] & 0x7F; }
  uint16_t sequence_number() const;
  uint32_t timestamp() const;
  uint32_t ssrc() const;

  size_t csrc_count() const { return data_[0] & 0x0F; }
  uint32_t csrc(size_t index) const;  // index < csrc_count()
  // The CSRC list as raw bytes (4 * csrc_count(), network order).
  std::span<const uint8_t> csrc_bytes() const {
    return data_.subspan(kRtpHeaderSize, 4 * csrc_count());
  }

  bool has_extension() const { return (data_[0] & 0x10) != 0; }
  uint16_t extension_profile() const { return extension_profile_; }  // 0 if !has_extension()
  // The extension block after its 4-byte header (empty if !has_extension()).
  std::span<const uint8_t> extension_block() const {
    return data_.subspan(extension_offset_, extension_size_);
  }
  // First element with this ID (1-14 one-byte, 1-255 two-byte), or nullopt.
  std::optional<std::span<const uint8_t>> Extension(uint8_t id) const;
  RtpExtensionIterator extensions() const {
    return RtpExtensionIterator(extension_profile_, extension_block());
  }

  size_t header_size() const { return header_size_; }  // fixed + CSRCs + extension
  std::span<const uint8_t> header() const { return data_.first(header_size_); }
  std::span<const uint8_t> payload() const { return data_.subspan(header_size_, payload_size_); }
  size_t payload_size() const { return payload_size_; }
  bool has_padding() const { return (data_[0] & 0x20) != 0; }
  size_t padding_size() const { return padding_size_; }    // 0 if !has_padding()
  std::span<const uint8_t> data() const { return data_; }  // the whole packet
  size_t size() const { return data_.size(); }

 private:
  RtpPacketView() = default;  // only Parse makes one: accessors assume a validated packet

  std::span<const uint8_t> data_;
  size_t header_size_ = 0;
  size_t payload_size_ = 0;
  size_t padding_size_ = 0;
  size_t extension_offset_ = 0;  // start of the element block (after profile and length)
  size_t extension_size_ = 0;
  uint16_t extension_profile_ = 0;
};

// Writes an RTP header (fixed part, CSRCs, extensions) into a caller buffer; the caller then
// appends the payload after WriteTo's result. Extension data is borrowed (spans must outlive
// WriteTo). Picks the one-byte form when every ID is 1-14 and every length 1-16, otherwise
// the two-byte form (RFC 8285 §4.3: IDs 1-255, lengths 0-255). Single owner, any thread.
class RtpHeaderWriter {
 public:
  static constexpr size_t kMaxCsrcs = 15;
  static constexpr size_t kMaxExtensions = 32;

  void SetMarker(bool marker) { marker_ = marker; }
  void SetPayloadType(uint8_t payload_type) { payload_type_ = payload_type & 0x7F; }
  void SetSequenceNumber(uint16_t sequence_number) { sequence_number_ = sequence_number; }
  void SetTimestamp(uint32_t timestamp) { timestamp_ = timestamp; }
  void SetSsrc(uint32_t ssrc) { ssrc_ = ssrc; }
  // False when kMaxCsrcs are already present.
  bool AddCsrc(uint32_t csrc);
  // False for ID 0, length > 255, a repeated ID, or when kMaxExtensions are already present.
  bool AddExtension(uint8_t id, std::span<const uint8_t> data);
  void ClearExtensions() { extension_count_ = 0; }

  // Bytes WriteTo will write.
  size_t HeaderSize() const;
  // Writes the header at out[0..]; returns its size, or 0 if out is too small.
  size_t WriteTo(std::span<uint8_t> out) const;

 private:
  bool UseOneByteForm() const;
  size_t ExtensionBlockSize() const;  // element bytes, before padding to 4

  bool marker_ = false;
  uint8_t payload_type_ = 0;
  uint16_t sequence_number_ = 0;
  uint32_t timestamp_ = 0;
  uint32_t ssrc_ = 0;
  std::array<uint32_t, kMaxCsrcs> csrcs_{};
  size_t csrc_count_ = 0;
  std::array<RtpExtension, kMaxExtensions> extensions_{};  // data borrowed
  size_t extension_count_ = 0;
};

// In-place rewrites for the forwarding hot path, on a packet Parse accepted. Each returns
// false (and writes nothing) if the buffer is shorter than kRtpHeaderSize.
bool SetSsrc(std::span<uint8_t> packet, uint32_t ssrc);
bool SetSequenceNumber(std::span<uint8_t> packet, uint16_t sequence_number);
bool SetTimestamp(std::span<uint8_t> packet, uint32_t timestamp);
bool SetPayloadType(std::span<uint8_t> packet, uint8_t payload_type);  // keeps the marker bit
bool SetMarker(std::span<uint8_t> packet, bool marker);
// Writable view of an extension element's data (e.g. to rewrite a transport-wide sequence
// number); nullopt if the packet does not parse or has no such element.
std::optional<std::span<uint8_t>> MutableExtension(std::span<uint8_t> packet, uint8_t id);

}  // namespace sfu::wire

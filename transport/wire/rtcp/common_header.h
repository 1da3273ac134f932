#pragma once
// The RTCP common header (RFC 3550 §6.4.1, §6.1) and a walker over compound packets.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P| RC/FMT  |      PT       |             length            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 payload (length * 4 bytes) ...                |
//   |                               +-------------------------------+
//   |                               | padding ...   | padding count |  if P
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// length is the block size in 32-bit words minus one, so a block is 4..262144 bytes. A compound
// packet (RFC 3550 §6.1) is blocks back to back; RFC 5506 reduced-size packets are accepted, so
// no particular first block is required. Feedback messages (RFC 4585 §6.1) put the SSRC of
// the packet sender and of the media source first in the payload; FMT replaces RC.
//
// Each RTCP class (sender_report.h, nack.h, ...) has libwebrtc's shape: `bool Parse(const
// CommonHeader&)` reads one block (returns false if the header's type/FMT is not its own or
// the payload is malformed), `BlockLength()` is the size Create writes, and
// `size_t Create(std::span<uint8_t> out)` writes one block at out[0..] and returns its size,
// or 0 if out is too small (or the block would exceed the 16-bit length). Parsed objects may
// borrow the packet buffer (documented per class). Objects are single-owner, any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sfu::wire::rtcp {

// Packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611).
inline constexpr uint8_t kPacketTypeSr = 200;
inline constexpr uint8_t kPacketTypeRr = 201;
inline constexpr uint8_t kPacketTypeSdes = 202;
inline constexpr uint8_t kPacketTypeBye = 203;
inline constexpr uint8_t kPacketTypeApp = 204;
inline constexpr uint8_t kPacketTypeRtpfb = 205;  // transport-layer feedback
inline constexpr uint8_t kPacketTypePsfb = 206;   // payload-specific feedback
inline constexpr uint8_t kPacketTypeXr = 207;

inline constexpr size_t kHeaderSize = 4;
inline constexpr size_t kCommonFeedbackSize = 8;  // sender SSRC + media SSRC
inline constexpr size_t kMaxBlockSize = 4 * 65536;

class CommonHeader {
 public:
  // Parses the block at the start of buffer (further blocks may follow). False if the buffer
  // is shorter than 4 bytes, the version is not 2, the length runs past the buffer, or the
  // padding count is 0 or larger than the payload.
  bool Parse(std::span<const uint8_t> buffer);

  uint8_t type() const { return type_; }
  uint8_t fmt() const { return count_or_fmt_; }    // feedback messages
  uint8_t count() const { return count_or_fmt_; }  // SR, RR, SDES, BYE
  // The block's bytes after the header, padding excluded. Borrowed from the parsed buffer.
  std::span<const uint8_t> payload() const { return payload_; }
  size_t payload_size() const { return payload_.size(); }
  size_t padding_size() const { return padding_size_; }
  // Header + payload + padding, i.e. (length + 1) * 4.
  size_t block_size() const { return kHeaderSize + payload_.size() + padding_size_; }
  // The whole block (borrowed).
  std::span<const uint8_t> block() const { return block_; }

 private:
  uint8_t type_ = 0;
  uint8_t count_or_fmt_ = 0;
  size_t padding_size_ = 0;
  std::span<const uint8_t> payload_;
  std::span<const uint8_t> block_;
};

// Writes a common header (no padding) for a block of block_size bytes at out[0..3].
// block_size must be a multiple of 4 in 4..kMaxBlockSize.
void WriteCommonHeader(uint8_t* out, uint8_t count_or_fmt, uint8_t packet_type, size_t block_size);

// Walks the blocks of a compound packet:
//
//   CompoundIterator it(packet);
//   while (auto block = it.Next()) { switch (block->type()) { ... } }
//   if (it.error()) { count a malformed packet }
//
// Stops at the first block whose header does not parse (a lying length, truncated tail, bad
// version); blocks before it were still returned. Borrows the buffer; single owner.
class CompoundIterator {
 public:
  explicit CompoundIterator(std::span<const uint8_t> compound) : rest_(compound) {}

  // The next block, or nullopt at the end or at a malformed block (then error() is true).
  std::optional<CommonHeader> Next();
  bool error() const { return error_; }
  // True once Next has returned nullopt, or would (nothing left).
  bool done() const { return error_ || rest_.empty(); }

 private:
  std::span<const uint8_t> rest_;
  bool error_ = false;
};

}  // namespace sfu::wire::rtcp

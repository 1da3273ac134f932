#pragma once
// Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2): application-layer
// feedback (PSFB, FMT=15) carrying a bitrate as mantissa * 2^exponent.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P| FMT=15  |   PT=PSFB=206 |             length            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of packet sender                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of media source (0)                     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Unique identifier 'R' 'E' 'M' 'B'                            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Num SSRC     | BR Exp    |  BR Mantissa (18 bits)            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   SSRC feedback (Num SSRC of them)                            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Other FMT=15 (AFB) messages fail Parse on the identifier. Parse copies into fixed storage.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

class Remb {
 public:
  static constexpr uint8_t kPacketType = kPacketTypePsfb;
  static constexpr uint8_t kFeedbackMessageType = 15;
  static constexpr size_t kMaxSsrcs = 255;  // Num SSRC is 8 bits
  static constexpr uint32_t kMaxMantissa = 0x3FFFF;

  // False unless PSFB/FMT 15, 'REMB', the SSRC list fits, and mantissa << exp fits 64 bits.
  bool Parse(const CommonHeader& header);

  uint32_t sender_ssrc() const { return sender_ssrc_; }
  uint32_t media_ssrc() const { return media_ssrc_; }
  uint64_t bitrate_bps() const { return bitrate_bps_; }
  std::span<const uint32_t> ssrcs() const { return {ssrcs_.data(), ssrc_count_}; }

  void SetSenderSsrc(uint32_t ssrc) { sender_ssrc_ = ssrc; }
  void SetMediaSsrc(uint32_t ssrc) { media_ssrc_ = ssrc; }
  // Stored exactly; Create rounds down to 18 significant bits (bitrate_bps() of a re-parse may
  // be lower, never higher).
  void SetBitrateBps(uint64_t bps) { bitrate_bps_ = bps; }
  bool SetSsrcs(std::span<const uint32_t> ssrcs);  // false (nothing set) if more than 255

  size_t BlockLength() const { return kHeaderSize + kCommonFeedbackSize + 8 + 4 * ssrc_count_; }
  size_t Create(std::span<uint8_t> out) const;

 private:
  uint32_t sender_ssrc_ = 0;
  uint32_t media_ssrc_ = 0;
  uint64_t bitrate_bps_ = 0;
  std::array<uint32_t, kMaxSsrcs> ssrcs_{};
  size_t ssrc_count_ = 0;
};

}  // namespace sfu::wire::rtcp

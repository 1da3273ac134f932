#pragma once
// Picture Loss Indication (RFC 4585 §6.3.1): a payload-specific feedback message with no FCI.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|  FMT=1  |   PT=PSFB=206 |          length=2             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of packet sender                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of media source                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A plain value: Parse copies.

#include <cstddef>
#include <cstdint>
#include <span>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

class Pli {
 public:
  static constexpr uint8_t kPacketType = kPacketTypePsfb;
  static constexpr uint8_t kFeedbackMessageType = 1;

  bool Parse(const CommonHeader& header);

  uint32_t sender_ssrc() const { return sender_ssrc_; }
  uint32_t media_ssrc() const { return media_ssrc_; }
  void SetSenderSsrc(uint32_t ssrc) { sender_ssrc_ = ssrc; }
  void SetMediaSsrc(uint32_t ssrc) { media_ssrc_ = ssrc; }

  size_t BlockLength() const { return kHeaderSize + kCommonFeedbackSize; }
  size_t Create(std::span<uint8_t> out) const;

 private:
  uint32_t sender_ssrc_ = 0;
  uint32_t media_ssrc_ = 0;
};

}  // namespace sfu::wire::rtcp

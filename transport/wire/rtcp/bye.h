#pragma once
// Goodbye (RFC 3550 §6.6).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|    SC   |   PT=BYE=203  |             length            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                           SSRC/CSRC                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   :                              ... (SC of them)                 :
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |     length    |               reason for leaving            ... (opt)
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The reason is zero-padded to a 32-bit boundary. Parse copies the SSRCs and borrows the
// reason from the packet; SetReason borrows its argument (it must outlive Create).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

class Bye {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeBye;
  static constexpr size_t kMaxSsrcs = 31;  // SC is 5 bits

  bool Parse(const CommonHeader& header);

  std::span<const uint32_t> ssrcs() const { return {ssrcs_.data(), ssrc_count_}; }
  std::string_view reason() const { return reason_; }

  bool AddSsrc(uint32_t ssrc);              // false when full
  bool SetReason(std::string_view reason);  // false if longer than 255 bytes

  size_t BlockLength() const;
  size_t Create(std::span<uint8_t> out) const;

 private:
  std::array<uint32_t, kMaxSsrcs> ssrcs_{};
  size_t ssrc_count_ = 0;
  std::string_view reason_;
};

}  // namespace sfu::wire::rtcp

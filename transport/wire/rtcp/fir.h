#pragma once
// Full Intra Request (RFC 5104 §4.3.1): payload-specific feedback, one FCI entry per SSRC.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|  FMT=4  |   PT=PSFB=206 |          length               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of packet sender                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |             SSRC of media source (unused, 0)                  |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |                              SSRC                             |  FCI entry,
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  one or more
//   | Seq nr.       |    Reserved (0)                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The sender increments Seq nr. for each new request to an SSRC (§4.3.1.2), so a receiver can
// ignore repeats. Storage as in Nack: a borrowed view after Parse, an owned vector after
// AddRequest.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

struct FirRequest {
  uint32_t ssrc = 0;
  uint8_t seq_nr = 0;
  bool operator==(const FirRequest&) const = default;
};

class Fir {
 public:
  static constexpr uint8_t kPacketType = kPacketTypePsfb;
  static constexpr uint8_t kFeedbackMessageType = 4;
  static constexpr size_t kEntrySize = 8;

  // False unless PSFB/FMT 4 with both SSRCs and at least one FCI entry.
  bool Parse(const CommonHeader& header);

  uint32_t sender_ssrc() const { return sender_ssrc_; }
  uint32_t media_ssrc() const { return media_ssrc_; }  // 0 per the RFC; kept as received
  void SetSenderSsrc(uint32_t ssrc) { sender_ssrc_ = ssrc; }
  void SetMediaSsrc(uint32_t ssrc) { media_ssrc_ = ssrc; }

  size_t request_count() const;
  FirRequest request(size_t index) const;  // index < request_count()
  // Switches to owned storage (copying any parsed entries first) and appends. Allocates.
  void AddRequest(uint32_t ssrc, uint8_t seq_nr);

  size_t BlockLength() const {
    return kHeaderSize + kCommonFeedbackSize + kEntrySize * request_count();
  }
  // 0 also when there are no requests (Parse would reject such a block).
  size_t Create(std::span<uint8_t> out) const;

 private:
  uint32_t sender_ssrc_ = 0;
  uint32_t media_ssrc_ = 0;
  bool owned_ = false;
  std::span<const uint8_t> parsed_fci_;  // borrowed from the parsed packet
  std::vector<FirRequest> owned_requests_;
};

}  // namespace sfu::wire::rtcp

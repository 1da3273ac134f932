#pragma once
// Generic NACK (RFC 4585 §6.2.1): transport-layer feedback listing lost RTP packets.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|  FMT=1  |  PT=RTPFB=205 |          length               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of packet sender                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of media source                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |            PID                |             BLP               |  one or more
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// PID is a lost sequence number; bit i of BLP (LSB = bit 0) reports PID + i + 1 lost too.
//
// Storage: after Parse, the items are a view into the packet buffer (borrowed; the buffer must
// outlive the reads, and Parse allocates nothing). SetLostPackets packs items into an owned
// vector (allocates; for the sending side).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

struct NackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;
  bool operator==(const NackItem&) const = default;
};

class Nack {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeRtpfb;
  static constexpr uint8_t kFeedbackMessageType = 1;
  static constexpr size_t kItemSize = 4;

  // False unless the block is RTPFB/FMT 1 with both SSRCs and at least one item. A trailing
  // partial item (possible only with padding) is ignored.
  bool Parse(const CommonHeader& header);

  uint32_t sender_ssrc() const { return sender_ssrc_; }
  uint32_t media_ssrc() const { return media_ssrc_; }
  void SetSenderSsrc(uint32_t ssrc) { sender_ssrc_ = ssrc; }
  void SetMediaSsrc(uint32_t ssrc) { media_ssrc_ = ssrc; }

  size_t item_count() const;
  NackItem item(size_t index) const;  // index < item_count()

  // Calls f(uint16_t seq) for every lost sequence number, item by item, PID first.
  template <typename F>
  void ForEachLostPacket(F&& f) const {
    for (size_t i = 0, n = item_count(); i < n; ++i) {
      const NackItem it = item(i);
      f(it.pid);
      for (int bit = 0; bit < 16; ++bit) {
        if (it.blp & (1u << bit)) f(static_cast<uint16_t>(it.pid + bit + 1));
      }
    }
  }
  // The same, collected (allocates).
  std::vector<uint16_t> LostPackets() const;

  // Packs sequence numbers into items. Input in ascending (wraparound) order packs tightly;
  // any other order is still reported exactly, just in more items. Duplicates are harmless.
  void SetLostPackets(std::span<const uint16_t> lost);
  void SetItems(std::span<const NackItem> items);

  size_t BlockLength() const {
    return kHeaderSize + kCommonFeedbackSize + kItemSize * item_count();
  }
  // 0 also when there are no items (Parse would reject such a block).
  size_t Create(std::span<uint8_t> out) const;

 private:
  uint32_t sender_ssrc_ = 0;
  uint32_t media_ssrc_ = 0;
  bool owned_ = false;                   // items come from owned_items_, else from parsed_fci_
  std::span<const uint8_t> parsed_fci_;  // borrowed from the parsed packet
  std::vector<NackItem> owned_items_;
};

}  // namespace sfu::wire::rtcp

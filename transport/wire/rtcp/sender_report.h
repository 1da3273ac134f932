#pragma once
// Sender reports (RFC 3550 §6.4.1).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|    RC   |   PT=SR=200   |             length            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         SSRC of sender                        |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |              NTP timestamp, most significant word             | sender
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ info
//   |             NTP timestamp, least significant word             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         RTP timestamp                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     sender's packet count                     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                      sender's octet count                     |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |        RC report blocks (see receiver_report.h), extensions   |
//
// Parse copies into fixed storage and borrows nothing.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/receiver_report.h"

namespace sfu::wire::rtcp {

// The middle 32 bits of a 64-bit NTP time: what RR's LSR field echoes (RFC 3550 §6.4.1).
constexpr uint32_t CompactNtp(uint64_t ntp) { return static_cast<uint32_t>(ntp >> 16); }

class SenderReport {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeSr;
  static constexpr size_t kMaxReportBlocks = 31;
  static constexpr size_t kSenderInfoSize = 20;

  bool Parse(const CommonHeader& header);

  uint32_t sender_ssrc() const { return sender_ssrc_; }
  uint64_t ntp() const { return ntp_; }  // seconds << 32 | fraction
  uint32_t rtp_timestamp() const { return rtp_timestamp_; }
  uint32_t packet_count() const { return packet_count_; }
  uint32_t octet_count() const { return octet_count_; }
  std::span<const ReportBlock> report_blocks() const { return {blocks_.data(), block_count_}; }

  void SetSenderSsrc(uint32_t ssrc) { sender_ssrc_ = ssrc; }
  void SetNtp(uint64_t ntp) { ntp_ = ntp; }
  void SetRtpTimestamp(uint32_t ts) { rtp_timestamp_ = ts; }
  void SetPacketCount(uint32_t n) { packet_count_ = n; }
  void SetOctetCount(uint32_t n) { octet_count_ = n; }
  bool AddReportBlock(const ReportBlock& block);              // false when full
  bool SetReportBlocks(std::span<const ReportBlock> blocks);  // false if too many

  size_t BlockLength() const {
    return kHeaderSize + 4 + kSenderInfoSize + ReportBlock::kSize * block_count_;
  }
  size_t Create(std::span<uint8_t> out) const;

 private:
  uint32_t sender_ssrc_ = 0;
  uint64_t ntp_ = 0;
  uint32_t rtp_timestamp_ = 0;
  uint32_t packet_count_ = 0;
  uint32_t octet_count_ = 0;
  std::array<ReportBlock, kMaxReportBlocks> blocks_{};
  size_t block_count_ = 0;
};

}  // namespace sfu::wire::rtcp

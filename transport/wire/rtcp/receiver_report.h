#pragma once
// Receiver reports and their report blocks (RFC 3550 §6.4.2, §6.4.1).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|    RC   |   PT=RR=201   |             length            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     SSRC of packet sender                     |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |                 SSRC_1 (SSRC of first source)                 | report
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ block
//   | fraction lost |       cumulative number of packets lost       |   1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           extended highest sequence number received           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                      interarrival jitter                      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         last SR (LSR)                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                   delay since last SR (DLSR)                  |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |                 report blocks 2..RC, profile extensions ...   |
//
// Bytes after the RC report blocks (profile-specific extensions) are ignored.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

// One report block (24 bytes), shared by SR and RR. A plain value.
struct ReportBlock {
  static constexpr size_t kSize = 24;

  uint32_t source_ssrc = 0;
  uint8_t fraction_lost = 0;    // fixed point, /256
  int32_t cumulative_lost = 0;  // 24-bit signed on the wire; clamped when written
  uint32_t extended_highest_sequence = 0;
  uint32_t jitter = 0;               // RTP timestamp units
  uint32_t last_sr = 0;              // middle 32 bits of the last SR's NTP time
  uint32_t delay_since_last_sr = 0;  // 1/65536 s

  // Reads kSize bytes at p / writes kSize bytes at p (the caller checks the length).
  static ReportBlock Read(const uint8_t* p);
  void Write(uint8_t* p) const;
  bool operator==(const ReportBlock&) const = default;
};

// Parses report blocks into fixed storage: Parse copies, borrows nothing.
class ReceiverReport {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeRr;
  static constexpr size_t kMaxReportBlocks = 31;  // RC is 5 bits

  bool Parse(const CommonHeader& header);

  uint32_t sender_ssrc() const { return sender_ssrc_; }
  std::span<const ReportBlock> report_blocks() const { return {blocks_.data(), block_count_}; }

  void SetSenderSsrc(uint32_t ssrc) { sender_ssrc_ = ssrc; }
  // False (nothing added) when kMaxReportBlocks are already present.
  bool AddReportBlock(const ReportBlock& block);
  // False (nothing set) if there are more than kMaxReportBlocks.
  bool SetReportBlocks(std::span<const ReportBlock> blocks);

  size_t BlockLength() const { return kHeaderSize + 4 + ReportBlock::kSize * block_count_; }
  size_t Create(std::span<uint8_t> out) const;

 private:
  uint32_t sender_ssrc_ = 0;
  std::array<ReportBlock, kMaxReportBlocks> blocks_{};
  size_t block_count_ = 0;
};

}  // namespace sfu::wire::rtcp

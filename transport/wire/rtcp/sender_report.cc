#include "transport/wire/rtcp/sender_report.h"

#include <algorithm>

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {

bool SenderReport::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType) return false;
  const std::span<const uint8_t> p = header.payload();
  const size_t count = header.count();
  if (p.size() < 4 + kSenderInfoSize + ReportBlock::kSize * count) return false;
  sender_ssrc_ = ReadBE32(p.data());
  ntp_ = ReadBE64(p.data() + 4);
  rtp_timestamp_ = ReadBE32(p.data() + 12);
  packet_count_ = ReadBE32(p.data() + 16);
  octet_count_ = ReadBE32(p.data() + 20);
  const uint8_t* blocks = p.data() + 4 + kSenderInfoSize;
  for (size_t i = 0; i < count; ++i)
    blocks_[i] = ReportBlock::Read(blocks + ReportBlock::kSize * i);
  block_count_ = count;
  return true;
}

bool SenderReport::AddReportBlock(const ReportBlock& block) {
  if (block_count_ == kMaxReportBlocks) return false;
  blocks_[block_count_++] = block;
  return true;
}

bool SenderReport::SetReportBlocks(std::span<const ReportBlock> blocks) {
  if (blocks.size() > kMaxReportBlocks) return false;
  std::copy(blocks.begin(), blocks.end(), blocks_.begin());
  block_count_ = blocks.size();
  return true;
}

size_t SenderReport::Create(std::span<uint8_t> out) const {
  const size_t size = BlockLength();
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteCommonHeader(p, static_cast<uint8_t>(block_count_), kPacketType, size);
  WriteBE32(p + 4, sender_ssrc_);
  WriteBE64(p + 8, ntp_);
  WriteBE32(p + 16, rtp_timestamp_);
  WriteBE32(p + 20, packet_count_);
  WriteBE32(p + 24, octet_count_);
  for (size_t i = 0; i < block_count_; ++i) blocks_[i].Write(p + 28 + ReportBlock::kSize * i);
  return size;
}

}  // namespace sfu::wire::rtcp

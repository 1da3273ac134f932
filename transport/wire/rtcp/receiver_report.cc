#include "transport/wire/rtcp/receiver_report.h"

#include <algorithm>

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {

ReportBlock ReportBlock::Read(const uint8_t* p) {
  ReportBlock b;
  b.source_ssrc = ReadBE32(p);
  b.fraction_lost = p[4];
  b.cumulative_lost = ReadBE24Signed(p + 5);
  b.extended_highest_sequence = ReadBE32(p + 8);
  b.jitter = ReadBE32(p + 12);
  b.last_sr = ReadBE32(p + 16);
  b.delay_since_last_sr = ReadBE32(p + 20);
  return b;
}

void ReportBlock::Write(uint8_t* p) const {
  WriteBE32(p, source_ssrc);
  p[4] = fraction_lost;
  const int32_t lost = std::clamp<int32_t>(cumulative_lost, -(1 << 23), (1 << 23) - 1);
  WriteBE24(p + 5, static_cast<uint32_t>(lost));
  WriteBE32(p + 8, extended_highest_sequence);
  WriteBE32(p + 12, jitter);
  WriteBE32(p + 16, last_sr);
  WriteBE32(p + 20, delay_since_last_sr);
}

bool ReceiverReport::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType) return false;
  const std::span<const uint8_t> p = header.payload();
  const size_t count = header.count();
  if (p.size() < 4 + ReportBlock::kSize * count) return false;
  sender_ssrc_ = ReadBE32(p.data());
  for (size_t i = 0; i < count; ++i)
    blocks_[i] = ReportBlock::Read(p.data() + 4 + ReportBlock::kSize * i);
  block_count_ = count;
  return true;
}

bool ReceiverReport::AddReportBlock(const ReportBlock& block) {
  if (block_count_ == kMaxReportBlocks) return false;
  blocks_[block_count_++] = block;
  return true;
}

bool ReceiverReport::SetReportBlocks(std::span<const ReportBlock> blocks) {
  if (blocks.size() > kMaxReportBlocks) return false;
  std::copy(blocks.begin(), blocks.end(), blocks_.begin());
  block_count_ = blocks.size();
  return true;
}

size_t ReceiverReport::Create(std::span<uint8_t> out) const {
  const size_t size = BlockLength();
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteCommonHeader(p, static_cast<uint8_t>(block_count_), kPacketType, size);
  WriteBE32(p + 4, sender_ssrc_);
  for (size_t i = 0; i < block_count_; ++i) blocks_[i].Write(p + 8 + ReportBlock::kSize * i);
  return size;
}

}  // namespace sfu::wire::rtcp

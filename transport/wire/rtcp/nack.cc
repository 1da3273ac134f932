#include "transport/wire/rtcp/nack.h"

#include "transport/wire/byte_io.h"
#include "transport/wire/seq_num.h"

namespace sfu::wire::rtcp {

bool Nack::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType || header.fmt() != kFeedbackMessageType) return false;
  const std::span<const uint8_t> p = header.payload();
  if (p.size() < kCommonFeedbackSize + kItemSize) return false;
  sender_ssrc_ = ReadBE32(p.data());
  media_ssrc_ = ReadBE32(p.data() + 4);
  const size_t items = (p.size() - kCommonFeedbackSize) / kItemSize;
  parsed_fci_ = p.subspan(kCommonFeedbackSize, items * kItemSize);
  owned_ = false;
  owned_items_.clear();
  return true;
}

size_t Nack::item_count() const {
  return owned_ ? owned_items_.size() : parsed_fci_.size() / kItemSize;
}

NackItem Nack::item(size_t index) const {
  if (owned_) return owned_items_[index];
  const uint8_t* p = parsed_fci_.data() + kItemSize * index;
  return NackItem{ReadBE16(p), ReadBE16(p + 2)};
}

std::vector<uint16_t> Nack::LostPackets() const {
  std::vector<uint16_t> out;
  ForEachLostPacket([&out](uint16_t seq) { out.push_back(seq); });
  return out;
}

void Nack::SetLostPackets(std::span<const uint16_t> lost) {
  owned_ = true;
  parsed_fci_ = {};
  owned_items_.clear();
  for (uint16_t seq : lost) {
    if (!owned_items_.empty()) {
      NackItem& last = owned_items_.back();
      const int16_t diff = SeqDiff(seq, last.pid);
      if (diff == 0) continue;
      if (diff >= 1 && diff <= 16) {
        last.blp = static_cast<uint16_t>(last.blp | (1u << (diff - 1)));
        continue;
      }
    }
    owned_items_.push_back(NackItem{seq, 0});
  }
}

void Nack::SetItems(std::span<const NackItem> items) {
  owned_ = true;
  parsed_fci_ = {};
  owned_items_.assign(items.begin(), items.end());
}

size_t Nack::Create(std::span<uint8_t> out) const {
  const size_t size = BlockLength();
  if (item_count() == 0 || out.size() < size || size > kMaxBlockSize) return 0;
  uint8_t* p = out.data();
  WriteCommonHeader(p, kFeedbackMessageType, kPacketType, size);
  WriteBE32(p + 4, sender_ssrc_);
  WriteBE32(p + 8, media_ssrc_);
  for (size_t i = 0, n = item_count(); i < n; ++i) {
    const NackItem it = item(i);
    WriteBE16(p + 12 + kItemSize * i, it.pid);
    WriteBE16(p + 14 + kItemSize * i, it.blp);
  }
  return size;
}

}  // namespace sfu::wire::rtcp

#include "transport/wire/rtcp/bye.h"

#include <cstring>

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {

bool Bye::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType) return false;
  const std::span<const uint8_t> p = header.payload();
  const size_t count = header.count();
  if (p.size() < 4 * count) return false;
  std::string_view reason;
  const size_t pos = 4 * count;
  if (p.size() > pos) {
    const size_t length = p[pos];
    if (length > p.size() - pos - 1) return false;
    reason = std::string_view(reinterpret_cast<const char*>(p.data() + pos + 1), length);
  }
  for (size_t i = 0; i < count; ++i) ssrcs_[i] = ReadBE32(p.data() + 4 * i);
  ssrc_count_ = count;
  reason_ = reason;
  return true;
}

bool Bye::AddSsrc(uint32_t ssrc) {
  if (ssrc_count_ == kMaxSsrcs) return false;
  ssrcs_[ssrc_count_++] = ssrc;
  return true;
}

bool Bye::SetReason(std::string_view reason) {
  if (reason.size() > 255) return false;
  reason_ = reason;
  return true;
}

size_t Bye::BlockLength() const {
  const size_t reason = reason_.empty() ? 0 : (1 + reason_.size() + 3) / 4 * 4;
  return kHeaderSize + 4 * ssrc_count_ + reason;
}

size_t Bye::Create(std::span<uint8_t> out) const {
  const size_t size = BlockLength();
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteCommonHeader(p, static_cast<uint8_t>(ssrc_count_), kPacketType, size);
  size_t pos = kHeaderSize;
  for (size_t i = 0; i < ssrc_count_; ++i, pos += 4) WriteBE32(p + pos, ssrcs_[i]);
  if (!reason_.empty()) {
    p[pos] = static_cast<uint8_t>(reason_.size());
    std::memcpy(p + pos + 1, reason_.data(), reason_.size());
    pos += 1 + reason_.size();
    std::memset(p + pos, 0, size - pos);
  }
  return size;
}

}  // namespace sfu::wire::rtcp

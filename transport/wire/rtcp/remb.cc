#include "transport/wire/rtcp/remb.h"

#include <algorithm>

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {
namespace {
constexpr uint32_t kUniqueIdentifier = 0x52454D42;  // 'R' 'E' 'M' 'B'
}  // namespace

bool Remb::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType || header.fmt() != kFeedbackMessageType) return false;
  const std::span<const uint8_t> p = header.payload();
  if (p.size() < kCommonFeedbackSize + 8) return false;
  if (ReadBE32(p.data() + 8) != kUniqueIdentifier) return false;
  const size_t count = p[12];
  if (p.size() < kCommonFeedbackSize + 8 + 4 * count) return false;
  const uint8_t exponent = p[13] >> 2;
  const uint64_t mantissa = ReadBE24(p.data() + 13) & kMaxMantissa;
  const uint64_t bitrate = mantissa << exponent;
  if ((bitrate >> exponent) != mantissa) return false;  // overflowed 64 bits
  sender_ssrc_ = ReadBE32(p.data());
  media_ssrc_ = ReadBE32(p.data() + 4);
  bitrate_bps_ = bitrate;
  for (size_t i = 0; i < count; ++i) ssrcs_[i] = ReadBE32(p.data() + 16 + 4 * i);
  ssrc_count_ = count;
  return true;
}

bool Remb::SetSsrcs(std::span<const uint32_t> ssrcs) {
  if (ssrcs.size() > kMaxSsrcs) return false;
  std::copy(ssrcs.begin(), ssrcs.end(), ssrcs_.begin());
  ssrc_count_ = ssrcs.size();
  return true;
}

size_t Remb::Create(std::span<uint8_t> out) const {
  const size_t size = BlockLength();
  if (out.size() < size) return 0;
  uint8_t exponent = 0;
  while ((bitrate_bps_ >> exponent) > kMaxMantissa) ++exponent;  // at most 46
  const uint32_t mantissa = static_cast<uint32_t>(bitrate_bps_ >> exponent);
  uint8_t* p = out.data();
  WriteCommonHeader(p, kFeedbackMessageType, kPacketType, size);
  WriteBE32(p + 4, sender_ssrc_);
  WriteBE32(p + 8, media_ssrc_);
  WriteBE32(p + 12, kUniqueIdentifier);
  p[16] = static_cast<uint8_t>(ssrc_count_);
  WriteBE24(p + 17, (static_cast<uint32_t>(exponent) << 18) | mantissa);
  for (size_t i = 0; i < ssrc_count_; ++i) WriteBE32(p + 20 + 4 * i, ssrcs_[i]);
  return size;
}

}  // namespace sfu::wire::rtcp

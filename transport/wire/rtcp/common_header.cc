#include "transport/wire/rtcp/common_header.h"

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {

bool CommonHeader::Parse(std::span<const uint8_t> buffer) {
  if (buffer.size() < kHeaderSize || (buffer[0] >> 6) != 2) return false;
  const size_t block_size = kHeaderSize + 4u * ReadBE16(buffer.data() + 2);
  if (block_size > buffer.size()) return false;
  size_t padding = 0;
  if (buffer[0] & 0x20) {
    // RFC 3550 §6.4.1: the last octet of the block counts the padding, itself included.
    if (block_size == kHeaderSize) return false;
    padding = buffer[block_size - 1];
    if (padding == 0 || padding > block_size - kHeaderSize) return false;
  }
  type_ = buffer[1];
  count_or_fmt_ = buffer[0] & 0x1F;
  padding_size_ = padding;
  block_ = buffer.first(block_size);
  payload_ = buffer.subspan(kHeaderSize, block_size - kHeaderSize - padding);
  return true;
}

void WriteCommonHeader(uint8_t* out, uint8_t count_or_fmt, uint8_t packet_type, size_t block_size) {
  out[0] = static_cast<uint8_t>(0x80 | (count_or_fmt & 0x1F));
  out[1] = packet_type;
  WriteBE16(out + 2, static_cast<uint16_t>(block_size / 4 - 1));
}

std::optional<CommonHeader> CompoundIterator::Next() {
  if (done()) return std::nullopt;
  CommonHeader header;
  if (!header.Parse(rest_)) {
    error_ = true;
    return std::nullopt;
  }
  rest_ = rest_.subspan(header.block_size());
  return header;
}

}  // namespace sfu::wire::rtcp

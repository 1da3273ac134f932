#include "transport/wire/turn_message.h"

#include <cstring>

#include "transport/wire/byte_io.h"

namespace sfu::wire {

uint16_t StunMethodOf(uint16_t type) {
  // M0-M3 are bits 0-3, M4-M6 bits 5-7, M7-M11 bits 9-13 (the class bits are 4 and 8).
  return static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}

StunClass StunClassOf(uint16_t type) {
  return static_cast<StunClass>(((type >> 4) & 0x1) | ((type >> 7) & 0x2));
}

uint16_t StunType(uint16_t method, StunClass cls) {
  const uint16_t c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                               ((method & 0x0F80) << 2) | ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

std::optional<ChannelDataView> ChannelDataView::Parse(std::span<const uint8_t> data) {
  if (data.size() < kChannelDataHeaderSize) return std::nullopt;
  const uint16_t channel = ReadBE16(data.data());
  if (!IsValidTurnChannel(channel)) return std::nullopt;
  const size_t length = ReadBE16(data.data() + 2);
  const size_t available = data.size() - kChannelDataHeaderSize;
  if (length > available || available - length > 3) return std::nullopt;
  return ChannelDataView{channel, data.subspan(kChannelDataHeaderSize, length)};
}

size_t WriteChannelData(std::span<uint8_t> out, uint16_t channel, std::span<const uint8_t> payload,
                        bool pad_to_4) {
  if (!IsValidTurnChannel(channel) || payload.size() > 0xFFFF) return 0;
  const size_t padded = pad_to_4 ? (payload.size() + 3) & ~size_t{3} : payload.size();
  const size_t total = kChannelDataHeaderSize + padded;
  if (out.size() < total) return 0;
  WriteBE16(out.data(), channel);
  WriteBE16(out.data() + 2, static_cast<uint16_t>(payload.size()));
  if (!payload.empty())
    std::memcpy(out.data() + kChannelDataHeaderSize, payload.data(), payload.size());
  if (padded > payload.size())
    std::memset(out.data() + kChannelDataHeaderSize + payload.size(), 0, padded - payload.size());
  return total;
}

}  // namespace sfu::wire

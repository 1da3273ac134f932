#include "transport/wire/dcep.h"

namespace sfu::wire {
namespace {

// Local big-endian helpers: the wire library's parsers each stay self-contained.
uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
void PutBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void PutBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace

bool IsKnownDcepChannelType(uint8_t type) {
  switch (type) {
    case 0x00:
    case 0x80:
    case 0x01:
    case 0x81:
    case 0x02:
    case 0x82:
      return true;
    default:
      return false;
  }
}

std::optional<DcepMessageType> PeekDcepType(std::span<const uint8_t> data) {
  if (data.empty()) return std::nullopt;
  switch (data[0]) {
    case static_cast<uint8_t>(DcepMessageType::kAck):
      return DcepMessageType::kAck;
    case static_cast<uint8_t>(DcepMessageType::kOpen):
      return DcepMessageType::kOpen;
    default:
      return std::nullopt;
  }
}

std::optional<DcepOpen> ParseDcepOpen(std::span<const uint8_t> data) {
  if (data.size() < kDcepOpenHeaderSize) return std::nullopt;
  const uint8_t* p = data.data();
  if (p[0] != static_cast<uint8_t>(DcepMessageType::kOpen)) return std::nullopt;
  if (!IsKnownDcepChannelType(p[1])) return std::nullopt;
  const size_t label_len = Be16(p + 8);
  const size_t protocol_len = Be16(p + 10);
  // Both lengths are at most 65535, so the sum cannot overflow size_t.
  if (label_len + protocol_len > data.size() - kDcepOpenHeaderSize) return std::nullopt;

  DcepOpen open;
  open.channel_type = static_cast<DcepChannelType>(p[1]);
  open.priority = Be16(p + 2);
  open.reliability_parameter = Be32(p + 4);
  const char* label = reinterpret_cast<const char*>(p + kDcepOpenHeaderSize);
  open.label.assign(label, label_len);
  open.protocol.assign(label + label_len, protocol_len);
  return open;
}

bool ParseDcepAck(std::span<const uint8_t> data) {
  return !data.empty() && data[0] == static_cast<uint8_t>(DcepMessageType::kAck);
}

std::vector<uint8_t> BuildDcepOpen(const DcepOpen& open) {
  if (open.label.size() > 0xFFFF || open.protocol.size() > 0xFFFF) return {};
  std::vector<uint8_t> out(kDcepOpenHeaderSize + open.label.size() + open.protocol.size());
  uint8_t* p = out.data();
  p[0] = static_cast<uint8_t>(DcepMessageType::kOpen);
  p[1] = static_cast<uint8_t>(open.channel_type);
  PutBe16(p + 2, open.priority);
  PutBe32(p + 4, open.reliability_parameter);
  PutBe16(p + 8, static_cast<uint16_t>(open.label.size()));
  PutBe16(p + 10, static_cast<uint16_t>(open.protocol.size()));
  uint8_t* q = p + kDcepOpenHeaderSize;
  for (char c : open.label) *q++ = static_cast<uint8_t>(c);
  for (char c : open.protocol) *q++ = static_cast<uint8_t>(c);
  return out;
}

std::vector<uint8_t> BuildDcepAck() { return {static_cast<uint8_t>(DcepMessageType::kAck)}; }

}  // namespace sfu::wire

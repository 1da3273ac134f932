#include "transport/wire/red_payload.h"

namespace sfu::wire {

std::optional<RedPayload> ParseRedPayload(std::span<const uint8_t> payload, std::string* error) {
  auto fail = [error](const char* why) -> std::optional<RedPayload> {
    if (error) *error = why;
    return std::nullopt;
  };
  RedPayload out;
  size_t pos = 0;
  size_t data_total = 0;
  for (;;) {
    if (pos >= payload.size()) return fail("RED header truncated");
    const bool more = payload[pos] & 0x80;
    if (out.count == RedPayload::kMaxBlocks) return fail("too many RED blocks");
    RedBlock& b = out.blocks[out.count++];
    b.payload_type = payload[pos] & 0x7f;
    if (!more) {
      ++pos;
      break;
    }
    if (pos + 4 > payload.size()) return fail("RED header truncated");
    b.timestamp_offset = (static_cast<uint32_t>(payload[pos + 1]) << 6) | (payload[pos + 2] >> 2);
    const size_t len = (static_cast<size_t>(payload[pos + 2] & 0x03) << 8) | payload[pos + 3];
    b.data = std::span<const uint8_t>(static_cast<const uint8_t*>(nullptr), len);  // placed below
    data_total += len;
    pos += 4;
  }
  if (data_total > payload.size() - pos) return fail("RED block lengths exceed the payload");
  size_t at = pos;
  for (size_t i = 0; i + 1 < out.count; ++i) {
    const size_t len = out.blocks[i].data.size();
    out.blocks[i].data = payload.subspan(at, len);
    at += len;
  }
  out.blocks[out.count - 1].data = payload.subspan(at);
  return out;
}

size_t WriteRedPayload(std::span<const RedBlock> blocks, std::span<uint8_t> out) {
  if (blocks.empty() || blocks.size() > RedPayload::kMaxBlocks) return 0;
  size_t need = 1;
  for (size_t i = 0; i < blocks.size(); ++i) {
    need += blocks[i].data.size();
    if (i + 1 < blocks.size()) {
      need += 4;
      if (blocks[i].data.size() > 1023 || blocks[i].timestamp_offset > 0x3fff) return 0;
    }
    if (blocks[i].payload_type > 127) return 0;
  }
  if (need > out.size()) return 0;
  size_t pos = 0;
  for (size_t i = 0; i + 1 < blocks.size(); ++i) {
    const RedBlock& b = blocks[i];
    out[pos++] = static_cast<uint8_t>(0x80 | b.payload_type);
    out[pos++] = static_cast<uint8_t>(b.timestamp_offset >> 6);
    out[pos++] = static_cast<uint8_t>(((b.timestamp_offset & 0x3f) << 2) | (b.data.size() >> 8));
    out[pos++] = static_cast<uint8_t>(b.data.size() & 0xff);
  }
  out[pos++] = blocks.back().payload_type;
  for (const RedBlock& b : blocks) {
    for (uint8_t byte : b.data) out[pos++] = byte;
  }
  return pos;
}

}  // namespace sfu::wire

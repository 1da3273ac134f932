#pragma once
// RTP payload for redundant audio data, RFC 2198 (`audio/red`): header blocks
//   F(1) | block PT(7) | timestamp offset(14) | block length(10)   (F = 1: more blocks follow)
//   F(1)=0 | block PT(7)                                              (the primary, last)
// followed by the blocks' data in the same order, the primary's data last (its length is what
// remains). Pure; views into the caller's buffer; every length is checked.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sfu::wire {

struct RedBlock {
  uint8_t payload_type = 0;
  uint32_t timestamp_offset = 0;  // how far before the packet's timestamp (0 for the primary)
  std::span<const uint8_t> data;
};

struct RedPayload {
  static constexpr size_t kMaxBlocks = 8;  // more than any sender uses (Chrome sends up to 3)
  RedBlock blocks[kMaxBlocks];
  size_t count = 0;  // redundant blocks first (oldest first, as sent), the primary last
  const RedBlock& primary() const { return blocks[count - 1]; }
};

// Parses a RED payload. nullopt with *error on truncation, too many blocks or lengths that do
// not add up.
std::optional<RedPayload> ParseRedPayload(std::span<const uint8_t> payload,
                                          std::string* error = nullptr);

// Writes a RED payload (tests and the load tester). Returns bytes written, 0 if `out` is too
// small or a block does not fit the header fields.
size_t WriteRedPayload(std::span<const RedBlock> blocks, std::span<uint8_t> out);

}  // namespace sfu::wire

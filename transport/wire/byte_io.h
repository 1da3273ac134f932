#pragma once
// Big-endian (network order) integer reads and writes for the wire formats.
//
// Two flavours: raw-pointer helpers for code that has already checked the length (the parsers
// check once per block, then read fixed offsets), and span helpers that check the bounds
// themselves and report failure instead of reading past the end. Header-only, no dependencies.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sfu::wire {

// --- Unchecked: the caller guarantees p points at enough bytes. -------------------------------

inline constexpr uint16_t ReadBE16(const uint8_t* p) {
  return static_cast<uint16_t>((static_cast<uint16_t>(p[0]) << 8) | p[1]);
}
inline constexpr uint32_t ReadBE24(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
}
inline constexpr uint32_t ReadBE32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
inline constexpr uint64_t ReadBE64(const uint8_t* p) {
  return (static_cast<uint64_t>(ReadBE32(p)) << 32) | ReadBE32(p + 4);
}
// 24-bit two's complement (RTCP cumulative loss, TWCC reference time), sign-extended.
inline constexpr int32_t ReadBE24Signed(const uint8_t* p) {
  const uint32_t v = ReadBE24(p);
  return (v & 0x800000u) ? static_cast<int32_t>(v | 0xFF000000u) : static_cast<int32_t>(v);
}

inline constexpr void WriteBE16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
// Writes the low 24 bits of v (so a negative int32 cast to uint32 writes its 24-bit form).
inline constexpr void WriteBE24(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 16);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v);
}
inline constexpr void WriteBE32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline constexpr void WriteBE64(uint8_t* p, uint64_t v) {
  WriteBE32(p, static_cast<uint32_t>(v >> 32));
  WriteBE32(p + 4, static_cast<uint32_t>(v));
}

// --- Checked: nullopt / false when [offset, offset + width) is not inside the span. ---------

inline constexpr bool InBounds(std::span<const uint8_t> s, size_t offset, size_t width) {
  return offset <= s.size() && width <= s.size() - offset;
}
inline constexpr std::optional<uint8_t> ReadU8(std::span<const uint8_t> s, size_t offset) {
  if (!InBounds(s, offset, 1)) return std::nullopt;
  return s[offset];
}
inline constexpr std::optional<uint16_t> ReadU16(std::span<const uint8_t> s, size_t offset) {
  if (!InBounds(s, offset, 2)) return std::nullopt;
  return ReadBE16(s.data() + offset);
}
inline constexpr std::optional<uint32_t> ReadU24(std::span<const uint8_t> s, size_t offset) {
  if (!InBounds(s, offset, 3)) return std::nullopt;
  return ReadBE24(s.data() + offset);
}
inline constexpr std::optional<uint32_t> ReadU32(std::span<const uint8_t> s, size_t offset) {
  if (!InBounds(s, offset, 4)) return std::nullopt;
  return ReadBE32(s.data() + offset);
}
inline constexpr std::optional<uint64_t> ReadU64(std::span<const uint8_t> s, size_t offset) {
  if (!InBounds(s, offset, 8)) return std::nullopt;
  return ReadBE64(s.data() + offset);
}

inline constexpr bool WriteU8(std::span<uint8_t> s, size_t offset, uint8_t v) {
  if (!InBounds(s, offset, 1)) return false;
  s[offset] = v;
  return true;
}
inline constexpr bool WriteU16(std::span<uint8_t> s, size_t offset, uint16_t v) {
  if (!InBounds(s, offset, 2)) return false;
  WriteBE16(s.data() + offset, v);
  return true;
}
inline constexpr bool WriteU24(std::span<uint8_t> s, size_t offset, uint32_t v) {
  if (!InBounds(s, offset, 3)) return false;
  WriteBE24(s.data() + offset, v);
  return true;
}
inline constexpr bool WriteU32(std::span<uint8_t> s, size_t offset, uint32_t v) {
  if (!InBounds(s, offset, 4)) return false;
  WriteBE32(s.data() + offset, v);
  return true;
}
inline constexpr bool WriteU64(std::span<uint8_t> s, size_t offset, uint64_t v) {
  if (!InBounds(s, offset, 8)) return false;
  WriteBE64(s.data() + offset, v);
  return true;
}

}  // namespace sfu::wire

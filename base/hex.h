#pragma once
// Lower-case hex of bytes and back (keys, digests, protobuf messages carried as text). Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sfu::base {

// 0-15 for a hex digit (either case), -1 otherwise.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// nullopt: an odd length, a character that is not a hex digit, or more than max_bytes.
inline std::optional<std::string> HexDecode(std::string_view hex, size_t max_bytes) {
  if (hex.size() % 2 != 0 || hex.size() / 2 > max_bytes) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigitValue(hex[2 * i]), lo = HexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace sfu::base

#pragma once
// Small OpenSSL helpers for the control path: hashing, HMAC, random ids, base64url.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sfu::api {

std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string HexEncode(std::string_view bytes);
// Constant-time comparison (lengths are not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// A random RFC 4122 version-4 UUID, lower-case, 36 characters.
std::string NewUuid();
// Parses a 36-character UUID (any version) into 16 bytes; nullopt if malformed.
std::optional<std::string> UuidToBytes(std::string_view uuid);
std::string BytesToUuid(std::string_view bytes16);
// RFC 4648 §5 base64url without padding.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace sfu::api

#include "transport/crypto/turn_credentials.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include "base/check.h"

namespace sfu::transport {

std::array<uint8_t, 16> TurnLongTermKey(std::string_view username, std::string_view realm,
                                        std::string_view password) {
  std::string input;
  input.reserve(username.size() + realm.size() + password.size() + 2);
  input.append(username).append(":").append(realm).append(":").append(password);
  std::array<uint8_t, 16> key{};
  unsigned int len = 0;
  SFU_CHECK(EVP_Digest(input.data(), input.size(), key.data(), &len, EVP_md5(), nullptr) == 1);
  SFU_CHECK(len == key.size());
  return key;
}

std::string TurnRestUsername(int64_t expiry_unix_s, std::string_view user_id) {
  std::string out = std::to_string(expiry_unix_s);
  out += ':';
  out.append(user_id);
  return out;
}

std::string TurnRestPassword(std::string_view secret, std::string_view username) {
  // An empty string_view may hold a null pointer, which HMAC() refuses: point at a real byte.
  static const char kEmpty = 0;
  const char* key = secret.empty() ? &kEmpty : secret.data();
  const char* data = username.empty() ? &kEmpty : username.data();
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  SFU_CHECK(HMAC(EVP_sha1(), key, static_cast<int>(secret.size()),
                 reinterpret_cast<const uint8_t*>(data), username.size(), mac,
                 &mac_len) != nullptr);
  SFU_CHECK(mac_len == 20);
  // EVP_EncodeBlock: standard alphabet, '=' padding, no line breaks, NUL-terminated.
  uint8_t text[4 * ((20 + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(text, mac, static_cast<int>(mac_len));
  SFU_CHECK(n == 28);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(n));
}

std::array<uint8_t, 16> TurnRestLongTermKey(std::string_view secret, std::string_view username,
                                            std::string_view realm) {
  return TurnLongTermKey(username, realm, TurnRestPassword(secret, username));
}

std::optional<TurnRestUser> ParseTurnRestUsername(std::string_view username) {
  if (username.size() > kTurnRestUsernameMaxBytes) return std::nullopt;
  const size_t colon = username.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 19) return std::nullopt;
  const std::string_view digits = username.substr(0, colon);
  const std::string_view id = username.substr(colon + 1);
  if (id.empty()) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  for (char c : id) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) return std::nullopt;
  }
  TurnRestUser user;
  const auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), user.expiry_unix_s);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;  // overflow
  user.user_id = std::string(id);
  return user;
}

}  // namespace sfu::transport

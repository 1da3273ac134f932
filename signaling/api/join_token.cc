#include "signaling/api/join_token.h"

#include "base/check.h"
#include "signaling/api/crypto_util.h"

namespace sfu::api {
namespace {
constexpr char kVersion = 1;
constexpr size_t kMacBytes = 16;
constexpr size_t kPayloadBytes = 1 + 16 + 16;
constexpr std::string_view kContentSuffix = "#content";
}  // namespace

JoinTokenSigner::JoinTokenSigner(std::string secret) : secret_(std::move(secret)) {
  SFU_CHECK(secret_.size() >= 32);
}

std::string JoinTokenSigner::Make(std::string_view meeting_id, std::string_view attendee_id) const {
  auto m = UuidToBytes(meeting_id);
  auto a = UuidToBytes(attendee_id);
  if (!m || !a) return {};
  std::string payload;
  payload.reserve(kPayloadBytes + kMacBytes);
  payload += kVersion;
  payload += *m;
  payload += *a;
  payload += HmacSha256(secret_, payload).substr(0, kMacBytes);
  return Base64UrlEncode(payload);
}

std::optional<JoinTokenClaims> JoinTokenSigner::Verify(std::string_view token) const {
  JoinTokenClaims claims;
  if (token.size() > kContentSuffix.size() &&
      token.substr(token.size() - kContentSuffix.size()) == kContentSuffix) {
    claims.content = true;
    token.remove_suffix(kContentSuffix.size());
  }
  if (token.size() != 66) return std::nullopt;
  auto raw = Base64UrlDecode(token);
  if (!raw || raw->size() != kPayloadBytes + kMacBytes || (*raw)[0] != kVersion)
    return std::nullopt;
  const std::string_view bytes(*raw);
  const std::string mac = HmacSha256(secret_, bytes.substr(0, kPayloadBytes)).substr(0, kMacBytes);
  if (!ConstantTimeEquals(mac, bytes.substr(kPayloadBytes))) return std::nullopt;
  claims.meeting_id = BytesToUuid(bytes.substr(1, 16));
  claims.attendee_id = BytesToUuid(bytes.substr(17, 16));
  return claims;
}

}  // namespace sfu::api

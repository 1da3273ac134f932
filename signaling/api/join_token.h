#pragma once
// Opaque join tokens: base64url (no padding) of
//   version (1 byte = 1) | meeting UUID (16) | attendee UUID (16) | HMAC-SHA256(secret, first
//   33)[0..16)
// 66 characters of [A-Za-z0-9_-], so a token is a valid WebSocket subprotocol (RFC 7230 tchar).
// Binding and integrity come from the MAC; liveness ("dead once the attendee or meeting is
// deleted") from the store: callers must also check the attendee still exists.
// A content-share token is the attendee's token with the suffix "#content" (Chime convention).

#include <optional>
#include <string>
#include <string_view>

namespace sfu::api {

struct JoinTokenClaims {
  std::string meeting_id;   // UUID text
  std::string attendee_id;  // UUID text
  bool content = false;     // token carried the "#content" suffix
};

class JoinTokenSigner {
 public:
  // secret: at least 32 random bytes, kept in the store so tokens verify after a restart.
  explicit JoinTokenSigner(std::string secret);

  // Empty string if either id is not a UUID.
  std::string Make(std::string_view meeting_id, std::string_view attendee_id) const;
  // nullopt for anything not made by Make() with this secret (never throws).
  std::optional<JoinTokenClaims> Verify(std::string_view token) const;

 private:
  std::string secret_;
};

}  // namespace sfu::api

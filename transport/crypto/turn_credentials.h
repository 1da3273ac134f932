#pragma once
// TURN long-term credentials (RFC 8489 §9.2) and the "TURN REST API" ephemeral credentials
// that WebRTC deployments hand to browsers (the scheme coturn checks with use-auth-secret).
//
// REST scheme, for a secret shared by whoever mints credentials and the TURN server:
//   username = "<expiry>:<user id>"   (expiry: Unix seconds after which it is refused)
//   password = base64(HMAC-SHA1(key = secret, data = username))   (RFC 4648 §4, padded)
// A client then authenticates with that username and password as with any long-term
// credential: key = MD5(username ":" realm ":" password), MESSAGE-INTEGRITY keyed with it. The
// server needs no per-user state: it recomputes the password from the username.
//
// Pure functions of their arguments (OpenSSL for MD5, HMAC-SHA1 and base64); callable from any
// thread. They abort (SFU_CHECK) if OpenSSL cannot compute a digest, e.g. an OpenSSL in FIPS
// mode, which has no MD5: a wrong key or empty password would silently weaken authentication.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sfu::transport {

// RFC 8489 §9.2.2 key for MESSAGE-INTEGRITY: MD5(username ":" realm ":" password). The RFC
// runs the username, realm and password through OpaqueString/SASLprep first; this does not:
// the bytes are used as given. That is the same for the ASCII names this server makes (REST
// usernames and base64 passwords are ASCII, on which SASLprep changes nothing); a client that
// sends a non-ASCII name must send it already prepared.
std::array<uint8_t, 16> TurnLongTermKey(std::string_view username, std::string_view realm,
                                        std::string_view password);

// "<expiry_unix_s>:<user_id>". Pass a positive expiry and a non-empty user_id without control
// characters, or ParseTurnRestUsername refuses the result.
std::string TurnRestUsername(int64_t expiry_unix_s, std::string_view user_id);

// base64(HMAC-SHA1(secret, username)), 28 characters.
std::string TurnRestPassword(std::string_view secret, std::string_view username);

// The long-term key of a REST username: TurnLongTermKey(username, realm,
// TurnRestPassword(secret, username)).
std::array<uint8_t, 16> TurnRestLongTermKey(std::string_view secret, std::string_view username,
                                            std::string_view realm);

struct TurnRestUser {
  int64_t expiry_unix_s = 0;
  std::string user_id;
};

// The most bytes ParseTurnRestUsername accepts: RFC 8489 §14.3 limits USERNAME to fewer than
// 509 bytes.
inline constexpr size_t kTurnRestUsernameMaxBytes = 508;

// Parses "<expiry>:<user_id>" strictly: 1-19 decimal digits without a leading zero that fit in
// int64, one colon, then a non-empty user id (any bytes but ASCII control characters; it may
// contain further colons), at most kTurnRestUsernameMaxBytes in all. nullopt otherwise. Whether
// the expiry has passed is the caller's to check (it holds the clock).
std::optional<TurnRestUser> ParseTurnRestUsername(std::string_view username);

}  // namespace sfu::transport

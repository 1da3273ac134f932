// Join tokens arrive from WebSocket subprotocols and cookies: untrusted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "signaling/api/crypto_util.h"
#include "signaling/api/join_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  static const sfu::api::JoinTokenSigner signer(std::string(32, 's'));
  auto claims = signer.Verify(input);
  if (claims) {
    // Only a token this signer made verifies; it must round-trip.
    if (signer.Make(claims->meeting_id, claims->attendee_id) +
            (claims->content ? "#content" : "") !=
        input)
      __builtin_trap();
  }
  auto decoded = sfu::api::Base64UrlDecode(input);
  if (decoded && sfu::api::Base64UrlEncode(*decoded) != input) __builtin_trap();
  (void)sfu::api::UuidToBytes(input);
  return 0;
}

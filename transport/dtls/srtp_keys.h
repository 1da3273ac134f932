#pragma once
// SRTP profiles negotiated by DTLS-SRTP (RFC 5764, RFC 7714) and the keys exported for them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sfu::transport {

enum class SrtpProfile : uint8_t {
  kNone = 0,
  kAes128CmSha1_80,  // SRTP_AES128_CM_HMAC_SHA1_80
  kAes128CmSha1_32,  // SRTP_AES128_CM_HMAC_SHA1_32
  kAeadAes128Gcm,    // SRTP_AEAD_AES_128_GCM
  kAeadAes256Gcm,    // SRTP_AEAD_AES_256_GCM
};

std::string_view SrtpProfileName(SrtpProfile p);
size_t SrtpKeyLength(SrtpProfile p);   // master key bytes
size_t SrtpSaltLength(SrtpProfile p);  // master salt bytes

// Master key || master salt for each direction, as libsrtp wants them.
struct SrtpKeys {
  SrtpProfile profile = SrtpProfile::kNone;
  std::array<uint8_t, 46> local{};   // what we protect with (we send)
  std::array<uint8_t, 46> remote{};  // what we unprotect with (we receive)
  size_t length = 0;                 // key + salt bytes used in each array
};

}  // namespace sfu::transport

#include "transport/dtls/srtp_keys.h"

namespace sfu::transport {

std::string_view SrtpProfileName(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAes128CmSha1_80:
      return "SRTP_AES128_CM_HMAC_SHA1_80";
    case SrtpProfile::kAes128CmSha1_32:
      return "SRTP_AES128_CM_HMAC_SHA1_32";
    case SrtpProfile::kAeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm:
      return "SRTP_AEAD_AES_256_GCM";
    case SrtpProfile::kNone:
      break;
  }
  return "none";
}

size_t SrtpKeyLength(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAes128CmSha1_80:
    case SrtpProfile::kAes128CmSha1_32:
    case SrtpProfile::kAeadAes128Gcm:
      return 16;
    case SrtpProfile::kAeadAes256Gcm:
      return 32;
    case SrtpProfile::kNone:
      break;
  }
  return 0;
}

size_t SrtpSaltLength(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kAes128CmSha1_80:
    case SrtpProfile::kAes128CmSha1_32:
      return 14;
    case SrtpProfile::kAeadAes128Gcm:
    case SrtpProfile::kAeadAes256Gcm:
      return 12;
    case SrtpProfile::kNone:
      break;
  }
  return 0;
}

}  // namespace sfu::transport

#include "transport/crypto/hmac_sha1.h"

#include <openssl/hmac.h>

#include <cstring>

namespace sfu::transport {

bool HmacSha1(std::span<const uint8_t> key, std::span<const std::span<const uint8_t>> parts,
              uint8_t out[20]) {
  // STUN messages are at most a datagram: concatenate on the stack, one-shot HMAC.
  uint8_t buf[2048];
  size_t n = 0;
  for (auto p : parts) {
    if (p.size() > sizeof(buf) - n) return false;
    if (!p.empty()) std::memcpy(buf + n, p.data(), p.size());
    n += p.size();
  }
  unsigned int len = 0;
  return HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), buf, n, out, &len) != nullptr &&
         len == 20;
}

}  // namespace sfu::transport

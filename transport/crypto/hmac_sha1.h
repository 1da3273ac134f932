#pragma once
// OpenSSL HMAC-SHA1 in the shape wire::StunMessageView expects (MESSAGE-INTEGRITY).

#include <cstdint>
#include <span>

namespace sfu::transport {

bool HmacSha1(std::span<const uint8_t> key, std::span<const std::span<const uint8_t>> parts,
              uint8_t out[20]);

}  // namespace sfu::transport

#pragma once
// Audio level of 16-bit PCM in RFC 6464 terms: -dBov, 0 (full scale) .. 127 (silence).
#include <cstdint>
#include <span>

namespace sfu::codec {

int LevelDbov(std::span<const int16_t> pcm);

}  // namespace sfu::codec

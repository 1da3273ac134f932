#pragma once
// Cryptographically random values (OpenSSL's RAND_bytes), the one source of randomness for
// identifiers a peer must not guess: ICE credentials, SSRCs, STUN transaction ids, certificate
// serials, tokens. A failing RNG is corrupt state: the process aborts with a fatal log line
// (SFU_CHECK) rather than use uninitialised bytes or loop forever.
// Thread: any; RAND_bytes is thread-safe in OpenSSL 3.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace sfu::base {

void RandomFill(std::span<uint8_t> out);
uint32_t RandomU32();
// Never 0 (SSRC 0 and id 0 mean "none" in the protocols and in our maps).
uint32_t RandomNonZeroU32();
uint64_t RandomU64();
std::string RandomBytes(size_t n);

}  // namespace sfu::base

#pragma once
// Process-wide libsrtp2 state: srtp_init() exactly once, before any shard starts (docs/DESIGN.md,
// "Media transport").

#include <string>

namespace sfu::transport {

// Initialises libsrtp2 once per process. Returns false (and logs why) if libsrtp refuses.
bool InitSrtpLibrary();

// "libsrtp2 2.5.0 crypto=openssl" — what the build linked, for logs and the build-info metric.
std::string SrtpLibraryDescription();
// "openssl" or "nss".
const char* SrtpCryptoBackend();

}  // namespace sfu::transport

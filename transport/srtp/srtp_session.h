#pragma once
// One direction of SRTP/SRTCP (libsrtp2, RFC 3711 / RFC 7714), in place on caller buffers.
// Inbound sessions keep libsrtp's replay protection (window 1024). Failures are returned as a
// reason, never thrown, and never crash: the caller counts and drops.
// Thread: one owner. libsrtp must be initialised first (InitSrtpLibrary()).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "transport/dtls/srtp_keys.h"

namespace sfu::transport {

enum class SrtpResult : uint8_t {
  kOk = 0,
  kAuthFail,  // wrong keys or tampered
  kReplay,    // replayed or too old
  kBadParam,  // malformed packet / too small
  kNoSpace,   // buffer too small for the auth tag
  kOtherError,
  kCount
};
std::string_view SrtpResultName(SrtpResult r);

// Bytes a protect may add (auth tag, plus SRTCP index): leave this much headroom.
inline constexpr size_t kSrtpMaxTrailer = 144;

class SrtpSession {
 public:
  enum class Direction { kInbound, kOutbound };
  // key_salt: master key || salt for this direction (SrtpKeys::local or ::remote).
  static std::unique_ptr<SrtpSession> Create(SrtpProfile profile, std::span<const uint8_t> key_salt,
                                             Direction direction);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // *len is updated; capacity is the buffer size (must allow kSrtpMaxTrailer extra).
  SrtpResult ProtectRtp(uint8_t* data, size_t* len, size_t capacity);
  SrtpResult UnprotectRtp(uint8_t* data, size_t* len);
  SrtpResult ProtectRtcp(uint8_t* data, size_t* len, size_t capacity);
  SrtpResult UnprotectRtcp(uint8_t* data, size_t* len);

 private:
  explicit SrtpSession(void* ctx) : ctx_(ctx) {}
  void* ctx_;  // srtp_t, owned
};

}  // namespace sfu::transport

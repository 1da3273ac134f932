#include "transport/srtp/srtp_library.h"

#include <srtp2/srtp.h>

#include <mutex>

#include "base/log.h"

namespace sfu::transport {

bool InitSrtpLibrary() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    const srtp_err_status_t status = srtp_init();
    ok = status == srtp_err_status_ok;
    if (!ok) SFU_LOG(kError, "srtp_init failed").Kv("status", static_cast<int>(status));
  });
  return ok;
}

const char* SrtpCryptoBackend() { return SFU_SRTP_CRYPTO; }

std::string SrtpLibraryDescription() {
  std::string s = srtp_get_version_string();
  s += " crypto=";
  s += SFU_SRTP_CRYPTO;
  return s;
}

}  // namespace sfu::transport

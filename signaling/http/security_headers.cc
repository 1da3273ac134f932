#include "signaling/http/security_headers.h"

namespace sfu::http {

std::string ContentSecurityPolicy(std::string_view ws_base) {
  std::string connect = "'self'";
  if (!ws_base.empty()) connect += " " + std::string(ws_base);
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
         "media-src 'self' blob:; font-src 'self'; connect-src " +
         connect +
         "; worker-src blob:; child-src blob:; frame-src 'none'; object-src 'none'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

std::vector<std::pair<std::string, std::string>> SecurityHeaders(std::string_view ws_base) {
  return {
      {"Content-Security-Policy", ContentSecurityPolicy(ws_base)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
}

}  // namespace sfu::http

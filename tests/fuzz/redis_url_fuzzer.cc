// The --redis URL (signaling/store/redis_codec.h): operator input, but parsed before anything
// else runs, so garbage must give an error, never a crash; an accepted URL describes itself
// without its user and password, and its description parses back to the same address.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "signaling/store/redis_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto a = sfu::store::ParseRedisUrl(url, &error);
  if (!a) {
    if (error.empty()) std::abort();
    return 0;
  }
  const std::string described = a->Describe();
  // No user or password in the description: it has no userinfo part ('@' only if the host or
  // path itself holds one).
  if (described.find('@') != std::string::npos && a->host.find('@') == std::string::npos &&
      a->unix_path.find('@') == std::string::npos)
    std::abort();
  auto again = sfu::store::ParseRedisUrl(described, &error);
  if (!again || again->host != a->host || again->port != a->port ||
      again->unix_path != a->unix_path || again->db != a->db)
    std::abort();
  return 0;
}

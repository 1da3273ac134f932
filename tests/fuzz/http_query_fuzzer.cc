// Request targets: path segments and query strings from untrusted HTTP requests.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signaling/api/http_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)sfu::http::ParseQuery(input);
  (void)sfu::http::SplitPath(input);
  (void)sfu::http::PercentDecode(input);
  return 0;
}

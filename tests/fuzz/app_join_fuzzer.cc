// POST /app/join bodies (untrusted JSON from anyone who reaches the listener) and the two name
// rules on raw bytes: a canonical name must be canonical again, and every accepted name must
// fit the ExternalMeetingId / ExternalUserId limits the control API enforces after it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "signaling/api/app_join_request.h"
#include "signaling/api/request_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = sfu::api::ParseAppJoinRequest(body);
  if (parsed.ok()) {
    std::string error;
    auto again = sfu::api::CanonicalMeetingName(parsed.value->meeting, &error);
    if (!again || *again != parsed.value->meeting) std::abort();
    if (!sfu::api::IsValidExternalId(parsed.value->meeting)) std::abort();
    if (!sfu::api::IsValidExternalId("01234567#" + parsed.value->name)) std::abort();
  }
  // The name rules see raw bytes here, not only what Boost.JSON accepted as UTF-8.
  std::string error;
  (void)sfu::api::CanonicalMeetingName(body, &error);
  (void)sfu::api::CleanPersonName(body, &error);
  return 0;
}

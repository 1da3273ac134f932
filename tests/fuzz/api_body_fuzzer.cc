// Control API request bodies (untrusted JSON from HTTP clients).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "signaling/api/capabilities.h"
#include "signaling/api/request_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static const sfu::api::ParseLimits limits;
  auto a = sfu::api::ParseCreateMeeting(body, limits);
  if (a.ok()) (void)a.value->Fingerprint();
  (void)sfu::api::ParseCreateMeetingWithAttendees(body, limits);
  (void)sfu::api::ParseCreateAttendee(body);
  (void)sfu::api::ParseBatchCreateAttendee(body, limits);
  (void)sfu::api::ParseUpdateCapabilities(body);
  (void)sfu::api::ParseBatchUpdateCapabilitiesExcept(body);
  (void)sfu::api::ParseTagResource(body);
  (void)sfu::api::ParseUntagResource(body);
  // The capability rules read the meeting's stored features JSON; feed them the body too.
  sfu::api::Capabilities caps;
  (void)sfu::api::ResolveCapabilities(std::string(body), "Capabilities", &caps);
  return 0;
}

#pragma once
// Parses and validates control API request bodies (JSON). Pure: no I/O, no store.
// Every function takes untrusted bytes and returns either parameters or a BadRequest-style
// ApiError naming the offending field. Never throws. Fuzzed by tests/fuzz/api_body_fuzzer.cc.

#include <optional>
#include <string_view>
#include <vector>

#include "signaling/api/api_types.h"

namespace sfu::api {

template <class T>
struct Parsed {
  std::optional<T> value;
  ApiError error;
  bool ok() const { return value.has_value(); }
};

struct ParseLimits {
  std::string default_media_region = "us-east-1";
  int max_attendees_per_meeting = 250;    // cap for MeetingFeatures.Attendee.MaxCount
  size_t max_create_with_attendees = 10;  // CreateMeetingWithAttendees
  size_t max_batch_attendees = 100;       // BatchCreateAttendee
};

Parsed<CreateMeetingParams> ParseCreateMeeting(std::string_view body, const ParseLimits& limits);
Parsed<CreateMeetingWithAttendeesParams> ParseCreateMeetingWithAttendees(std::string_view body,
                                                                         const ParseLimits& limits);
Parsed<AttendeeParams> ParseCreateAttendee(std::string_view body);
Parsed<std::vector<AttendeeParams>> ParseBatchCreateAttendee(std::string_view body,
                                                             const ParseLimits& limits);

// PUT /meetings/{id}/attendees/{id}/capabilities: {"Capabilities": {Audio, Video, Content}},
// all three required.
Parsed<UpdateCapabilitiesParams> ParseUpdateCapabilities(std::string_view body);
// PUT /meetings/{id}/attendees/capabilities?operation=batch-update-except:
// {"ExcludedAttendeeIds": [{"AttendeeId": ...}] (1..250), "Capabilities": {...}}.
Parsed<BatchUpdateCapabilitiesExceptParams> ParseBatchUpdateCapabilitiesExcept(
    std::string_view body);
// POST /tags?operation=tag-resource: {"ResourceARN", "Tags": [{Key, Value}] (1..50)}.
Parsed<TagResourceParams> ParseTagResource(std::string_view body);
// POST /tags?operation=untag-resource: {"ResourceARN", "TagKeys": [...] (1..50)}.
Parsed<UntagResourceParams> ParseUntagResource(std::string_view body);

// Validation of single values, shared with the path/query handling.
bool IsValidExternalId(std::string_view s);          // 2..64 characters, no control characters
bool IsValidClientRequestToken(std::string_view s);  // 2..64 of [-_a-zA-Z0-9]
bool IsValidMediaRegion(std::string_view s);         // 2..64 of [a-z0-9-]

}  // namespace sfu::api

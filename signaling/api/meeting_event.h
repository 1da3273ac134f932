#pragma once
// Meeting lifecycle events in the shape AWS delivers them through EventBridge ("Chime Meeting
// State Change", source "aws.chime"; the envelope and detail fields are listed in docs/EVENTS.md),
// the webhook signature, and the webhook URL syntax. Pure: no I/O, no clock, no store.
// Thread: any.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sfu::api {

enum class MeetingEventType {
  kMeetingStarted,
  kMeetingEnded,
  kAttendeeAdded,
  kAttendeeDeleted,
  kAttendeeJoined,
  kAttendeeLeft,
  kAttendeeDropped,
  kAttendeeVideoStarted,
  kAttendeeVideoStopped,
  kAttendeeContentJoined,
  kAttendeeContentLeft,
  kAttendeeContentDropped,
  kAttendeeContentVideoStarted,
  kAttendeeContentVideoStopped,
};

// "chime:MeetingStarted", ...
std::string_view EventTypeName(MeetingEventType type);
// The event names an attendee (every type but MeetingStarted/MeetingEnded).
bool EventHasAttendee(MeetingEventType type);
// The event carries "networkType" (joins, leaves and drops of attendees and content shares).
bool EventHasNetworkType(MeetingEventType type);

struct MeetingEvent {
  MeetingEventType type = MeetingEventType::kMeetingStarted;
  std::string event_id;      // envelope "id": a UUID, unique per event (receivers dedupe on it)
  int64_t timestamp_ms = 0;  // detail "timestamp" (Unix ms); envelope "time" is its second
  std::string account_id;    // envelope "account"
  std::string meeting_id;
  std::optional<std::string> external_meeting_id;  // omitted when the meeting has none
  std::string media_region;                        // envelope "region" and detail "mediaRegion"
  std::string attendee_id;                         // attendee events only
  std::string external_user_id;                    // attendee events only
};

// The JSON body: {"version":"0","id":...,"detail-type":"Chime Meeting State Change",
// "source":"aws.chime","account":...,"time":"YYYY-MM-DDThh:mm:ssZ","region":...,"resources":[],
// "detail":{"version":"0","eventType":...,"timestamp":...,"meetingId":...,...}}.
std::string MeetingEventJson(const MeetingEvent& event);

// "YYYY-MM-DDThh:mm:ssZ" of a Unix millisecond time (UTC).
std::string Iso8601Seconds(int64_t unix_ms);

// The webhook signature header value: "sha256=" + hex(HMAC-SHA256(secret, body)).
std::string WebhookSignature(std::string_view secret, std::string_view body);

// http://host[:port][/path] (no https, no user info, no fragment). host is a name or an IPv4
// address or [IPv6]; port defaults to 80, path to "/".
struct WebhookUrl {
  std::string host;  // without brackets
  uint16_t port = 80;
  std::string target;  // path and query, starting with '/'
  std::string text;    // the URL as given, for logs and metric labels
};
std::optional<WebhookUrl> ParseWebhookUrl(std::string_view url, std::string* error);

}  // namespace sfu::api

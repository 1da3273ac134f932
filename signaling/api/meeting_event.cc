#include "signaling/api/meeting_event.h"

#include <boost/json.hpp>
#include <ctime>

#include "signaling/api/crypto_util.h"

namespace sfu::api {

std::string_view EventTypeName(MeetingEventType type) {
  switch (type) {
    case MeetingEventType::kMeetingStarted:
      return "chime:MeetingStarted";
    case MeetingEventType::kMeetingEnded:
      return "chime:MeetingEnded";
    case MeetingEventType::kAttendeeAdded:
      return "chime:AttendeeAdded";
    case MeetingEventType::kAttendeeDeleted:
      return "chime:AttendeeDeleted";
    case MeetingEventType::kAttendeeJoined:
      return "chime:AttendeeJoined";
    case MeetingEventType::kAttendeeLeft:
      return "chime:AttendeeLeft";
    case MeetingEventType::kAttendeeDropped:
      return "chime:AttendeeDropped";
    case MeetingEventType::kAttendeeVideoStarted:
      return "chime:AttendeeVideoStarted";
    case MeetingEventType::kAttendeeVideoStopped:
      return "chime:AttendeeVideoStopped";
    case MeetingEventType::kAttendeeContentJoined:
      return "chime:AttendeeContentJoined";
    case MeetingEventType::kAttendeeContentLeft:
      return "chime:AttendeeContentLeft";
    case MeetingEventType::kAttendeeContentDropped:
      return "chime:AttendeeContentDropped";
    case MeetingEventType::kAttendeeContentVideoStarted:
      return "chime:AttendeeContentVideoStarted";
    case MeetingEventType::kAttendeeContentVideoStopped:
      return "chime:AttendeeContentVideoStopped";
  }
  return "chime:Unknown";
}

bool EventHasAttendee(MeetingEventType type) {
  return type != MeetingEventType::kMeetingStarted && type != MeetingEventType::kMeetingEnded;
}

bool EventHasNetworkType(MeetingEventType type) {
  switch (type) {
    case MeetingEventType::kAttendeeJoined:
    case MeetingEventType::kAttendeeLeft:
    case MeetingEventType::kAttendeeDropped:
    case MeetingEventType::kAttendeeContentJoined:
    case MeetingEventType::kAttendeeContentLeft:
    case MeetingEventType::kAttendeeContentDropped:
      return true;
    default:
      return false;
  }
}

std::string Iso8601Seconds(int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string MeetingEventJson(const MeetingEvent& e) {
  namespace json = boost::json;
  // Member order follows the AWS examples (docs/EVENTS.md); boost::json::object keeps insertion
  // order, so the body is stable byte for byte.
  json::object detail;
  detail["version"] = "0";
  detail["eventType"] = EventTypeName(e.type);
  detail["timestamp"] = e.timestamp_ms;
  detail["meetingId"] = e.meeting_id;
  if (EventHasAttendee(e.type)) {
    detail["attendeeId"] = e.attendee_id;
    detail["externalUserId"] = e.external_user_id;
  }
  if (EventHasNetworkType(e.type)) detail["networkType"] = "Voip";
  if (e.external_meeting_id) detail["externalMeetingId"] = *e.external_meeting_id;
  detail["mediaRegion"] = e.media_region;
  json::object envelope;
  envelope["version"] = "0";
  envelope["id"] = e.event_id;
  envelope["detail-type"] = "Chime Meeting State Change";
  envelope["source"] = "aws.chime";
  envelope["account"] = e.account_id;
  envelope["time"] = Iso8601Seconds(e.timestamp_ms);
  envelope["region"] = e.media_region;
  envelope["resources"] = json::array();
  envelope["detail"] = std::move(detail);
  return json::serialize(envelope);
}

std::string WebhookSignature(std::string_view secret, std::string_view body) {
  return "sha256=" + HexEncode(HmacSha256(secret, body));
}

std::optional<WebhookUrl> ParseWebhookUrl(std::string_view url, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<WebhookUrl> {
    *error = why;
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "http://";
  if (url.rfind("https://", 0) == 0)
    return fail(
        "https is not supported; use http:// (a receiver on this host or a private "
        "network, or a local TLS-terminating proxy)");
  if (url.rfind(kScheme, 0) != 0) return fail("must start with http://");
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return fail("must not contain spaces or control characters");
  if (url.find('#') != std::string_view::npos) return fail("must not contain a fragment");
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  WebhookUrl out;
  out.text = std::string(url);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target[0] == '?') out.target.insert(out.target.begin(), '/');
  if (authority.find('@') != std::string_view::npos)
    return fail("must not contain user info (user:password@)");
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated [IPv6] address");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("expected :PORT after [IPv6]");
      port_text = after.substr(1);
      if (port_text.empty()) return fail("empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail("empty port");
    }
  }
  if (out.host.empty()) return fail("has no host");
  for (char c : out.host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '_';
    if (!ok) return fail("host has an invalid character");
  }
  if (!port_text.empty()) {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
      return fail("port must be a number from 1 to 65535");
    const int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return fail("port must be a number from 1 to 65535");
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

}  // namespace sfu::api

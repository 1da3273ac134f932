#pragma once
// Control API vocabulary: AWS-style errors and the validated parameters of each operation.
// Shapes and limits follow the Amazon Chime SDK Meetings API (CreateMeeting, CreateAttendee, ...).

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sfu::api {

// An AWS-style error: HTTP status, exception type (sent as x-amzn-ErrorType) and message.
struct ApiError {
  int status = 400;
  std::string type = "BadRequestException";
  std::string message;
};

ApiError BadRequest(std::string message);
ApiError Forbidden(std::string message);
ApiError NotFound(std::string message);
ApiError Conflict(std::string message);
ApiError LimitExceeded(std::string message);
ApiError Throttling(std::string message);
ApiError PayloadTooLarge(std::string message);
ApiError ResourceNotFound(std::string message);     // 404, tag operations on an unknown ARN
ApiError TooManyTags(std::string message);          // 400, more than 50 tags on a resource
ApiError UnprocessableEntity(std::string message);  // 422, e.g. transcription (no engine here)
ApiError ServiceFailure(std::string message);
ApiError ServiceUnavailable(std::string message);

// The "Code" the real service puts in error bodies: the type without "Exception".
std::string ErrorCode(const ApiError& e);

// Each of None, Send, Receive, SendReceive; "" while not given (signaling/api/capabilities.h
// fills the defaults from the meeting's features).
struct Capabilities {
  std::string audio;
  std::string video;
  std::string content;
};

using Tag = std::pair<std::string, std::string>;  // key, value

struct UpdateCapabilitiesParams {
  Capabilities capabilities;  // all three given
};

struct BatchUpdateCapabilitiesExceptParams {
  std::vector<std::string> excluded_attendee_ids;
  Capabilities capabilities;  // all three given
};

struct TagResourceParams {
  std::string resource_arn;
  std::vector<Tag> tags;
};

struct UntagResourceParams {
  std::string resource_arn;
  std::vector<std::string> keys;
};

struct AttendeeParams {
  std::string external_user_id;
  Capabilities capabilities;
};

struct CreateMeetingParams {
  std::string client_request_token;  // generated when the caller sent none
  bool client_request_token_given = false;
  std::string media_region;
  std::optional<std::string> external_meeting_id;
  std::optional<std::string> meeting_host_id;
  std::optional<std::string> primary_meeting_id;
  std::string meeting_features_json;  // normalised JSON object, "" when absent
  std::string tenant_ids_json;        // JSON array, "" when absent
  std::string notifications_json;     // NotificationsConfiguration, kept verbatim (normalised)
  std::optional<int> max_attendees;   // MeetingFeatures.Attendee.MaxCount
  std::vector<Tag> tags;              // Tags (validated: 1..50, unique keys, no aws: prefix)

  // Canonical text of every parameter but the token: a replayed ClientRequestToken must
  // come with the same fingerprint.
  std::string Fingerprint() const;
};

struct CreateMeetingWithAttendeesParams {
  CreateMeetingParams meeting;
  std::vector<AttendeeParams> attendees;
};

}  // namespace sfu::api

// UpdateAttendeeCapabilities, BatchUpdateAttendeeCapabilitiesExcept and the transcription
// operations (docs/PROTOCOL.md, "Attendee capabilities" and "Operations answered with an error").
#include <unordered_set>

#include "base/log.h"
#include "signaling/api/capabilities.h"
#include "signaling/control/api_json.h"
#include "signaling/control/control_api.h"

namespace sfu::api {
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using store::AttendeeRecord;

HttpResponse ControlApi::UpdateAttendeeCapabilities(const std::string& meeting_id,
                                                    const std::string& attendee_id,
                                                    const HttpRequest& req) {
  auto meeting = store_.GetMeeting(meeting_id);
  if (!meeting) return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  auto parsed = ParseUpdateCapabilities(req.body);
  if (!parsed.ok()) return Fail(parsed.error);
  Capabilities& caps = parsed.value->capabilities;
  if (auto e = ResolveCapabilities(meeting->meeting_features_json, "Capabilities", &caps))
    return Fail(*e);
  if (!store_.UpdateAttendeeCapabilities(meeting_id, attendee_id, caps.audio, caps.video,
                                         caps.content)) {
    return Fail(NotFound("The attendee " + attendee_id + " does not exist"));
  }
  auto a = store_.GetAttendee(meeting_id, attendee_id);
  if (!a) return Fail(NotFound("The attendee " + attendee_id + " does not exist"));
  SFU_LOG(kInfo, "attendee capabilities updated")
      .Kv("meeting", meeting_id)
      .Kv("attendee", attendee_id)
      .Kv("audio", caps.audio)
      .Kv("video", caps.video)
      .Kv("content", caps.content);
  if (listener_) listener_->OnAttendeeCapabilitiesChanged(*a);
  json::object body;
  body["Attendee"] = AttendeeObject(*a, signer_);
  return JsonResponse(200, body);
}

HttpResponse ControlApi::BatchUpdateAttendeeCapabilitiesExcept(const std::string& meeting_id,
                                                               const HttpRequest& req) {
  auto meeting = store_.GetMeeting(meeting_id);
  if (!meeting) return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  auto parsed = ParseBatchUpdateCapabilitiesExcept(req.body);
  if (!parsed.ok()) return Fail(parsed.error);
  Capabilities& caps = parsed.value->capabilities;
  if (auto e = ResolveCapabilities(meeting->meeting_features_json, "Capabilities", &caps))
    return Fail(*e);
  const std::unordered_set<std::string> excluded(parsed.value->excluded_attendee_ids.begin(),
                                                 parsed.value->excluded_attendee_ids.end());
  // Every attendee of the meeting but the excluded ones, in one transaction.
  std::vector<AttendeeRecord> changed;
  store_.Transaction([&] {
    for (AttendeeRecord& a : store_.ListAttendees(meeting_id, 0, std::numeric_limits<int>::max())) {
      if (excluded.count(a.attendee_id)) continue;
      store_.UpdateAttendeeCapabilities(meeting_id, a.attendee_id, caps.audio, caps.video,
                                        caps.content);
      a.capabilities_audio = caps.audio;
      a.capabilities_video = caps.video;
      a.capabilities_content = caps.content;
      changed.push_back(std::move(a));
    }
  });
  SFU_LOG(kInfo, "attendee capabilities updated in batch")
      .Kv("meeting", meeting_id)
      .Kv("attendees", changed.size())
      .Kv("excluded", excluded.size());
  if (listener_)
    for (const AttendeeRecord& a : changed) listener_->OnAttendeeCapabilitiesChanged(a);
  return JsonResponse(200, json::object{});
}

HttpResponse ControlApi::MeetingTranscription(const std::string& meeting_id, bool start) {
  if (!store_.GetMeeting(meeting_id))
    return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  // No speech-to-text engine runs here: say so in a modeled error the AWS SDK raises as
  // UnprocessableEntityException (never retried), rather than pretend to transcribe.
  return Fail(UnprocessableEntity(
      std::string(start ? "StartMeetingTranscription" : "StopMeetingTranscription") +
      " is not available: this server has no transcription engine"));
}

}  // namespace sfu::api

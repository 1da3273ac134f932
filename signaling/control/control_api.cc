#include "signaling/control/control_api.h"

#include <boost/json.hpp>
#include <unordered_map>

#include "base/log.h"
#include "signaling/api/capabilities.h"
#include "signaling/api/crypto_util.h"
#include "signaling/control/api_json.h"

namespace sfu::api {
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using store::AttendeeRecord;
using store::MeetingRecord;

namespace {

std::string EncodeNextToken(int64_t seq) { return Base64UrlEncode("seq:" + std::to_string(seq)); }

std::optional<int64_t> DecodeNextToken(std::string_view token) {
  auto raw = Base64UrlDecode(token);
  // At most 18 digits: any int64 sequence we issue fits, and 18 digits cannot overflow.
  if (!raw || raw->size() < 5 || raw->size() > 4 + 18 || raw->compare(0, 4, "seq:") != 0)
    return std::nullopt;
  int64_t v = 0;
  for (size_t i = 4; i < raw->size(); ++i) {
    const char c = (*raw)[i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

HttpResponse ControlApi::Fail(const ApiError& e) const { return ErrorResponse(e, request_id_); }

ControlApi::ControlApi(store::MeetingStore& store, const JoinTokenSigner& signer,
                       const base::Clock& clock, ControlApiConfig config,
                       ControlApiListener* listener)
    : store_(store),
      signer_(signer),
      clock_(clock),
      config_(std::move(config)),
      listener_(listener) {}

bool ControlApi::IsApiPath(std::string_view path) {
  return path == "/meetings" || path.starts_with("/meetings/") || path == "/meetings/" ||
         path == "/tags" || path == "/tags/";
}

std::string ControlApi::OperationName(const HttpRequest& req) {
  const std::vector<std::string> seg = http::SplitPath(req.path);
  const std::string op = QueryValue(req, "operation");
  const std::string& m = req.method;
  if (seg.size() == 1 && seg[0] == "tags") {
    if (m == "GET") return "ListTagsForResource";
    if (m == "POST" && op == "tag-resource") return "TagResource";
    if (m == "POST" && op == "untag-resource") return "UntagResource";
    return "Unknown";
  }
  if (seg.empty() || seg[0] != "meetings") return "Unknown";
  if (seg.size() == 3 && seg[2] == "transcription" && m == "POST") {
    return op == "start"  ? "StartMeetingTranscription"
           : op == "stop" ? "StopMeetingTranscription"
                          : "Unknown";
  }
  if (seg.size() == 4 && seg[2] == "attendees" && seg[3] == "capabilities" && m == "PUT")
    return op == "batch-update-except" ? "BatchUpdateAttendeeCapabilitiesExcept" : "Unknown";
  if (seg.size() == 5 && seg[2] == "attendees" && seg[4] == "capabilities" && m == "PUT")
    return "UpdateAttendeeCapabilities";
  if (seg.size() == 1 && m == "POST")
    return op.empty()                 ? "CreateMeeting"
           : op == "create-attendees" ? "CreateMeetingWithAttendees"
                                      : "Unknown";
  if (seg.size() == 2)
    return m == "GET" ? "GetMeeting" : m == "DELETE" ? "DeleteMeeting" : "Unknown";
  if (seg.size() == 3 && seg[2] == "attendees") {
    if (m == "GET") return "ListAttendees";
    if (m == "POST")
      return op.empty()             ? "CreateAttendee"
             : op == "batch-create" ? "BatchCreateAttendee"
                                    : "Unknown";
  }
  if (seg.size() == 4 && seg[2] == "attendees")
    return m == "GET" ? "GetAttendee" : m == "DELETE" ? "DeleteAttendee" : "Unknown";
  return "Unknown";
}

bool ControlApi::ReplayWouldRepeat(const HttpRequest& req) {
  const std::string op = OperationName(req);
  if (op != "CreateMeeting" && op != "CreateMeetingWithAttendees") return false;
  boost::system::error_code ec;
  const json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) return true;
  const json::value* token = body.as_object().if_contains("ClientRequestToken");
  return !token || !token->is_string() || token->as_string().empty();
}

HttpResponse ControlApi::ErrorResponse(const ApiError& e, const std::string& request_id) {
  json::object body;
  body["Code"] = ErrorCode(e);
  body["Message"] = e.message;
  if (!request_id.empty()) body["RequestId"] = request_id;
  HttpResponse r = JsonResponse(e.status, body);
  r.SetHeader("x-amzn-ErrorType", e.type);
  return r;
}

ControlApi::Result ControlApi::Handle(const HttpRequest& req, const std::string& request_id) {
  Result result;
  result.operation = "Unknown";
  request_id_ = request_id;
  const std::vector<std::string> seg = http::SplitPath(req.path);
  const std::string op = QueryValue(req, "operation");
  const std::string& m = req.method;
  const std::string name = OperationName(req);
  try {
    if (name == "ListTagsForResource") {
      result.operation = name;
      result.response = ListTagsForResource(req);
    } else if (name == "TagResource") {
      result.operation = name;
      result.response = TagResource(req);
    } else if (name == "UntagResource") {
      result.operation = name;
      result.response = UntagResource(req);
    } else if (seg.empty() || seg[0] != "meetings") {
      result.response = Fail(NotFound("No such operation: " + m + " " + req.path));
    } else if (name == "StartMeetingTranscription" || name == "StopMeetingTranscription") {
      result.operation = name;
      result.response = MeetingTranscription(seg[1], name == "StartMeetingTranscription");
    } else if (name == "BatchUpdateAttendeeCapabilitiesExcept") {
      result.operation = name;
      result.response = BatchUpdateAttendeeCapabilitiesExcept(seg[1], req);
    } else if (name == "UpdateAttendeeCapabilities") {
      result.operation = name;
      result.response = UpdateAttendeeCapabilities(seg[1], seg[3], req);
    } else if (seg.size() == 1 && m == "POST" && op.empty()) {
      result.operation = "CreateMeeting";
      result.response = CreateMeeting(req, false);
    } else if (seg.size() == 1 && m == "POST" && op == "create-attendees") {
      result.operation = "CreateMeetingWithAttendees";
      result.response = CreateMeeting(req, true);
    } else if (seg.size() == 2 && m == "GET") {
      result.operation = "GetMeeting";
      result.response = GetMeeting(seg[1]);
    } else if (seg.size() == 2 && m == "DELETE") {
      result.operation = "DeleteMeeting";
      result.response = DeleteMeeting(seg[1]);
    } else if (seg.size() == 3 && seg[2] == "attendees" && m == "POST" && op.empty()) {
      result.operation = "CreateAttendee";
      result.response = CreateAttendee(seg[1], req);
    } else if (seg.size() == 3 && seg[2] == "attendees" && m == "POST" && op == "batch-create") {
      result.operation = "BatchCreateAttendee";
      result.response = BatchCreateAttendee(seg[1], req);
    } else if (seg.size() == 3 && seg[2] == "attendees" && m == "GET") {
      result.operation = "ListAttendees";
      result.response = ListAttendees(seg[1], req);
    } else if (seg.size() == 4 && seg[2] == "attendees" && m == "GET") {
      result.operation = "GetAttendee";
      result.response = GetAttendee(seg[1], seg[3]);
    } else if (seg.size() == 4 && seg[2] == "attendees" && m == "DELETE") {
      result.operation = "DeleteAttendee";
      result.response = DeleteAttendee(seg[1], seg[3]);
    } else {
      result.response = Fail(NotFound("No such operation: " + m + " " + req.path +
                                      (op.empty() ? "" : "?operation=" + op)));
    }
  } catch (const store::StoreLimitExceeded& e) {
    // Another node took the last seats between our count and our insert.
    result.response = Fail(LimitExceeded(e.what()));
  } catch (const store::StoreUnavailable& e) {
    SFU_LOG(kError, "store unavailable").Kv("operation", result.operation).Kv("error", e.what());
    result.response = Fail(ServiceUnavailable(
        "The service's state store is unavailable; retry later"));  // the AWS SDK retries 503
  } catch (const store::StoreError& e) {
    SFU_LOG(kError, "store failure").Kv("operation", result.operation).Kv("error", e.what());
    result.response = Fail(ServiceFailure("The service encountered an internal error"));
  }
  result.response.SetHeader("x-amzn-RequestId", request_id);
  return result;
}

std::optional<AttendeeRecord> ControlApi::ExistingAttendee(const std::string& meeting_id,
                                                           const std::string& external_user_id) {
  return store_.FindAttendeeByExternalUserId(meeting_id, external_user_id);
}

AttendeeRecord ControlApi::NewAttendee(const std::string& meeting_id, const AttendeeParams& p) {
  AttendeeRecord a;
  a.attendee_id = NewUuid();
  a.meeting_id = meeting_id;
  a.external_user_id = p.external_user_id;
  a.capabilities_audio = p.capabilities.audio;
  a.capabilities_video = p.capabilities.video;
  a.capabilities_content = p.capabilities.content;
  a.created_at_ms = clock_.NowUnixMs();
  return a;
}

HttpResponse ControlApi::CreateMeeting(const HttpRequest& req, bool with_attendees) {
  if (listener_ && listener_->AtCapacity()) {
    return Fail(ServiceUnavailable("Every media shard of this server is overloaded; retry later"));
  }
  CreateMeetingParams params;
  std::vector<AttendeeParams> attendee_params;
  if (with_attendees) {
    auto parsed = ParseCreateMeetingWithAttendees(req.body, config_.limits);
    if (!parsed.ok()) return Fail(parsed.error);
    params = std::move(parsed.value->meeting);
    attendee_params = std::move(parsed.value->attendees);
  } else {
    auto parsed = ParseCreateMeeting(req.body, config_.limits);
    if (!parsed.ok()) return Fail(parsed.error);
    params = std::move(*parsed.value);
  }
  const std::string fingerprint = params.Fingerprint();
  MeetingRecord meeting;
  bool created = false;
  if (auto existing = store_.FindMeetingByRequestToken(params.client_request_token)) {
    if (existing->fingerprint != fingerprint) {
      return Fail(Conflict("ClientRequestToken " + params.client_request_token +
                           " was already used with different parameters"));
    }
    meeting = std::move(*existing);  // idempotent replay
  } else {
    if (params.primary_meeting_id) {
      // A replica (docs/DESIGN.md, "Replica meetings"): its primary must exist and be a primary.
      // CreateMeeting's documented errors have no NotFoundException, so an unknown primary is a
      // BadRequestException, as for any other parameter that does not match the service's state.
      const std::optional<MeetingRecord> primary = store_.GetMeeting(*params.primary_meeting_id);
      if (!primary) {
        return Fail(
            BadRequest("The primary meeting " + *params.primary_meeting_id + " was not found"));
      }
      if (primary->primary_meeting_id) {
        return Fail(BadRequest("The meeting " + *params.primary_meeting_id +
                               " is itself a replica meeting and cannot be a primary meeting"));
      }
    }
    meeting.meeting_id = NewUuid();
    meeting.client_request_token = params.client_request_token;
    meeting.fingerprint = fingerprint;
    meeting.media_region = params.media_region;
    meeting.external_meeting_id = params.external_meeting_id;
    meeting.meeting_host_id = params.meeting_host_id;
    meeting.primary_meeting_id = params.primary_meeting_id;
    meeting.meeting_features_json = params.meeting_features_json;
    meeting.tenant_ids_json = params.tenant_ids_json;
    meeting.notifications_json = params.notifications_json;
    meeting.max_attendees = params.max_attendees.value_or(config_.limits.max_attendees_per_meeting);
    meeting.created_at_ms = meeting.last_active_ms = clock_.NowUnixMs();
    created = true;
    if (listener_) {
      if (std::optional<ApiError> e = listener_->PlaceMeeting(&meeting)) return Fail(*e);
    }
  }
  json::array attendees_json;
  json::array errors_json;
  std::vector<AttendeeRecord> new_attendees;
  for (size_t i = 0; i < attendee_params.size(); ++i) {
    if (auto e = ResolveCapabilities(meeting.meeting_features_json,
                                     "Attendees[" + std::to_string(i) + "].Capabilities",
                                     &attendee_params[i].capabilities))
      return Fail(*e);
  }
  if (with_attendees) {
    std::unordered_map<std::string, size_t> seen;  // ExternalUserId -> index in output
    std::vector<AttendeeRecord> out;
    for (const AttendeeParams& p : attendee_params) {
      if (seen.count(p.external_user_id)) continue;
      std::optional<AttendeeRecord> a =
          created ? std::nullopt : ExistingAttendee(meeting.meeting_id, p.external_user_id);
      if (!a) {
        new_attendees.push_back(NewAttendee(meeting.meeting_id, p));
        a = new_attendees.back();
      }
      seen[p.external_user_id] = out.size();
      out.push_back(*a);
    }
    const int64_t existing = created ? 0 : store_.CountAttendees(meeting.meeting_id);
    if (existing + static_cast<int64_t>(new_attendees.size()) > meeting.max_attendees) {
      return Fail(LimitExceeded("The meeting allows at most " +
                                std::to_string(meeting.max_attendees) + " attendees"));
    }
    for (const AttendeeRecord& a : out) attendees_json.push_back(AttendeeObject(a, signer_));
  }
  if (created || !new_attendees.empty()) {
    // Meeting and attendees commit together or not at all.
    store_.Transaction([&] {
      if (created) store_.InsertMeeting(meeting);
      if (created && !params.tags.empty()) store_.SetTags(meeting.meeting_id, params.tags);
      if (!new_attendees.empty()) store_.InsertAttendeesUpTo(&new_attendees, meeting.max_attendees);
    });
  }
  if (created) {
    SFU_LOG(kInfo, "meeting created")
        .Kv("meeting", meeting.meeting_id)
        .Kv("region", meeting.media_region)
        .Kv("primary", meeting.primary_meeting_id.value_or(""));
    NoteMeeting(meeting);
    if (listener_) listener_->OnMeetingCreated(meeting);
  }
  for (const AttendeeRecord& a : new_attendees) {
    SFU_LOG(kInfo, "attendee created").Kv("meeting", a.meeting_id).Kv("attendee", a.attendee_id);
    if (listener_) listener_->OnAttendeeCreated(a);
  }
  json::object body;
  body["Meeting"] = MeetingObject(meeting, config_);
  if (with_attendees) {
    body["Attendees"] = std::move(attendees_json);
    body["Errors"] = std::move(errors_json);
  }
  return JsonResponse(200, body);
}

HttpResponse ControlApi::GetMeeting(const std::string& meeting_id) {
  auto m = store_.GetMeeting(meeting_id);
  if (!m) return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  json::object body;
  body["Meeting"] = MeetingObject(*m, config_);
  return JsonResponse(200, body);
}

bool ControlApi::EndMeeting(const std::string& meeting_id, std::string_view reason) {
  if (!store_.DeleteMeeting(meeting_id)) {
    EndReplicasOf(meeting_id);  // gone already (another node ended it): its replicas go too
    return false;
  }
  SFU_LOG(kInfo, "meeting ended").Kv("meeting", meeting_id).Kv("reason", reason);
  if (listener_) listener_->OnMeetingDeleted(meeting_id, reason);
  EndReplicasOf(meeting_id);
  return true;
}

void ControlApi::NoteMeeting(const MeetingRecord& meeting) {
  if (!meeting.primary_meeting_id) return;
  replicas_[*meeting.primary_meeting_id].insert(meeting.meeting_id);
  primary_of_[meeting.meeting_id] = *meeting.primary_meeting_id;
}

int ControlApi::EndReplicasOf(const std::string& primary_id) {
  if (auto it = primary_of_.find(primary_id); it != primary_of_.end()) {
    auto set = replicas_.find(it->second);
    if (set != replicas_.end()) {
      set->second.erase(primary_id);
      if (set->second.empty()) replicas_.erase(set);
    }
    primary_of_.erase(it);
  }
  auto it = replicas_.find(primary_id);
  if (it == replicas_.end()) return 0;
  const std::set<std::string> replicas = std::move(it->second);
  replicas_.erase(it);
  int ended = 0;
  for (const std::string& id : replicas) {
    primary_of_.erase(id);
    if (EndMeeting(id, "primary_ended")) ++ended;
  }
  return ended;
}

HttpResponse ControlApi::DeleteMeeting(const std::string& meeting_id) {
  if (!EndMeeting(meeting_id, "deleted")) {
    return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  }
  HttpResponse r;
  r.status = 204;
  return r;
}

int ControlApi::ExpireIdleMeetings(int64_t idle_ms,
                                   const std::function<bool(const std::string&)>& is_connected) {
  const int64_t now = clock_.NowUnixMs();
  int ended = 0;
  for (const std::string& id : store_.ListMeetingsIdleSince(now - idle_ms)) {
    if (is_connected && is_connected(id)) {
      store_.TouchMeeting(id, now);
      continue;
    }
    if (EndMeeting(id, "expired")) ++ended;
  }
  return ended;
}

HttpResponse ControlApi::CreateAttendee(const std::string& meeting_id, const HttpRequest& req) {
  auto meeting = store_.GetMeeting(meeting_id);
  if (!meeting) return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  auto parsed = ParseCreateAttendee(req.body);
  if (!parsed.ok()) return Fail(parsed.error);
  if (auto e = ResolveCapabilities(meeting->meeting_features_json, "Capabilities",
                                   &parsed.value->capabilities))
    return Fail(*e);
  std::optional<AttendeeRecord> a = ExistingAttendee(meeting_id, parsed.value->external_user_id);
  if (!a) {
    if (store_.CountAttendees(meeting_id) >= meeting->max_attendees) {
      return Fail(LimitExceeded("The meeting already has the maximum of " +
                                std::to_string(meeting->max_attendees) + " attendees"));
    }
    std::vector<AttendeeRecord> one{NewAttendee(meeting_id, *parsed.value)};
    store_.InsertAttendeesUpTo(&one, meeting->max_attendees);
    a = one[0];
    SFU_LOG(kInfo, "attendee created").Kv("meeting", meeting_id).Kv("attendee", a->attendee_id);
    if (listener_) listener_->OnAttendeeCreated(*a);
  }
  json::object body;
  body["Attendee"] = AttendeeObject(*a, signer_);
  return JsonResponse(200, body);
}

HttpResponse ControlApi::BatchCreateAttendee(const std::string& meeting_id,
                                             const HttpRequest& req) {
  auto meeting = store_.GetMeeting(meeting_id);
  if (!meeting) return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  auto parsed = ParseBatchCreateAttendee(req.body, config_.limits);
  if (!parsed.ok()) return Fail(parsed.error);
  for (size_t i = 0; i < parsed.value->size(); ++i) {
    if (auto e = ResolveCapabilities(meeting->meeting_features_json,
                                     "Attendees[" + std::to_string(i) + "].Capabilities",
                                     &(*parsed.value)[i].capabilities))
      return Fail(*e);
  }
  int64_t count = store_.CountAttendees(meeting_id);
  std::vector<AttendeeRecord> fresh;
  std::vector<AttendeeRecord> result;
  json::array errors;
  std::unordered_map<std::string, size_t> seen;
  for (const AttendeeParams& p : *parsed.value) {
    if (seen.count(p.external_user_id)) continue;
    seen[p.external_user_id] = 1;
    if (auto existing = ExistingAttendee(meeting_id, p.external_user_id)) {
      result.push_back(*existing);
      continue;
    }
    if (count >= meeting->max_attendees) {
      json::object e;
      e["ExternalUserId"] = p.external_user_id;
      e["ErrorCode"] = "LimitExceeded";
      e["ErrorMessage"] = "The meeting already has the maximum of " +
                          std::to_string(meeting->max_attendees) + " attendees";
      errors.push_back(std::move(e));
      continue;
    }
    ++count;
    fresh.push_back(NewAttendee(meeting_id, p));
  }
  if (!fresh.empty()) store_.InsertAttendeesUpTo(&fresh, meeting->max_attendees);
  for (const AttendeeRecord& a : fresh) {
    SFU_LOG(kInfo, "attendee created").Kv("meeting", meeting_id).Kv("attendee", a.attendee_id);
    if (listener_) listener_->OnAttendeeCreated(a);
    result.push_back(a);
  }
  json::array attendees;
  for (const AttendeeRecord& a : result) attendees.push_back(AttendeeObject(a, signer_));
  json::object body;
  body["Attendees"] = std::move(attendees);
  body["Errors"] = std::move(errors);
  return JsonResponse(200, body);
}

HttpResponse ControlApi::ListAttendees(const std::string& meeting_id, const HttpRequest& req) {
  if (!store_.GetMeeting(meeting_id)) {
    return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  }
  int limit = config_.list_default_results;
  const std::string max = QueryValue(req, "max-results");
  if (!max.empty()) {
    int v = 0;
    bool ok = max.size() <= 4;
    for (char c : max) ok = ok && c >= '0' && c <= '9';
    if (ok) v = std::stoi(max);
    if (!ok || v < 1 || v > config_.list_max_results) {
      return Fail(BadRequest("MaxResults must be an integer from 1 to " +
                             std::to_string(config_.list_max_results)));
    }
    limit = v;
  }
  int64_t after = 0;
  const std::string next = QueryValue(req, "next-token");
  if (!next.empty()) {
    auto seq = DecodeNextToken(next);
    if (!seq) return Fail(BadRequest("NextToken is not valid"));
    after = *seq;
  }
  // One extra row tells whether another page exists.
  std::vector<AttendeeRecord> rows = store_.ListAttendees(meeting_id, after, limit + 1);
  const bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.resize(static_cast<size_t>(limit));
  json::array attendees;
  for (const AttendeeRecord& a : rows) attendees.push_back(AttendeeObject(a, signer_));
  json::object body;
  body["Attendees"] = std::move(attendees);
  if (more) body["NextToken"] = EncodeNextToken(rows.back().seq);
  return JsonResponse(200, body);
}

HttpResponse ControlApi::GetAttendee(const std::string& meeting_id,
                                     const std::string& attendee_id) {
  if (!store_.GetMeeting(meeting_id)) {
    return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  }
  auto a = store_.GetAttendee(meeting_id, attendee_id);
  if (!a) return Fail(NotFound("The attendee " + attendee_id + " does not exist"));
  json::object body;
  body["Attendee"] = AttendeeObject(*a, signer_);
  return JsonResponse(200, body);
}

HttpResponse ControlApi::DeleteAttendee(const std::string& meeting_id,
                                        const std::string& attendee_id) {
  if (!store_.GetMeeting(meeting_id)) {
    return Fail(NotFound("The meeting " + meeting_id + " does not exist"));
  }
  if (!store_.DeleteAttendee(meeting_id, attendee_id)) {
    return Fail(NotFound("The attendee " + attendee_id + " does not exist"));
  }
  SFU_LOG(kInfo, "attendee deleted").Kv("meeting", meeting_id).Kv("attendee", attendee_id);
  if (listener_) listener_->OnAttendeeDeleted(meeting_id, attendee_id);
  HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace sfu::api

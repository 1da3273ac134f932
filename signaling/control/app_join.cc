#include "signaling/control/app_join.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>

#include "base/log.h"
#include "base/random.h"
#include "signaling/api/app_join_request.h"
#include "signaling/api/crypto_util.h"
#include "signaling/control/api_json.h"

namespace sfu::api {
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;

namespace {

// A request to the in-process ControlApi, as the app's server side would send it.
HttpRequest Internal(std::string path, const json::object& body) {
  HttpRequest r;
  r.method = "POST";
  r.path = std::move(path);
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = json::serialize(body);
  r.remote_address = "app";
  r.remote_is_loopback = true;
  return r;
}

std::optional<json::object> ObjectOf(const HttpResponse& r, std::string_view key) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  json::value* member = v.as_object().if_contains(key);
  if (!member || !member->is_object()) return std::nullopt;
  return std::move(member->as_object());
}

}  // namespace

AppJoin::AppJoin(ControlApi& api, const base::Clock& clock, AppJoinConfig config)
    : api_(api),
      clock_(clock),
      config_(std::move(config)),
      limiter_(config_.joins_per_minute / 60.0, std::max(1.0, config_.joins_per_minute)),
      password_digest_(config_.password.empty() ? "" : Sha256Hex(config_.password)) {}

std::string AppJoin::MeetingToken(const std::string& meeting) {
  return "app-" + Sha256Hex(meeting).substr(0, 40);
}

bool AppJoin::IsPlainHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  size_t i = 0;
  if (host[0] == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : host.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    i = close + 1;
  } else {
    while (i < host.size() && host[i] != ':') {
      const char c = host[i];
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
      ++i;
    }
    if (i == 0) return false;
  }
  if (i == host.size()) return true;
  if (host[i] != ':' || i + 1 == host.size() || host.size() - i - 1 > 5) return false;
  for (char c : host.substr(i + 1))
    if (c < '0' || c > '9') return false;
  return true;
}

HttpResponse AppJoin::Fail(const ApiError& e) const {
  return ControlApi::ErrorResponse(e, NewUuid());
}

HttpResponse AppJoin::Info(const HttpRequest& req) const {
  if (!config_.enabled) return Fail(NotFound("The meeting app is off on this server (--app off)"));
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r = Fail({405, "MethodNotAllowedException", "GET /app/info"});
    r.SetHeader("Allow", "GET, HEAD");
    return r;
  }
  json::object body;
  body["passwordRequired"] = !config_.password.empty();
  HttpResponse r = JsonResponse(200, body);
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

void AppJoin::UseHost(json::object& meeting, const std::string& host) const {
  json::value* placement = meeting.if_contains("MediaPlacement");
  if (!placement || !placement->is_object()) return;
  const ControlApiConfig& c = api_.config();
  const std::string ws = (config_.tls ? "wss://" : "ws://") + host;
  const std::string http = (config_.tls ? "https://" : "http://") + host;
  for (auto& [key, value] : placement->as_object()) {
    if (!value.is_string()) continue;
    std::string url(value.as_string());
    if (url.rfind(c.ws_base, 0) == 0) {
      value = ws + url.substr(c.ws_base.size());
    } else if (url.rfind(c.http_base, 0) == 0) {
      value = http + url.substr(c.http_base.size());
    }
  }
}

HttpResponse AppJoin::Join(const HttpRequest& req) {
  if (!config_.enabled) return Fail(NotFound("The meeting app is off on this server (--app off)"));
  if (req.method != "POST") {
    HttpResponse r = Fail({405, "MethodNotAllowedException",
                           "POST a JSON body {\"meeting\": ..., \"name\": ...} to /app/join"});
    r.SetHeader("Allow", "POST");
    return r;
  }
  if (!limiter_.Allow(req.remote_address, clock_.NowSteadyMs())) {
    HttpResponse r = Fail(Throttling("Too many joins from your address: at most " +
                                     std::to_string(static_cast<int>(config_.joins_per_minute)) +
                                     " a minute. Wait a minute"));
    r.SetHeader("Retry-After", "60");
    return r;
  }
  const std::string* type = req.Header("Content-Type");
  if (!type || type->rfind("application/json", 0) != 0) {
    return Fail({415, "UnsupportedMediaTypeException", "Content-Type must be application/json"});
  }
  Parsed<AppJoinRequest> parsed = ParseAppJoinRequest(req.body);
  if (!parsed.ok()) return Fail(parsed.error);
  const AppJoinRequest& join = *parsed.value;
  if (!password_digest_.empty() &&
      !ConstantTimeEquals(Sha256Hex(join.password), password_digest_)) {
    return Fail(Forbidden(join.password.empty() ? "This server needs its password to join"
                                                : "Wrong password"));
  }

  const std::string request_id = NewUuid();
  json::object create;
  create["ClientRequestToken"] = MeetingToken(join.meeting);
  create["ExternalMeetingId"] = join.meeting;
  ControlApi::Result meeting_result = api_.Handle(Internal("/meetings", create), request_id);
  if (meeting_result.response.status == 409) {
    return Fail(Conflict("A meeting named '" + join.meeting +
                         "' exists with other settings (was --default-region changed?); choose "
                         "another name, or wait until it ends"));
  }
  if (meeting_result.response.status != 200) return std::move(meeting_result.response);
  std::optional<json::object> meeting = ObjectOf(meeting_result.response, "Meeting");
  if (!meeting) return Fail(ServiceFailure("CreateMeeting answered no Meeting"));
  const std::string meeting_id(meeting->at("MeetingId").as_string());

  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%08x#", base::RandomU32());
  json::object attendee_body;
  attendee_body["ExternalUserId"] = prefix + join.name;
  ControlApi::Result attendee_result =
      api_.Handle(Internal("/meetings/" + meeting_id + "/attendees", attendee_body), request_id);
  if (attendee_result.response.status != 200) return std::move(attendee_result.response);
  std::optional<json::object> attendee = ObjectOf(attendee_result.response, "Attendee");
  if (!attendee) return Fail(ServiceFailure("CreateAttendee answered no Attendee"));

  const std::string* host = req.Header("Host");
  if (config_.urls_from_host && host && IsPlainHost(*host)) UseHost(*meeting, *host);
  SFU_LOG(kInfo, "app join")
      .Kv("meeting", meeting_id)
      .Kv("attendee", std::string(attendee->at("AttendeeId").as_string()))
      .Kv("remote", req.remote_address);
  json::object body;
  body["Meeting"] = std::move(*meeting);
  body["Attendee"] = std::move(*attendee);
  HttpResponse r = JsonResponse(200, body);
  r.SetHeader("Cache-Control", "no-store");
  r.SetHeader("x-amzn-RequestId", request_id);
  return r;
}

}  // namespace sfu::api

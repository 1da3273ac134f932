#pragma once
// JSON shapes shared by the control API's handlers (signaling/control/*.cc): the Meeting and
// Attendee objects as the Meetings API returns them, and JSON responses.

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "signaling/api/http_message.h"
#include "signaling/api/join_token.h"
#include "signaling/control/control_api.h"
#include "signaling/store/meeting_store.h"

namespace sfu::api {

http::HttpResponse JsonResponse(int status, const boost::json::value& body);
http::HttpResponse NoContent();  // 204
boost::json::value ParseStoredJson(const std::string& text);
boost::json::object MeetingObject(const store::MeetingRecord& m, const ControlApiConfig& c);
boost::json::object AttendeeObject(const store::AttendeeRecord& a, const JoinTokenSigner& signer);
std::string MeetingArn(const std::string& region, const ControlApiConfig& c,
                       const std::string& meeting_id);
std::string QueryValue(const http::HttpRequest& req, std::string_view key);

}  // namespace sfu::api

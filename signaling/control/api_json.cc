#include "signaling/control/api_json.h"

namespace sfu::api {
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using store::AttendeeRecord;
using store::MeetingRecord;

std::string MeetingArn(const std::string& region, const ControlApiConfig& c,
                       const std::string& meeting_id) {
  return "arn:aws:chime:" + region + ":" + c.account_id + ":meeting/" + meeting_id;
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse JsonResponse(int status, const json::value& body) {
  HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json");
  r.body = json::serialize(body);
  return r;
}

json::value ParseStoredJson(const std::string& text) {
  if (text.empty()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

json::object MeetingObject(const MeetingRecord& m, const ControlApiConfig& config) {
  // Cluster mode: the URLs of the node hosting the meeting (docs/DESIGN.md, "Cluster mode").
  ControlApiConfig c;
  c.media_host = m.node_media_host.empty() ? config.media_host : m.node_media_host;
  c.ws_base = m.node_ws_base.empty() ? config.ws_base : m.node_ws_base;
  c.http_base = m.node_http_base.empty() ? config.http_base : m.node_http_base;
  json::object placement;
  placement["AudioHostUrl"] = c.media_host;
  placement["AudioFallbackUrl"] = c.ws_base + "/audio/" + m.meeting_id;
  placement["SignalingUrl"] = c.ws_base + "/control/" + m.meeting_id;
  placement["TurnControlUrl"] = c.http_base + "/v2/turn_sessions";
  placement["ScreenDataUrl"] = c.ws_base + "/v2/screen/" + m.meeting_id;
  placement["ScreenSharingUrl"] = c.ws_base + "/v2/screen/" + m.meeting_id;
  placement["ScreenViewingUrl"] =
      c.ws_base + "/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=" + m.meeting_id;
  // No EventIngestionUrl: a client that sees one posts telemetry to it.
  json::object o;
  o["MeetingId"] = m.meeting_id;
  if (m.meeting_host_id) o["MeetingHostId"] = *m.meeting_host_id;
  if (m.external_meeting_id) o["ExternalMeetingId"] = *m.external_meeting_id;
  o["MediaRegion"] = m.media_region;
  o["MediaPlacement"] = std::move(placement);
  json::value features = ParseStoredJson(m.meeting_features_json);
  if (!features.is_null()) o["MeetingFeatures"] = std::move(features);
  if (m.primary_meeting_id) o["PrimaryMeetingId"] = *m.primary_meeting_id;
  json::value tenants = ParseStoredJson(m.tenant_ids_json);
  if (!tenants.is_null()) o["TenantIds"] = std::move(tenants);
  o["MeetingArn"] = MeetingArn(m.media_region, c, m.meeting_id);
  return o;
}

json::object AttendeeObject(const AttendeeRecord& a, const JoinTokenSigner& signer) {
  json::object caps;
  caps["Audio"] = a.capabilities_audio;
  caps["Video"] = a.capabilities_video;
  caps["Content"] = a.capabilities_content;
  json::object o;
  o["ExternalUserId"] = a.external_user_id;
  o["AttendeeId"] = a.attendee_id;
  o["JoinToken"] = signer.Make(a.meeting_id, a.attendee_id);
  o["Capabilities"] = std::move(caps);
  return o;
}

std::string QueryValue(const HttpRequest& req, std::string_view key) {
  for (auto& [k, v] : http::ParseQuery(req.query))
    if (k == key) return v;
  return {};
}

}  // namespace sfu::api

// TagResource, UntagResource, ListTagsForResource on meeting ARNs (docs/PROTOCOL.md, "Tags").
#include "base/log.h"
#include "signaling/control/api_json.h"
#include "signaling/control/control_api.h"

namespace sfu::api {
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;

namespace {
constexpr size_t kMaxTags = 50;  // per resource, as AWS
}

std::optional<store::MeetingRecord> ControlApi::MeetingOfArn(const std::string& arn,
                                                             ApiError* error) {
  // arn:aws:chime:<region>:<account>:meeting/<MeetingId>
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string::npos) break;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string resource = arn.substr(std::min(start, arn.size()));
  if (parts.size() != 5 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "chime" ||
      !resource.starts_with("meeting/")) {
    *error = BadRequest(
        "ResourceARN must be a meeting ARN: arn:aws:chime:<region>:<account>:"
        "meeting/<MeetingId>");
    return std::nullopt;
  }
  const std::string meeting_id = resource.substr(8);
  auto m = parts[4] == config_.account_id ? store_.GetMeeting(meeting_id) : std::nullopt;
  if (!m || m->media_region != parts[3]) {
    *error = ResourceNotFound("No meeting has the ARN " + arn);
    return std::nullopt;
  }
  return m;
}

HttpResponse ControlApi::TagResource(const HttpRequest& req) {
  auto parsed = ParseTagResource(req.body);
  if (!parsed.ok()) return Fail(parsed.error);
  ApiError error;
  auto m = MeetingOfArn(parsed.value->resource_arn, &error);
  if (!m) return Fail(error);
  std::vector<Tag> tags = store_.ListTags(m->meeting_id);
  size_t total = tags.size();
  for (const Tag& t : parsed.value->tags) {
    bool known = false;
    for (const Tag& have : tags) known = known || have.first == t.first;
    if (!known) ++total;
  }
  if (total > kMaxTags) {
    return Fail(TooManyTags("A meeting can have at most " + std::to_string(kMaxTags) +
                            " tags; this would make " + std::to_string(total)));
  }
  store_.SetTags(m->meeting_id, parsed.value->tags);
  SFU_LOG(kInfo, "meeting tagged").Kv("meeting", m->meeting_id).Kv("tags", total);
  return NoContent();
}

HttpResponse ControlApi::UntagResource(const HttpRequest& req) {
  auto parsed = ParseUntagResource(req.body);
  if (!parsed.ok()) return Fail(parsed.error);
  ApiError error;
  auto m = MeetingOfArn(parsed.value->resource_arn, &error);
  if (!m) return Fail(error);
  store_.RemoveTags(m->meeting_id, parsed.value->keys);
  return NoContent();
}

HttpResponse ControlApi::ListTagsForResource(const HttpRequest& req) {
  const std::string arn = QueryValue(req, "arn");
  if (arn.empty() || arn.size() > 1011)
    return Fail(BadRequest("ResourceARN (query arn) must be 1 to 1011 characters"));
  ApiError error;
  auto m = MeetingOfArn(arn, &error);
  if (!m) return Fail(error);
  json::array tags;
  for (const auto& [key, value] : store_.ListTags(m->meeting_id))
    tags.push_back(json::object{{"Key", key}, {"Value", value}});
  json::object body;
  body["Tags"] = std::move(tags);
  return JsonResponse(200, body);
}

}  // namespace sfu::api

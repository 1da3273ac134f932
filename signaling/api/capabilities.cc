#include "signaling/api/capabilities.h"

#include <boost/json.hpp>

namespace sfu::api {
namespace json = boost::json;

namespace {

std::string MaxResolutionIn(const json::value& features, std::string_view section) {
  const json::value* sec =
      features.is_object() ? features.as_object().if_contains(section) : nullptr;
  if (!sec || !sec->is_object()) return {};
  const json::value* r = sec->as_object().if_contains("MaxResolution");
  return r && r->is_string() ? std::string(r->as_string()) : std::string();
}

json::value ParseFeatures(const std::string& meeting_features_json) {
  if (meeting_features_json.empty()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(meeting_features_json, ec);
  return ec ? json::value(nullptr) : v;
}

}  // namespace

std::string MaxResolutionOf(const std::string& meeting_features_json, std::string_view section) {
  return MaxResolutionIn(ParseFeatures(meeting_features_json), section);
}

uint32_t MaxResolutionPixels(std::string_view r) {
  if (r == "HD") return 1280 * 720;
  if (r == "FHD") return 1920 * 1080;
  if (r == "UHD") return 3840 * 2160;
  return 0;
}

std::optional<ApiError> ResolveCapabilities(const std::string& meeting_features_json,
                                            std::string_view field, Capabilities* caps) {
  const json::value features = ParseFeatures(meeting_features_json);
  const bool video_off = MaxResolutionIn(features, "Video") == "None";
  const bool content_off = MaxResolutionIn(features, "Content") == "None";
  const std::string f(field);
  if (caps->audio.empty()) caps->audio = "SendReceive";
  if (caps->video.empty()) caps->video = video_off ? "None" : "SendReceive";
  if (caps->content.empty()) caps->content = content_off ? "None" : "SendReceive";
  if (video_off && caps->video != "None") {
    return BadRequest(f +
                      ".Video must be None: the meeting's MeetingFeatures.Video.MaxResolution "
                      "is None");
  }
  if (content_off && caps->content != "None") {
    return BadRequest(f +
                      ".Content must be None: the meeting's MeetingFeatures.Content.MaxResolution "
                      "is None");
  }
  if (CanReceive(caps->content) && !CanReceive(caps->video)) {
    return BadRequest(f + ".Content " + caps->content + " needs " + f +
                      ".Video SendReceive or Receive");
  }
  return std::nullopt;
}

}  // namespace sfu::api

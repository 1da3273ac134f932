#include "signaling/api/capabilities.h"

#include <boost/json.hpp>

namespace sfu::api {
namespace json = boost::json;

std::string MaxResolutionOf(const std::string& meeting_features_json, std::string_view section) {
  if (meeting_features_json.empty()) return {};
  boost::system::error_code ec;
  const json::value v = json::parse(meeting_features_json, ec);
  if (ec || !v.is_object()) return {};
  const json::value* sec = v.as_object().if_contains(section);
  if (!sec || !sec->is_object()) return {};
  const json::value* r = sec->as_object().if_contains("MaxResolution");
  return r && r->is_string() ? std::string(r->as_string()) : std::string();
}

uint32_t MaxResolutionPixels(std::string_view r) {
  if (r == "HD") return 1280 * 720;
  if (r == "FHD") return 1920 * 1080;
  if (r == "UHD") return 3840 * 2160;
  return 0;
}

std::optional<ApiError> ResolveCapabilities(const std::string& meeting_features_json,
                                            std::string_view field, Capabilities* caps) {
  const bool video_off = MaxResolutionOf(meeting_features_json, "Video") == "None";
  const bool content_off = MaxResolutionOf(meeting_features_json, "Content") == "None";
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

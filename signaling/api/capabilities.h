#pragma once
// Attendee capabilities as the Meetings API defines them (docs/PROTOCOL.md, "Attendee
// capabilities"): each of audio, video and content is None, Send, Receive or SendReceive.
// Pure: no I/O.
//
// Rules (AWS's CreateAttendee / UpdateAttendeeCapabilities documentation):
// - Omitted capabilities default to SendReceive, except a medium the meeting's features turn off
//   (MeetingFeatures.Video.MaxResolution or Content.MaxResolution "None"), which defaults to None.
// - Send, Receive or SendReceive for a medium the meeting turns off is a 400.
// - Content SendReceive or Receive needs video SendReceive or Receive (a 400 otherwise).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signaling/api/api_types.h"

namespace sfu::api {

// Fills the omitted ("") members of *caps and validates all three against the meeting's stored
// MeetingFeatures JSON. field: the name used in messages ("Capabilities",
// "Attendees[2].Capabilities").
std::optional<ApiError> ResolveCapabilities(const std::string& meeting_features_json,
                                            std::string_view field, Capabilities* caps);

inline bool CanSend(std::string_view mode) { return mode == "Send" || mode == "SendReceive"; }
inline bool CanReceive(std::string_view mode) { return mode == "Receive" || mode == "SendReceive"; }

// MeetingFeatures.Video.MaxResolution / Content.MaxResolution ("" when not set).
std::string MaxResolutionOf(const std::string& meeting_features_json, std::string_view section);

// Pixels of a MaxResolution value: HD 1280x720, FHD 1920x1080, UHD 3840x2160; 0 for "" (no
// limit) and for None (nothing is sent at all: capabilities are None).
uint32_t MaxResolutionPixels(std::string_view max_resolution);

}  // namespace sfu::api

#include "signaling/cascade_mirror_codec.h"

#include <algorithm>
#include <map>

#include "base/hex.h"

namespace sfu::signaling {

std::string EncodeRelayedData(const proto::SdkDataMessageFrame& m) {
  return base::HexEncode(m.SerializeAsString());
}

std::optional<proto::SdkDataMessageFrame> DecodeRelayedData(std::string_view hex) {
  std::optional<std::string> bytes = base::HexDecode(hex, kMaxMirrorBytes);
  proto::SdkDataMessageFrame m;
  if (!bytes || !m.ParseFromString(*bytes) || m.messages_size() > kMaxRelayedMessages)
    return std::nullopt;
  return m;
}

std::string EncodeMirror(const proto::CascadeMirror& m) {
  return base::HexEncode(m.SerializeAsString());
}

std::optional<proto::CascadeMirror> DecodeMirror(std::string_view hex) {
  std::optional<std::string> bytes = base::HexDecode(hex, kMaxMirrorBytes);
  proto::CascadeMirror m;
  if (!bytes || !m.ParseFromString(*bytes)) return std::nullopt;
  return m;
}

std::vector<sfu::RelayedPublication> RelayedPublications(const proto::CascadeMirror& m) {
  // Each publishing attendee's layer ids (those it turned off included), else the ids its
  // sources list, in stream id order (a camera without simulcast has one).
  std::map<std::string, std::vector<uint32_t>> by_attendee;
  for (const auto& l : m.layers())
    by_attendee[l.attendee_id()].assign(l.stream_ids().begin(), l.stream_ids().end());
  for (const auto& v : m.video()) {
    auto& ids = by_attendee[v.attendee_id()];
    if (std::find(ids.begin(), ids.end(), v.stream_id()) == ids.end()) ids.push_back(v.stream_id());
  }
  std::vector<sfu::RelayedPublication> out;
  for (auto& entry : by_attendee) {
    const std::string& attendee = entry.first;
    const bool publishing = std::any_of(m.video().begin(), m.video().end(),
                                        [&](const auto& v) { return v.attendee_id() == attendee; });
    if (!publishing || entry.second.empty()) continue;
    out.push_back({attendee, std::move(entry.second)});
  }
  return out;
}

}  // namespace sfu::signaling

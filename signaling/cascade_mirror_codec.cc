#include "signaling/cascade_mirror_codec.h"

#include <algorithm>
#include <map>

namespace sfu::signaling {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0 || hex.size() / 2 > kMaxMirrorBytes) return std::nullopt;
  std::string bytes(hex.size() / 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[i] = static_cast<char>(hi << 4 | lo);
  }
  return bytes;
}

}  // namespace

std::string EncodeRelayedData(const proto::SdkDataMessageFrame& m) {
  return Hex(m.SerializeAsString());
}

std::optional<proto::SdkDataMessageFrame> DecodeRelayedData(std::string_view hex) {
  std::optional<std::string> bytes = Unhex(hex);
  proto::SdkDataMessageFrame m;
  if (!bytes || !m.ParseFromString(*bytes) || m.messages_size() > kMaxRelayedMessages)
    return std::nullopt;
  return m;
}

std::string EncodeMirror(const proto::CascadeMirror& m) { return Hex(m.SerializeAsString()); }

std::optional<proto::CascadeMirror> DecodeMirror(std::string_view hex) {
  std::optional<std::string> bytes = Unhex(hex);
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

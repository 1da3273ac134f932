#include "sfu/cascade_link.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

#include "base/hex.h"

namespace sfu::cascade {
namespace {

constexpr size_t kMaxIdLength = 128;

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() != kKeySaltLength * 2) return std::nullopt;
  return base::HexDecode(hex, kKeySaltLength);
}

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size() && out.size() <= 6) {
    while (i < text.size() && text[i] == ' ') ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::optional<wire::StunAddress> ParseAddress(std::string_view ip, uint16_t port) {
  if (ip.empty() || ip.size() > 45 || port == 0) return std::nullopt;
  const std::string s(ip);
  wire::StunAddress a;
  a.port = port;
  if (inet_pton(AF_INET, s.c_str(), a.ip.data()) == 1) {
    a.family = 4;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.ip.data()) == 1) {
    a.family = 6;
    return a;
  }
  return std::nullopt;
}

std::string AddressText(const wire::StunAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.ip.data(), buf, sizeof(buf))) return "?";
  const std::string port = std::to_string(a.port);
  return a.family == 6 ? "[" + std::string(buf) + "]:" + port : std::string(buf) + ":" + port;
}

std::string FormatLinkOffer(const LinkOffer& o) {
  if (!ValidId(o.primary_meeting_id) || !ValidId(o.node_id) ||
      o.send_key.size() != kKeySaltLength || o.receive_key.size() != kKeySaltLength)
    return "";
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(o.address.family == 6 ? AF_INET6 : AF_INET, o.address.ip.data(), buf, sizeof(buf)))
    return "";
  return o.primary_meeting_id + " " + o.node_id + " " + buf + " " + std::to_string(o.address.port) +
         " " + base::HexEncode(o.send_key) + " " + base::HexEncode(o.receive_key);
}

std::optional<LinkOffer> ParseLinkOffer(std::string_view text) {
  const std::vector<std::string_view> w = Split(text);
  if (w.size() != 6 || !ValidId(w[0]) || !ValidId(w[1])) return std::nullopt;
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(w[3].data(), w[3].data() + w[3].size(), port);
  if (ec != std::errc() || end != w[3].data() + w[3].size() || port == 0 || port > 65535)
    return std::nullopt;
  std::optional<wire::StunAddress> address = ParseAddress(w[2], static_cast<uint16_t>(port));
  std::optional<std::string> send = Unhex(w[4]), receive = Unhex(w[5]);
  if (!address || !send || !receive) return std::nullopt;
  LinkOffer o;
  o.primary_meeting_id = std::string(w[0]);
  o.node_id = std::string(w[1]);
  o.address = *address;
  o.send_key = std::move(*send);
  o.receive_key = std::move(*receive);
  return o;
}

size_t WriteRelayedVideo(const wire::RtpPacketView& pkt, uint32_t stream_id,
                         std::span<uint8_t> out) {
  return WriteRelayedVideo(pkt, stream_id, pkt.sequence_number(), out);
}

size_t WriteRelayedVideo(const wire::RtpPacketView& pkt, uint32_t stream_id, uint16_t seq,
                         std::span<uint8_t> out) {
  wire::RtpHeaderWriter w;
  w.SetPayloadType(kVp8PayloadType);
  w.SetSequenceNumber(seq);
  w.SetTimestamp(pkt.timestamp());
  w.SetSsrc(stream_id);
  w.SetMarker(pkt.marker());
  const std::span<const uint8_t> payload = pkt.payload();
  if (out.size() < 12 + payload.size()) return 0;
  const size_t header = w.WriteTo(out);
  if (header == 0) return 0;
  std::memcpy(out.data() + header, payload.data(), payload.size());
  return header + payload.size();
}

size_t WriteRelayedAudio(uint16_t seq, uint32_t timestamp, std::span<const uint8_t> opus,
                         std::span<uint8_t> out) {
  wire::RtpHeaderWriter w;
  w.SetPayloadType(kOpusPayloadType);
  w.SetSequenceNumber(seq);
  w.SetTimestamp(timestamp);
  w.SetSsrc(kAudioSsrc);
  if (out.size() < 12 + opus.size()) return 0;
  const size_t header = w.WriteTo(out);
  if (header == 0) return 0;
  std::memcpy(out.data() + header, opus.data(), opus.size());
  return header + opus.size();
}

}  // namespace sfu::cascade

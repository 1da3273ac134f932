#pragma once
// SDP (RFC 8866) as WebRTC uses it (RFC 8829 JSEP, RFC 8839 ICE, RFC 8843 BUNDLE):
// parsed into plain structs. Pure: no I/O, no exceptions; untrusted input is bounded
// (size, lines, sections, codecs) and anything malformed is an error with a reason.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sfu::sdp {

struct Codec {
  int payload_type = -1;
  std::string name;  // "opus", "VP8", "rtx", ...
  int clock_rate = 0;
  int channels = 0;                   // 0 when absent
  std::string fmtp;                   // parameters after "a=fmtp:<pt> "
  std::vector<std::string> feedback;  // "nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"
};

struct Extmap {
  int id = 0;
  std::string uri;
  std::string direction;  // "" unless given
};

struct SsrcAttribute {
  uint32_t ssrc = 0;
  std::string name;  // "cname", "msid", ...
  std::string value;
};

struct SsrcGroup {
  std::string semantics;  // "FID", "SIM"
  std::vector<uint32_t> ssrcs;
};

struct Rid {
  std::string id;
  std::string direction;  // "send" or "recv"
  std::string params;
};

struct MediaSection {
  std::string kind;   // "audio", "video", "application"
  uint16_t port = 0;  // 0 = rejected / stopped
  std::string proto;  // "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP"
  std::vector<std::string> formats;
  std::string mid;
  std::string direction = "sendrecv";  // sendrecv, sendonly, recvonly, inactive
  std::string ice_ufrag, ice_pwd;      // section value, else session value
  std::string fingerprint_algorithm, fingerprint;
  std::string setup;  // actpass, active, passive
  bool rtcp_mux = false;
  bool rtcp_rsize = false;
  std::vector<Codec> codecs;  // in m= line order
  std::vector<Extmap> extmaps;
  std::vector<SsrcAttribute> ssrc_attributes;
  std::vector<SsrcGroup> ssrc_groups;
  std::vector<Rid> rids;
  std::string simulcast;  // value of a=simulcast
  std::string msid;       // value of a=msid
  std::optional<uint16_t> sctp_port;
  std::optional<uint32_t> max_message_size;

  const Codec* FindCodec(int payload_type) const;
  // Extmap id of uri, or 0.
  int ExtensionId(std::string_view uri) const;
  // SSRCs announced with a=ssrc, in order of first appearance.
  std::vector<uint32_t> Ssrcs() const;
  bool IsRtp() const { return kind == "audio" || kind == "video"; }
};

struct SessionDescription {
  std::string origin_session_id;
  bool ice_lite = false;
  std::vector<std::vector<std::string>> groups;  // a=group lines: {"BUNDLE", "0", "1"}
  std::vector<MediaSection> media;

  const std::vector<std::string>* BundleGroup() const;
};

struct ParseLimits {
  size_t max_bytes = 64 * 1024;
  size_t max_lines = 4000;
  size_t max_sections = 64;
  size_t max_codecs_per_section = 64;
  size_t max_line_length = 4096;
};

struct ParseResult {
  std::optional<SessionDescription> description;
  std::string error;  // set when description is empty
};

ParseResult Parse(std::string_view text, const ParseLimits& limits = {});

}  // namespace sfu::sdp

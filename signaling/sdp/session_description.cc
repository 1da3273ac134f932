#include "signaling/sdp/session_description.h"

#include <charconv>

namespace sfu::sdp {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s = s.substr(p + 1);
  }
  return out;
}

// Splits on runs of spaces.
std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

template <class T>
bool ToInt(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

// Parses "a=<name>[:<value>]" into name and value.
void SplitAttribute(std::string_view a, std::string_view* name, std::string_view* value) {
  const size_t colon = a.find(':');
  *name = a.substr(0, colon);
  *value = colon == std::string_view::npos ? std::string_view() : a.substr(colon + 1);
}

Codec* FindOrAddCodec(MediaSection& m, int pt) {
  for (Codec& c : m.codecs)
    if (c.payload_type == pt) return &c;
  return nullptr;
}

// Returns "" on success, else a reason.
std::string ParseMediaAttribute(MediaSection& m, std::string_view name, std::string_view value,
                                const ParseLimits& limits) {
  if (name == "mid") {
    m.mid = value;
  } else if (name == "sendrecv" || name == "sendonly" || name == "recvonly" || name == "inactive") {
    m.direction = name;
  } else if (name == "ice-ufrag") {
    m.ice_ufrag = value;
  } else if (name == "ice-pwd") {
    m.ice_pwd = value;
  } else if (name == "fingerprint") {
    auto w = Words(value);
    if (w.size() != 2) return "bad a=fingerprint";
    m.fingerprint_algorithm = w[0];
    m.fingerprint = w[1];
  } else if (name == "setup") {
    m.setup = value;
  } else if (name == "rtcp-mux") {
    m.rtcp_mux = true;
  } else if (name == "rtcp-rsize") {
    m.rtcp_rsize = true;
  } else if (name == "rtpmap") {
    // <pt> <name>/<clock>[/<channels>]
    auto w = Words(value);
    int pt = 0;
    if (w.size() != 2 || !ToInt(w[0], &pt) || pt < 0 || pt > 127) return "bad a=rtpmap";
    auto parts = Split(w[1], '/');
    Codec* c = FindOrAddCodec(m, pt);
    if (!c) return "a=rtpmap for a payload type not on the m= line";
    c->name = parts[0];
    if (parts.size() < 2 || !ToInt(parts[1], &c->clock_rate)) return "bad a=rtpmap clock rate";
    if (parts.size() > 2 && !ToInt(parts[2], &c->channels)) return "bad a=rtpmap channels";
  } else if (name == "fmtp") {
    const size_t sp = value.find(' ');
    int pt = 0;
    if (sp == std::string_view::npos || !ToInt(value.substr(0, sp), &pt)) return "bad a=fmtp";
    if (Codec* c = FindOrAddCodec(m, pt)) c->fmtp = value.substr(sp + 1);
  } else if (name == "rtcp-fb") {
    const size_t sp = value.find(' ');
    if (sp == std::string_view::npos) return "bad a=rtcp-fb";
    const std::string_view pt_text = value.substr(0, sp);
    const std::string fb(Trim(value.substr(sp + 1)));
    if (pt_text == "*") {
      for (Codec& c : m.codecs) c.feedback.push_back(fb);
    } else {
      int pt = 0;
      if (!ToInt(pt_text, &pt)) return "bad a=rtcp-fb";
      if (Codec* c = FindOrAddCodec(m, pt)) c->feedback.push_back(fb);
    }
  } else if (name == "extmap") {
    auto w = Words(value);
    if (w.size() < 2) return "bad a=extmap";
    Extmap e;
    auto idparts = Split(w[0], '/');
    if (!ToInt(idparts[0], &e.id) || e.id < 1 || e.id > 255) return "bad a=extmap id";
    if (idparts.size() > 1) e.direction = idparts[1];
    e.uri = w[1];
    if (m.extmaps.size() >= 64) return "too many a=extmap";
    m.extmaps.push_back(std::move(e));
  } else if (name == "ssrc") {
    const size_t sp = value.find(' ');
    SsrcAttribute s;
    if (!ToInt(value.substr(0, sp), &s.ssrc)) return "bad a=ssrc";
    if (sp != std::string_view::npos) {
      std::string_view rest = value.substr(sp + 1);
      const size_t colon = rest.find(':');
      s.name = rest.substr(0, colon);
      if (colon != std::string_view::npos) s.value = rest.substr(colon + 1);
    }
    if (m.ssrc_attributes.size() >= 256) return "too many a=ssrc";
    m.ssrc_attributes.push_back(std::move(s));
  } else if (name == "ssrc-group") {
    auto w = Words(value);
    if (w.empty()) return "bad a=ssrc-group";
    SsrcGroup g;
    g.semantics = w[0];
    for (size_t i = 1; i < w.size(); ++i) {
      uint32_t ssrc = 0;
      if (!ToInt(w[i], &ssrc)) return "bad a=ssrc-group";
      g.ssrcs.push_back(ssrc);
    }
    if (m.ssrc_groups.size() >= 64) return "too many a=ssrc-group";
    m.ssrc_groups.push_back(std::move(g));
  } else if (name == "rid") {
    auto w = Words(value);
    if (w.size() < 2) return "bad a=rid";
    Rid r{std::string(w[0]), std::string(w[1]), w.size() > 2 ? std::string(w[2]) : std::string()};
    if (m.rids.size() >= 16) return "too many a=rid";
    m.rids.push_back(std::move(r));
  } else if (name == "simulcast") {
    m.simulcast = value;
  } else if (name == "msid") {
    m.msid = value;
  } else if (name == "sctp-port") {
    uint16_t port = 0;
    if (!ToInt(value, &port)) return "bad a=sctp-port";
    m.sctp_port = port;
  } else if (name == "max-message-size") {
    uint32_t size = 0;
    if (!ToInt(value, &size)) return "bad a=max-message-size";
    m.max_message_size = size;
  }
  (void)limits;
  return {};
}

}  // namespace

const Codec* MediaSection::FindCodec(int pt) const {
  for (const Codec& c : codecs)
    if (c.payload_type == pt) return &c;
  return nullptr;
}

int MediaSection::ExtensionId(std::string_view uri) const {
  for (const Extmap& e : extmaps)
    if (e.uri == uri) return e.id;
  return 0;
}

std::vector<uint32_t> MediaSection::Ssrcs() const {
  std::vector<uint32_t> out;
  for (const SsrcAttribute& a : ssrc_attributes) {
    bool seen = false;
    for (uint32_t s : out) seen = seen || s == a.ssrc;
    if (!seen) out.push_back(a.ssrc);
  }
  return out;
}

const std::vector<std::string>* SessionDescription::BundleGroup() const {
  for (const auto& g : groups)
    if (!g.empty() && g[0] == "BUNDLE") return &g;
  return nullptr;
}

ParseResult Parse(std::string_view text, const ParseLimits& limits) {
  ParseResult result;
  auto fail = [&](std::string why, size_t line_no) {
    result.description.reset();
    result.error = "SDP line " + std::to_string(line_no) + ": " + why;
    return result;
  };
  if (text.size() > limits.max_bytes) {
    result.error = "SDP larger than " + std::to_string(limits.max_bytes) + " bytes";
    return result;
  }
  SessionDescription sd;
  // Session-level values that media sections inherit.
  std::string s_ufrag, s_pwd, s_fp_algo, s_fp, s_setup;
  bool seen_version = false;
  size_t line_no = 0;
  MediaSection* m = nullptr;
  for (std::string_view raw : Split(text, '\n')) {
    ++line_no;
    if (line_no > limits.max_lines) return fail("too many lines", line_no);
    const std::string_view line = Trim(raw);
    if (line.empty()) continue;
    if (line.size() > limits.max_line_length) return fail("line too long", line_no);
    if (line.size() < 2 || line[1] != '=') return fail("not a <type>=<value> line", line_no);
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (!seen_version) {
      if (type != 'v' || value != "0") return fail("SDP must start with v=0", line_no);
      seen_version = true;
      continue;
    }
    if (type == 'o') {
      auto w = Words(value);
      if (w.size() < 6) return fail("bad o= line", line_no);
      sd.origin_session_id = w[1];
    } else if (type == 'm') {
      if (sd.media.size() >= limits.max_sections) return fail("too many m= sections", line_no);
      auto w = Words(value);
      if (w.size() < 3) return fail("bad m= line", line_no);
      MediaSection ms;
      ms.kind = w[0];
      auto port = Split(w[1], '/');
      if (!ToInt(port[0], &ms.port)) return fail("bad m= port", line_no);
      ms.proto = w[2];
      if (w.size() - 3 > limits.max_codecs_per_section) return fail("too many formats", line_no);
      for (size_t i = 3; i < w.size(); ++i) ms.formats.emplace_back(w[i]);
      // Formats are payload types only for RTP audio/video ("m=application ... UDP/DTLS/SCTP
      // webrtc-datachannel" and unknown kinds keep them as opaque tokens).
      if (ms.proto.find("RTP") != std::string::npos && (ms.kind == "audio" || ms.kind == "video")) {
        for (const std::string& f : ms.formats) {
          Codec c;
          if (!ToInt(std::string_view(f), &c.payload_type) || c.payload_type < 0 ||
              c.payload_type > 127)
            return fail("bad payload type on m= line", line_no);
          ms.codecs.push_back(std::move(c));
        }
      }
      ms.ice_ufrag = s_ufrag;
      ms.ice_pwd = s_pwd;
      ms.fingerprint_algorithm = s_fp_algo;
      ms.fingerprint = s_fp;
      ms.setup = s_setup;
      sd.media.push_back(std::move(ms));
      m = &sd.media.back();
    } else if (type == 'a') {
      std::string_view name, av;
      SplitAttribute(value, &name, &av);
      if (!m) {
        if (name == "group") {
          std::vector<std::string> g;
          for (auto w : Words(av)) g.emplace_back(w);
          if (sd.groups.size() >= 16) return fail("too many a=group", line_no);
          sd.groups.push_back(std::move(g));
        } else if (name == "ice-lite") {
          sd.ice_lite = true;
        } else if (name == "ice-ufrag") {
          s_ufrag = av;
        } else if (name == "ice-pwd") {
          s_pwd = av;
        } else if (name == "setup") {
          s_setup = av;
        } else if (name == "fingerprint") {
          auto w = Words(av);
          if (w.size() != 2) return fail("bad a=fingerprint", line_no);
          s_fp_algo = w[0];
          s_fp = w[1];
        }
      } else {
        std::string why = ParseMediaAttribute(*m, name, av, limits);
        if (!why.empty()) return fail(why, line_no);
      }
    }
    // Other line types (s, t, c, b, i, u, e, p, k, r, z) carry nothing we use.
  }
  if (!seen_version) {
    result.error = "empty SDP";
    return result;
  }
  for (const MediaSection& ms : sd.media) {
    if (ms.port == 0) continue;  // rejected sections need not describe their formats
    for (const Codec& c : ms.codecs)
      if (c.name.empty() && c.payload_type >= 96)
        return fail("dynamic payload type " + std::to_string(c.payload_type) + " has no a=rtpmap",
                    0);
  }
  result.description = std::move(sd);
  return result;
}

}  // namespace sfu::sdp

#include "signaling/sdp/answer_builder.h"

#include <algorithm>

namespace sfu::sdp {

std::string MirrorDirection(const std::string& d) {
  if (d == "sendonly") return "recvonly";
  if (d == "recvonly") return "sendonly";
  if (d == "inactive") return "inactive";
  return "sendrecv";
}

namespace {

void AppendLine(std::string& out, const std::string& line) {
  out += line;
  out += "\r\n";
}

void AppendTransport(std::string& out, const AnswerParams& p) {
  AppendLine(out, "a=ice-ufrag:" + p.ice_ufrag);
  AppendLine(out, "a=ice-pwd:" + p.ice_pwd);
  AppendLine(out, "a=ice-options:trickle");  // accepted for compatibility; we never trickle
  AppendLine(out, "a=fingerprint:" + p.fingerprint_algorithm + " " + p.fingerprint);
  AppendLine(out, "a=setup:passive");
}

void AppendCandidates(std::string& out, const AnswerParams& p) {
  int foundation = 1;
  for (const Candidate& c : p.candidates) {
    const bool v6 = c.ip.find(':') != std::string::npos;
    // Host candidates only, priority per RFC 8445 §5.1.2.1: type preference 126 for UDP; for
    // TCP 90 (what WebRTC ranks host TCP at) with RFC 6544 §4.2's local preference for a
    // passive host candidate (direction 4 << 13), so any UDP pair wins when both work.
    const uint32_t local_pref = c.tcp ? (4u << 13) | (v6 ? 8191u : 8190u) : (v6 ? 65534u : 65535u);
    const uint32_t type_pref = c.tcp ? 90u : 126u;
    const uint32_t priority = (type_pref << 24) | (local_pref << 8) | 255u;
    AppendLine(out, "a=candidate:" + std::to_string(foundation++) + " 1 " +
                        (c.tcp ? "tcp " : "udp ") + std::to_string(priority) + " " + c.ip + " " +
                        std::to_string(c.port) + " typ host" + (c.tcp ? " tcptype passive" : ""));
  }
  AppendLine(out, "a=end-of-candidates");
}

}  // namespace

std::string BuildAnswer(const SessionDescription& offer, const AnswerParams& p,
                        const std::vector<MediaAnswer>& answers) {
  std::string out;
  AppendLine(out, "v=0");
  AppendLine(out, "o=- " + p.session_id + " 2 IN IP4 127.0.0.1");
  AppendLine(out, "s=-");
  AppendLine(out, "t=0 0");
  std::string bundle = "a=group:BUNDLE";
  for (size_t i = 0; i < offer.media.size(); ++i) {
    if (!answers[i].reject && offer.media[i].port != 0) bundle += " " + offer.media[i].mid;
  }
  AppendLine(out, bundle);
  AppendLine(out, "a=ice-lite");
  AppendLine(out, "a=msid-semantic: WMS *");
  const std::string conn_ip = p.candidates.empty() ? "0.0.0.0" : p.candidates.front().ip;
  const bool conn_v6 = conn_ip.find(':') != std::string::npos;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const MediaSection& m = offer.media[i];
    const MediaAnswer& a = answers[i];
    const bool rejected = a.reject || m.port == 0;
    const uint16_t port = rejected ? 0 : (p.candidates.empty() ? 9 : p.candidates.front().port);
    if (m.kind == "application") {
      AppendLine(out, "m=application " + std::to_string(port) + " " + m.proto + " " +
                          (m.formats.empty() ? "webrtc-datachannel" : m.formats[0]));
      AppendLine(out, std::string("c=IN ") + (conn_v6 ? "IP6 " : "IP4 ") + conn_ip);
      AppendLine(out, "a=mid:" + m.mid);
      if (rejected) continue;
      AppendTransport(out, p);
      AppendCandidates(out, p);
      AppendLine(out, "a=sctp-port:" + std::to_string(m.sctp_port.value_or(5000)));
      AppendLine(out, "a=max-message-size:" + std::to_string(p.max_message_size));
      continue;
    }
    std::vector<const Codec*> codecs;
    if (a.payload_types.empty()) {
      for (const Codec& c : m.codecs) codecs.push_back(&c);
    } else {
      for (int pt : a.payload_types)
        if (const Codec* c = m.FindCodec(pt)) codecs.push_back(c);
    }
    std::string mline = "m=" + m.kind + " " + std::to_string(port) + " " + m.proto;
    if (rejected && !codecs.empty()) codecs.resize(1);  // a rejected section keeps one format
    if (codecs.empty()) {
      mline += " " + (m.formats.empty() ? std::string("0") : m.formats[0]);
    }
    for (const Codec* c : codecs) mline += " " + std::to_string(c->payload_type);
    AppendLine(out, mline);
    AppendLine(out, std::string("c=IN ") + (conn_v6 ? "IP6 " : "IP4 ") + conn_ip);
    AppendLine(out, "a=mid:" + m.mid);
    if (rejected || codecs.empty()) {
      AppendLine(out, "a=inactive");
      for (const Codec* c : codecs) {
        AppendLine(out, "a=rtpmap:" + std::to_string(c->payload_type) + " " + c->name + "/" +
                            std::to_string(c->clock_rate));
      }
      continue;
    }
    AppendTransport(out, p);
    AppendCandidates(out, p);
    AppendLine(out, "a=rtcp-mux");
    if (m.rtcp_rsize) AppendLine(out, "a=rtcp-rsize");
    AppendLine(out, "a=" + (a.direction.empty() ? MirrorDirection(m.direction) : a.direction));
    for (const Extmap& e : m.extmaps) {
      if (p.extension_uris.count(e.uri))
        AppendLine(out, "a=extmap:" + std::to_string(e.id) + " " + e.uri);
    }
    for (const Codec* c : codecs) {
      std::string rtpmap = "a=rtpmap:" + std::to_string(c->payload_type) + " " + c->name + "/" +
                           std::to_string(c->clock_rate);
      if (c->channels > 0) rtpmap += "/" + std::to_string(c->channels);
      AppendLine(out, rtpmap);
      for (const std::string& fb : c->feedback) {
        if (p.feedback.count(fb))
          AppendLine(out, "a=rtcp-fb:" + std::to_string(c->payload_type) + " " + fb);
      }
      if (!c->fmtp.empty())
        AppendLine(out, "a=fmtp:" + std::to_string(c->payload_type) + " " + c->fmtp);
    }
    if (!a.recv_rids.empty()) {
      std::string list;
      for (const std::string& rid : a.recv_rids) {
        AppendLine(out, "a=rid:" + rid + " recv");
        list += (list.empty() ? "" : ";") + rid;
      }
      AppendLine(out, "a=simulcast:recv " + list);
    }
    for (const SendStream& s : a.send_streams) {
      AppendLine(out, "a=msid:" + s.stream_id + " " + s.track_id);
      if (s.rtx_ssrc) {
        AppendLine(out,
                   "a=ssrc-group:FID " + std::to_string(s.ssrc) + " " + std::to_string(s.rtx_ssrc));
      }
      AppendLine(out, "a=ssrc:" + std::to_string(s.ssrc) + " cname:" + s.cname);
      AppendLine(out,
                 "a=ssrc:" + std::to_string(s.ssrc) + " msid:" + s.stream_id + " " + s.track_id);
      if (s.rtx_ssrc) {
        AppendLine(out, "a=ssrc:" + std::to_string(s.rtx_ssrc) + " cname:" + s.cname);
        AppendLine(out, "a=ssrc:" + std::to_string(s.rtx_ssrc) + " msid:" + s.stream_id + " " +
                            s.track_id);
      }
    }
  }
  return out;
}

}  // namespace sfu::sdp

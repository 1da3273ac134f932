#include "loadtest/janus_sdp.h"

#include <strings.h>

#include <algorithm>
#include <cstdlib>

#include "loadtest/audio_offer.h"

namespace sfu::loadtest {

bool ReadPeerTransport(const sdp::SessionDescription& sdp, const std::string& text, bool is_offer,
                       ClientTransportParams* p, bool* needs_candidate, std::string* error) {
  const sdp::MediaSection* first = nullptr;
  for (const sdp::MediaSection& m : sdp.media)
    if (m.port != 0) {
      first = &m;
      break;
    }
  if (!first) {
    *error = "no section in the SDP";
    return false;
  }
  if (first->ice_ufrag.empty() || first->ice_pwd.empty() || first->fingerprint.empty()) {
    *error = "SDP without ICE credentials or fingerprint";
    return false;
  }
  p->server_ufrag = first->ice_ufrag;
  p->server_pwd = first->ice_pwd;
  p->server_fingerprint_algorithm = first->fingerprint_algorithm;
  p->server_fingerprint = first->fingerprint;
  // RFC 5763 §5: the answerer picks active (DTLS client) or passive; an offerer says actpass.
  if (is_offer) {
    p->dtls_role = transport::DtlsSession::Role::kClient;  // we answer a=setup:active
    p->ice_controlling = false;  // the offerer controls (RFC 8445 §6.1.1)
  } else {
    p->dtls_role = first->setup == "active" ? transport::DtlsSession::Role::kServer
                                            : transport::DtlsSession::Role::kClient;
    p->ice_controlling = true;
  }
  *needs_candidate = !ReadAnswerCandidates(text, p);
  return true;
}

std::string AnswerSubscription(const sdp::SessionDescription& offer, const std::string& ufrag,
                               const std::string& pwd, const std::string& fingerprint,
                               const std::string& candidate_ip, uint16_t candidate_port,
                               std::vector<ReceiveSection>* receiving) {
  receiving->clear();
  std::string body;
  std::string bundle = "a=group:BUNDLE";
  bool candidate_written = false;
  for (const sdp::MediaSection& m : offer.media) {
    ReceiveSection r;
    r.mid = m.mid;
    r.kind = m.kind;
    const char* want = m.kind == "audio" ? "opus" : m.kind == "video" ? "VP8" : "";
    for (const sdp::Codec& c : m.codecs) {
      if (r.pt < 0 && !c.name.empty() && strcasecmp(c.name.c_str(), want) == 0)
        r.pt = c.payload_type;
    }
    for (const sdp::Codec& c : m.codecs)
      if (r.pt >= 0 && strcasecmp(c.name.c_str(), "rtx") == 0 &&
          c.fmtp == "apt=" + std::to_string(r.pt))
        r.rtx_pt = c.payload_type;
    const bool accept = m.port != 0 && m.IsRtp() && r.pt >= 0 && m.direction != "recvonly" &&
                        m.direction != "inactive";
    const std::string pts =
        r.pt < 0 ? "0"
                 : std::to_string(r.pt) + (r.rtx_pt >= 0 ? " " + std::to_string(r.rtx_pt) : "");
    if (!accept) {
      // Rejected (RFC 3264 §6): port 0, the offer's proto and a format.
      body += "m=" + m.kind + " 0 " + m.proto + " " + (m.formats.empty() ? "0" : m.formats[0]) +
              "\r\nc=IN IP4 0.0.0.0\r\na=mid:" + m.mid + "\r\na=inactive\r\n";
      continue;
    }
    bundle += " " + m.mid;
    body += "m=" + m.kind + " 9 UDP/TLS/RTP/SAVPF " + pts +
            "\r\nc=IN IP4 0.0.0.0\r\na=mid:" + m.mid + "\r\na=ice-ufrag:" + ufrag +
            "\r\na=ice-pwd:" + pwd + "\r\na=fingerprint:sha-256 " + fingerprint +
            "\r\na=setup:active\r\n";
    if (!candidate_written && candidate_port) {
      body += HostCandidateLines(candidate_ip, candidate_port);
      candidate_written = true;
    }
    body += "a=recvonly\r\na=rtcp-mux\r\n";
    const sdp::Codec* c = m.FindCodec(r.pt);
    if (m.kind == "audio") {
      body += "a=rtpmap:" + std::to_string(r.pt) + " opus/48000/2\r\n";
      if (c && !c->fmtp.empty()) body += "a=fmtp:" + std::to_string(r.pt) + " " + c->fmtp + "\r\n";
    } else {
      const std::string v = std::to_string(r.pt);
      body += "a=rtpmap:" + v + " VP8/90000\r\na=rtcp-fb:" + v + " nack\r\na=rtcp-fb:" + v +
              " nack pli\r\na=rtcp-fb:" + v + " ccm fir\r\na=rtcp-fb:" + v + " goog-remb\r\n";
      if (r.rtx_pt >= 0)
        body += "a=rtpmap:" + std::to_string(r.rtx_pt) +
                " rtx/90000\r\na=fmtp:" + std::to_string(r.rtx_pt) + " apt=" + v + "\r\n";
    }
    // The SSRCs the offer announces for this section: the media one first, its RTX in FID.
    const std::vector<uint32_t> ssrcs = m.Ssrcs();
    if (!ssrcs.empty()) r.ssrc = ssrcs[0];
    for (const sdp::SsrcGroup& g : m.ssrc_groups)
      if (g.semantics == "FID" && g.ssrcs.size() == 2) {
        r.ssrc = g.ssrcs[0];
        r.rtx_ssrc = g.ssrcs[1];
      }
    receiving->push_back(r);
  }
  return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" + bundle +
         "\r\na=msid-semantic: WMS *\r\n" + body;
}

}  // namespace sfu::loadtest

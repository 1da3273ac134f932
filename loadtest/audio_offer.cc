#include "loadtest/audio_offer.h"

namespace sfu::loadtest {

std::string HostCandidateLines(const std::string& ip, uint16_t port) {
  // RFC 8839 §5.1; priority for a host candidate of component 1 (RFC 8445 §5.1.2.1).
  return "a=candidate:1 1 udp 2122260223 " + ip + " " + std::to_string(port) +
         " typ host\r\na=end-of-candidates\r\n";
}

std::string WithHostCandidate(std::string sdp, const std::string& ip, uint16_t port) {
  const size_t setup = sdp.find("a=setup:");
  if (setup == std::string::npos) return sdp;
  const size_t eol = sdp.find("\r\n", setup);
  if (eol == std::string::npos) return sdp;
  sdp.insert(eol + 2, HostCandidateLines(ip, port));
  return sdp;
}

std::string WithCameraMidExtension(std::string sdp) {
  const size_t at = sdp.find("a=mid:1\r\n");
  if (at == std::string::npos) return sdp;
  sdp.insert(at + 9, "a=extmap:" + std::to_string(kOfferMidExtId) +
                         " urn:ietf:params:rtp-hdrext:sdes:mid\r\n");
  return sdp;
}

std::string MakeAudioOffer(const AudioOfferParams& p) {
  const std::string opus = std::to_string(kOfferOpusPt);
  const std::string red = std::to_string(kOfferRedPt);
  std::string s =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic: WMS "
      "s\r\n";
  s += "m=audio 9 UDP/TLS/RTP/SAVPF " + (p.red ? red + " " + opus : opus) + "\r\n";
  s += "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:" + p.ice_ufrag + "\r\na=ice-pwd:" + p.ice_pwd +
       "\r\n";
  s += "a=fingerprint:sha-256 " + p.fingerprint + "\r\na=setup:actpass\r\n";
  s += "a=extmap:" + std::to_string(kOfferAudioLevelExtId) +
       " urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n";
  s += "a=sendrecv\r\na=msid:s a0\r\na=rtcp-mux\r\n";
  if (p.red)
    s += "a=rtpmap:" + red + " red/48000/2\r\na=fmtp:" + red + " " + opus + "/" + opus + "\r\n";
  s += "a=rtpmap:" + opus + " opus/48000/2\r\na=fmtp:" + opus + " minptime=10;useinbandfec=1\r\n";
  s += "a=ssrc:" + std::to_string(p.audio_ssrc) + " cname:loadtest\r\n";
  return s;
}

std::string MakeOffer(const AudioOfferParams& p, const VideoOfferParams& v) {
  std::string s = MakeAudioOffer(p);
  std::string bundle = "a=group:BUNDLE 0";
  const std::string vp8 = std::to_string(kOfferVp8Pt);
  const std::string rtx = std::to_string(kOfferRtxPt);
  auto section = [&](int mid, const std::string& direction, uint32_t ssrc, bool simulcast = false) {
    bundle += " " + std::to_string(mid);
    s += "m=video 9 UDP/TLS/RTP/SAVPF " + vp8 + " " + rtx +
         "\r\nc=IN IP4 0.0.0.0\r\na=mid:" + std::to_string(mid) + "\r\na=ice-ufrag:" + p.ice_ufrag +
         "\r\na=ice-pwd:" + p.ice_pwd + "\r\na=fingerprint:sha-256 " + p.fingerprint +
         "\r\na=setup:actpass\r\na=" + direction + "\r\na=rtcp-mux\r\na=rtpmap:" + vp8 +
         " VP8/90000\r\na=rtcp-fb:" + vp8 + " nack\r\na=rtcp-fb:" + vp8 +
         " nack pli\r\na=rtcp-fb:" + vp8 + " ccm fir\r\na=rtcp-fb:" + vp8 +
         " goog-remb\r\na=rtpmap:" + rtx + " rtx/90000\r\na=fmtp:" + rtx + " apt=" + vp8 + "\r\n";
    if (simulcast) {
      s += "a=extmap:" + std::to_string(kOfferRidExtId) +
           " urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n";
      s += "a=extmap:" + std::to_string(kOfferRepairedRidExtId) +
           " urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n";
      s += "a=rid:low send\r\na=rid:mid send\r\na=rid:hi send\r\na=simulcast:send low;mid;hi\r\n";
    } else if (ssrc) {
      if (v.camera_rtx_ssrc)
        s += "a=ssrc-group:FID " + std::to_string(ssrc) + " " + std::to_string(v.camera_rtx_ssrc) +
             "\r\n";
      s += "a=ssrc:" + std::to_string(ssrc) + " cname:loadtest\r\n";
      if (v.camera_rtx_ssrc)
        s += "a=ssrc:" + std::to_string(v.camera_rtx_ssrc) + " cname:loadtest\r\n";
    }
  };
  section(1, v.camera ? "sendrecv" : "inactive", v.camera ? v.camera_ssrc : 0,
          v.camera && v.simulcast);
  for (int i = 0; i < v.remote_sections; ++i) section(2 + i, "recvonly", 0);
  const size_t at = s.find("a=group:BUNDLE 0");
  if (at != std::string::npos) s.replace(at, std::string("a=group:BUNDLE 0").size(), bundle);
  return s;
}

}  // namespace sfu::loadtest

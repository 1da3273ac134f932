#include "loadtest/audio_offer.h"

namespace sfu::loadtest {

std::string MakeAudioOffer(const AudioOfferParams& p) {
  const std::string opus = std::to_string(kOfferOpusPt);
  const std::string red = std::to_string(kOfferRedPt);
  std::string s =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic: WMS s\r\n";
  s += "m=audio 9 UDP/TLS/RTP/SAVPF " + (p.red ? red + " " + opus : opus) + "\r\n";
  s += "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:" + p.ice_ufrag + "\r\na=ice-pwd:" + p.ice_pwd + "\r\n";
  s += "a=fingerprint:sha-256 " + p.fingerprint + "\r\na=setup:actpass\r\n";
  s += "a=extmap:" + std::to_string(kOfferAudioLevelExtId) + " urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n";
  s += "a=sendrecv\r\na=msid:s a0\r\na=rtcp-mux\r\n";
  if (p.red) s += "a=rtpmap:" + red + " red/48000/2\r\na=fmtp:" + red + " " + opus + "/" + opus + "\r\n";
  s += "a=rtpmap:" + opus + " opus/48000/2\r\na=fmtp:" + opus + " minptime=10;useinbandfec=1\r\n";
  s += "a=ssrc:" + std::to_string(p.audio_ssrc) + " cname:loadtest\r\n";
  return s;
}

}  // namespace sfu::loadtest

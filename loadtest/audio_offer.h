#pragma once
// SDP offers the reference client sends in SUBSCRIBE, shaped like the ones Chrome sends for the
// Chime client: BUNDLE, rtcp-mux, Opus with in-band FEC, RFC 6464 audio levels, optionally RED
// (RFC 2198) on the Opus payload type.
#include <cstdint>
#include <string>

namespace sfu::loadtest {

inline constexpr int kOfferOpusPt = 111;
inline constexpr int kOfferRedPt = 63;
inline constexpr int kOfferAudioLevelExtId = 1;

struct AudioOfferParams {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::string fingerprint;  // sha-256, of our DTLS context
  uint32_t audio_ssrc = 0;
  bool red = false;
};

std::string MakeAudioOffer(const AudioOfferParams& p);

}  // namespace sfu::loadtest

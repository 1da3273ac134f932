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

// "a=candidate:..." and "a=end-of-candidates" lines for one UDP host candidate.
std::string HostCandidateLines(const std::string& ip, uint16_t port);
// The offer with one host candidate in its first section (after its a=setup line), for a
// full-ICE peer that checks us (Janus); our ICE-lite server needs none.
std::string WithHostCandidate(std::string sdp, const std::string& ip, uint16_t port);

std::string MakeAudioOffer(const AudioOfferParams& p);

// With video, like the Chime client: mid 0 audio, mid 1 the camera (sendrecv with its SSRC when
// sending, else inactive), then `remote_sections` recvonly video sections (mids 2, 3, ...). VP8
// payload type kOfferVp8Pt with nack, nack pli, ccm fir, goog-remb, and its RTX kOfferRtxPt.
inline constexpr int kOfferVp8Pt = 96;
inline constexpr int kOfferRtxPt = 97;    // rtx, apt=96 (RFC 4588), on every video section
inline constexpr int kOfferRidExtId = 9;  // urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
inline constexpr int kOfferRepairedRidExtId =
    10;                                   // urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
inline constexpr int kOfferMidExtId = 4;  // urn:ietf:params:rtp-hdrext:sdes:mid
struct VideoOfferParams {
  bool camera = false;
  uint32_t camera_ssrc = 0;  // without simulcast
  int remote_sections = 0;
  bool simulcast = false;        // a=rid low/mid/hi send, a=simulcast, no a=ssrc (like Chrome)
  uint32_t camera_rtx_ssrc = 0;  // without simulcast: a=ssrc-group:FID camera_ssrc camera_rtx_ssrc
};
std::string MakeOffer(const AudioOfferParams& audio, const VideoOfferParams& video);
// The offer with the MID header extension (RFC 8843 §15) on the camera section (mid 1): a peer
// that demultiplexes by it (Janus) finds the section of simulcast packets, whose SSRCs no a=ssrc
// line announces, by the MID, then the layer by the RID.
std::string WithCameraMidExtension(std::string sdp);

}  // namespace sfu::loadtest

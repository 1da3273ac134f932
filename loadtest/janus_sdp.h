#pragma once
// SDP between the reference client and a full-ICE peer that may make the offer (Janus's
// VideoRoom offers each subscription): reading the peer's transport parameters from its SDP
// (candidate, credentials, fingerprint, DTLS role), and answering an offer of media to receive
// the way a browser would (every audio and video section recvonly with the codecs we decode,
// BUNDLE, rtcp-mux, our credentials and one host candidate, a=setup:active: we are the DTLS
// client, the offerer the ICE controlling agent).
// Pure: no I/O.

#include <cstdint>
#include <string>
#include <vector>

#include "loadtest/client_transport.h"
#include "signaling/sdp/session_description.h"

namespace sfu::loadtest {

// The peer's side of the transport from its SDP (offer or answer): its UDP host candidate,
// ufrag, password, fingerprint, and our DTLS role (its a=setup: active or actpass -> we are the
// server when it answered active; an offer's actpass -> we answer active and are the client).
// False with *error when something is missing (a candidate may arrive later by trickle: then
// *needs_candidate is set and the rest filled in).
bool ReadPeerTransport(const sdp::SessionDescription& sdp, const std::string& text, bool is_offer,
                       ClientTransportParams* params, bool* needs_candidate, std::string* error);

// What we receive on a subscription: per section, the payload types and the SSRCs.
struct ReceiveSection {
  std::string mid;
  std::string kind;  // audio, video
  int pt = -1;       // Opus or VP8
  int rtx_pt = -1;   // video: rtx with apt=pt, when offered
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
};

// The answer to a subscription offer, and the sections it receives (only what it can decode:
// Opus audio, VP8 video; anything else, and data channels, are rejected with port 0).
std::string AnswerSubscription(const sdp::SessionDescription& offer, const std::string& ufrag,
                               const std::string& pwd, const std::string& fingerprint,
                               const std::string& candidate_ip, uint16_t candidate_port,
                               std::vector<ReceiveSection>* receiving);

}  // namespace sfu::loadtest

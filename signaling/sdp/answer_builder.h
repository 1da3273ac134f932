#pragma once
// Builds the SDP answer of an ICE-lite, DTLS-passive, BUNDLE + rtcp-mux server (RFC 8829 §5.3)
// for a parsed offer: every offered m-section is answered in order (rejected ones with port 0),
// keeping the offer's payload types, the feedback and header extensions the server understands,
// and announcing the server's own send SSRCs with a=msid.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "signaling/sdp/session_description.h"

namespace sfu::sdp {

struct Candidate {
  std::string ip;
  uint16_t port = 0;
  bool tcp = false;  // an ICE-TCP passive candidate (RFC 6544), ranked below every UDP one
};

struct SendStream {
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;  // 0: none
  std::string cname;
  std::string stream_id;  // a=msid stream
  std::string track_id;   // a=msid track
};

// The server's choice for one offered m-section.
struct MediaAnswer {
  bool reject = false;
  std::string direction;                 // "" = mirror the offer (sendonly <-> recvonly)
  std::vector<int> payload_types;        // kept codecs in this order; empty = all offered
  std::vector<SendStream> send_streams;  // what the server will send on this section
  std::vector<std::string>
      recv_rids;  // simulcast layers accepted: a=rid:<id> recv + a=simulcast:recv
};

struct AnswerParams {
  std::string ice_ufrag;
  std::string ice_pwd;
  std::string fingerprint_algorithm = "sha-256";
  std::string fingerprint;
  std::vector<Candidate> candidates;
  std::set<std::string> extension_uris;  // header extensions the server understands
  std::set<std::string> feedback;        // "nack", "nack pli", "ccm fir", "goog-remb", ...
  uint32_t max_message_size = 262144;    // for m=application
  std::string session_id = "1";
};

// answers.size() must equal offer.media.size(). Returns the answer text (CRLF line ends).
std::string BuildAnswer(const SessionDescription& offer, const AnswerParams& params,
                        const std::vector<MediaAnswer>& answers);

// "sendrecv" -> "sendrecv", "sendonly" -> "recvonly", ... (RFC 8829 §5.3.1)
std::string MirrorDirection(const std::string& offered);

}  // namespace sfu::sdp

#pragma once
// The client side of a WebRTC transport, as a browser runs it: against our ICE-lite server an ICE
// controlling agent (Binding requests with USE-CANDIDATE, then consent checks every 2.5 s) and
// DTLS client; against a full-ICE peer (Janus) it also answers the peer's connectivity checks
// (short-term credentials: our ufrag and password), may be the controlled agent (the peer made
// the offer) and takes the DTLS role the SDP gave it (a=setup: active -> client, passive ->
// server). SRTP/SRTCP, on an io_context. Used by the reference client and load
// tester, and by integration tests (which also use SendRaw() to throw bad input at the server
// from a connected address).
// The datagrams take one of four paths (MediaPath): the answer's UDP host candidate (one UDP
// socket); its ICE-TCP passive candidate (RFC 6544: one TCP connection, RFC 4571 framing); or
// the shard's TURN server over TLS or TCP (RFC 8656: an allocation made with the JOIN_ACK's
// credentials, a permission and a channel for the UDP host candidate, then ChannelData).
// Thread: the io_context's thread only (construct, call and destroy there).

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "transport/dtls/dtls_session.h"
#include "transport/srtp/srtp_session.h"

namespace boost::asio {
class io_context;
}

namespace sfu::loadtest {

enum class MediaPath {
  kUdp,      // the answer's UDP host candidate
  kIceTcp,   // the answer's ICE-TCP passive candidate (RFC 6544, RFC 4571 framing)
  kTurnTls,  // relayed by the shard's TURN server over TLS (a turns: URI)
  kTurnTcp,  // relayed by the shard's TURN server over plain TCP (a turn: URI)
};
// "udp", "tcp", "turn-tls", "turn-tcp" (the load tester's --media-path).
const char* MediaPathName(MediaPath path);
std::optional<MediaPath> ParseMediaPath(std::string_view name);
inline bool IsTurn(MediaPath p) { return p == MediaPath::kTurnTls || p == MediaPath::kTurnTcp; }

// A TURN server and the credentials for it (JOIN_ACK.turn_credentials).
struct TurnServerParams {
  std::string host;  // an IP address
  uint16_t port = 0;
  std::string username;
  std::string password;
};

struct ClientTransportParams {
  std::string server_ip = "127.0.0.1";  // IPv4 unless this is an IPv6 address at construction
  uint16_t server_port = 0;             // the UDP host candidate (with TURN: the peer relayed to)
  uint16_t server_tcp_port = 0;         // the ICE-TCP passive candidate, on server_ip (kIceTcp)
  MediaPath path = MediaPath::kUdp;
  TurnServerParams turn;  // kTurnTls, kTurnTcp
  std::string server_ufrag;
  std::string server_pwd;
  std::string server_fingerprint_algorithm = "sha-256";
  std::string server_fingerprint;
  std::string local_ufrag;  // ours, as put in our offer
  std::string local_pwd;
  // DTLS client (we offered actpass and the answer said passive, or we answer with active) or
  // server (the answer said active).
  transport::DtlsSession::Role dtls_role = transport::DtlsSession::Role::kClient;
  // ICE controlling (we made the offer; USE-CANDIDATE on our checks) or controlled (the peer
  // made it and nominates).
  bool ice_controlling = true;
};

class ClientTransport {
 public:
  struct Callbacks {
    std::function<void()> on_connected;                     // DTLS done, SRTP ready
    std::function<void(std::span<const uint8_t>)> on_rtp;   // decrypted
    std::function<void(std::span<const uint8_t>)> on_rtcp;  // decrypted
    std::function<void(const std::string&)> on_failed;
    // Data channel (when EnableDataChannel() was called): open, and each message received.
    std::function<void()> on_data_channel_open;
    std::function<void(std::span<const uint8_t>)> on_data_channel_message;
    // Transport events for --trace (loadtest/trace.h): ice_connected, dtls_connected, and the
    // first RTP packet of each SSRC each way. Unset: nothing is recorded.
    std::function<void(boost::json::object event)> on_trace;
  };

  // dtls: a client-side context (its fingerprint goes in our offer). Borrowed.
  ClientTransport(boost::asio::io_context& ioc, const transport::DtlsContext& dtls,
                  ClientTransportParams params, Callbacks callbacks);
  ~ClientTransport();

  void Start();
  // Start() with the peer's parameters, known only now: the transport was made (and its UDP
  // socket bound, local_port()) before the SDP exchange so our offer or answer can carry a host
  // candidate, which a full-ICE peer checks.
  void Start(ClientTransportParams params);
  // Before Start(): run SCTP over DTLS and open one data channel (stream 0, label `label`) once
  // DTLS is up, as a browser's createDataChannel does.
  void EnableDataChannel(const std::string& label);
  // User-space impairment (the kernel has no netem): a datagram for which `drop` returns true is
  // discarded before decryption, as if lost on the way (the RTP header is readable: it is not
  // encrypted). Call on the io_context's thread.
  void SetIncomingFilter(std::function<bool(std::span<const uint8_t> datagram)> drop);
  // Sends a binary message on the data channel. False if it is not open.
  bool SendDataChannel(std::span<const uint8_t> message);
  bool connected() const;
  // Protects a copy and sends it. False if not connected.
  bool SendRtp(std::span<const uint8_t> rtp);
  bool SendRtcp(std::span<const uint8_t> rtcp);
  // Sends bytes as they are (tests: garbage, replays, forged packets).
  void SendRaw(std::span<const uint8_t> datagram);
  // Protects without sending (tests: capture a valid SRTP packet to replay it).
  std::vector<uint8_t> ProtectRtp(std::span<const uint8_t> rtp);
  // The local port of the UDP socket, or of the TCP connection.
  uint16_t local_port() const;
  uint64_t stun_responses() const;
  uint64_t stun_requests_answered() const;  // the peer's connectivity checks we answered
  std::string dtls_version() const;
  transport::SrtpProfile srtp_profile() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// From an SDP answer: server_ip and server_port from its first UDP host candidate, and
// server_tcp_port from its first ICE-TCP passive candidate on the same address (0 if none).
// False without a UDP candidate.
bool ReadAnswerCandidates(const std::string& sdp_answer, ClientTransportParams* params);

// The URI among JOIN_ACK's TURN URIs for a path ("turns:HOST:PORT?transport=tcp" for kTurnTls,
// "turn:HOST:PORT?transport=tcp" for kTurnTcp; HOST an IP address, IPv6 in brackets): its host
// and port into *out. False when none fits.
bool PickTurnUri(const std::vector<std::string>& uris, MediaPath path, TurnServerParams* out);

}  // namespace sfu::loadtest

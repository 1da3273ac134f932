#pragma once
// The transport layer's counters for one shard (UdpEndpoint, EndpointDemuxer, WebRtcTransport).
// Single writer (the shard's thread), relaxed atomics (base/counters.h); the shard's stats
// (sfu/shard_stats.h) extend this struct and sfu/shard_metrics.cc renders it.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "base/counters.h"

namespace sfu::transport {

enum class DropReason : uint8_t {
  kNoTransport = 0,   // datagram from an address no transport owns
  kMalformed,         // failed to parse (unknown first byte, bad STUN, bad RTP/RTCP)
  kTooLarge,          // larger than a packet slot
  kUnknownUfrag,      // STUN check for a ufrag no transport has
  kBadCredentials,    // STUN check with wrong username or MESSAGE-INTEGRITY (answered 401)
  kNotConnected,      // SRTP/SRTCP before DTLS finished
  kSrtpError,         // unprotect failed (see srtp_errors by reason)
  kSendFailed,        // sendmmsg refused (EAGAIN: dropped, counted)
  kAddressTaken,      // a valid check from an address another live transport owns (not moved)
  kHandshakeBacklog,  // DTLS handshake datagram past the pacer's queue (the peer retransmits)
  kCount
};
std::string_view DropReasonName(DropReason r);

// One kind of stream link (ICE-TCP connections, TURN client connections): transport/route.h.
struct StreamStats {
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> refused{0};         // over the total or per-address connection cap
  std::atomic<uint64_t> closed_framing{0};  // the peer's framing lied (zero or oversize length)
  std::atomic<uint64_t> closed_idle{0};     // never authenticated in time
  std::atomic<int64_t> open{0};             // connections open now
  std::atomic<uint64_t> datagrams_in{0};
  std::atomic<uint64_t> datagrams_out{0};
  std::atomic<uint64_t> send_dropped{0};  // datagrams dropped: the peer reads too slowly
};

// The embedded TURN server (transport/turn/): requests refused and why, relayed datagrams.
struct TurnStats {
  std::atomic<uint64_t> allocations{0};            // allocations made
  std::atomic<uint64_t> auth_failures{0};          // bad or expired credentials (401/441)
  std::atomic<uint64_t> peers_refused{0};          // a peer other than our own media address (403)
  std::atomic<uint64_t> bad_requests{0};           // malformed or out-of-place requests (4xx)
  std::atomic<uint64_t> relayed_to_peer{0};        // datagrams client -> our media port
  std::atomic<uint64_t> relayed_to_client{0};      // datagrams our media port -> client
  std::atomic<uint64_t> dropped_no_permission{0};  // Send/ChannelData/relay without permission
};

struct TransportStats {
  void Add(std::atomic<uint64_t>& c, uint64_t n = 1) { base::Bump(c, n); }
  void Drop(DropReason r) { Add(drops[static_cast<size_t>(r)]); }

  std::atomic<uint64_t> packets_in{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> packets_out{0};
  std::atomic<uint64_t> bytes_out{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(DropReason::kCount)> drops{};
  std::atomic<uint64_t> ice_checks{0};
  std::atomic<uint64_t> ice_consent_expiries{0};
  std::atomic<uint64_t> dtls_handshakes_ok{0};
  std::atomic<uint64_t> dtls_handshakes_failed{0};
  std::atomic<uint64_t> dtls_deferred{0};  // handshake datagrams the pacer held for a later tick
  std::array<std::atomic<uint64_t>, 6> srtp_errors{};  // indexed like transport::SrtpResult
  std::atomic<uint64_t> rtp_packets_in{0};
  std::atomic<uint64_t> rtcp_packets_in{0};
  std::atomic<uint64_t> sctp_messages_in{0};
  std::atomic<uint64_t> sctp_messages_out{0};
  std::atomic<uint64_t> send_batches{0};  // sendmmsg calls
  std::atomic<uint64_t> recv_batches{0};  // recvmmsg calls that returned data
  StreamStats ice_tcp;
  StreamStats turn_connections;
  TurnStats turn;
};

}  // namespace sfu::transport

#pragma once
// Finds the transport a datagram belongs to (docs/DESIGN.md, "Media transport"): a STUN check
// by the local ufrag in its USERNAME; everything else by the remote address a valid check came
// from, or by the stream link (ICE-TCP, relayed TURN; transport/route.h) it came on. DTLS of
// transports still handshaking is paced (transport/handshake_pacer.h). Classifies with
// wire::Classify (RFC 7983, RFC 5761) and counts what it drops. Also the shard's
// UdpEndpoint::Receiver. Thread: the shard's thread only. Transports are borrowed: Remove() before
// destroying one.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "transport/handshake_pacer.h"
#include "transport/route.h"
#include "transport/transport_stats.h"
#include "transport/udp/udp_endpoint.h"

namespace sfu::transport {

class WebRtcTransport;

class EndpointDemuxer final : public UdpEndpoint::Receiver {
 public:
  explicit EndpointDemuxer(TransportStats& stats, HandshakePacing pacing = {},
                           HandshakePacer::Clock clock = {})
      : stats_(stats), pacer_(pacing, std::move(clock)) {}

  void Add(const std::string& local_ufrag, WebRtcTransport* transport);
  void Remove(WebRtcTransport* transport);
  size_t size() const { return by_ufrag_.size(); }

  void OnDatagram(const PeerAddress& from, uint8_t* data, size_t len, size_t capacity) override;
  // Datagrams from this remote address on the UDP socket go to `sink` whatever they are (a
  // cascade link between two nodes, sfu/cascade_*.h: SRTP with keys agreed through Redis, no
  // ICE). Borrowed: RemovePeer before it goes away.
  void AddPeer(const PeerAddress& from, UdpEndpoint::Receiver* sink) { peers_[from] = sink; }
  void RemovePeer(const PeerAddress& from, const UdpEndpoint::Receiver* sink) {
    auto it = peers_.find(from);
    if (it != peers_.end() && it->second == sink) peers_.erase(it);
  }
  // A datagram that arrived on a stream link (from: the link's remote address). Same contract.
  void OnLinkDatagram(StreamLink* link, const PeerAddress& from, uint8_t* data, size_t len,
                      size_t capacity);
  // True once a valid ICE check on the link bound it to a transport.
  bool IsBound(const StreamLink* link) const {
    return by_link_.contains(const_cast<StreamLink*>(link));
  }
  // The link is going away (its stream closed): forgets it everywhere.
  void OnLinkClosed(StreamLink* link);
  // A link with datagrams queued asks to be flushed once: after the UDP receive batch, the
  // stream read or the tick that queued them (FlushLinks), so sends to links batch like UDP's.
  void WantFlush(StreamLink* link) { flush_.push_back(link); }
  void FlushLinks();
  void OnBatchEnd() override { FlushLinks(); }
  // Once per shard tick, after the tick's own work: runs DTLS handshake datagrams the pacer held
  // back (transport/handshake_pacer.h).
  void OnTick();
  size_t handshakes_waiting() const { return pacer_.deferred(); }
  // Other handshake work on this shard (TLS of TURN connections) shares the DTLS budget: runs
  // `run(owner, {}, bytes)` now or after a later tick, in order. False: the queue was full
  // (counted as handshake_backlog). ForgetHandshakes(owner) before owner goes away.
  bool PaceHandshake(void* owner, std::span<const uint8_t> bytes, const HandshakePacer::Run& run);
  void ForgetHandshakes(const void* owner) { pacer_.Forget(owner); }

 private:
  TransportStats& stats_;
  HandshakePacer pacer_;
  std::unordered_map<std::string, WebRtcTransport*> by_ufrag_;
  void Dispatch(const Route& from, uint8_t* data, size_t len, size_t capacity);

  std::unordered_map<PeerAddress, WebRtcTransport*, PeerAddressHash> by_address_;
  std::unordered_map<StreamLink*, WebRtcTransport*> by_link_;
  std::unordered_map<PeerAddress, UdpEndpoint::Receiver*, PeerAddressHash> peers_;
  std::vector<StreamLink*> flush_;
};

}  // namespace sfu::transport

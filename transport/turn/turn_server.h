#pragma once
// The embedded TURN server of one shard (RFC 8656 over TCP and TLS; docs/DESIGN.md, "Media over
// TCP and TLS"): one listening port takes both (a connection whose first byte is a TLS
// handshake record, 0x16, speaks TLS; one starting with a STUN message speaks plain TCP). Each
// connection holds one TurnSession; the allocation is a StreamLink of the shard's demuxer, so a
// relayed client's ICE checks, DTLS, SRTP and SCTP reach its transport in process, from the
// allocation's (virtual) relayed address, without a second socket hop. Connection caps, the
// bounded send buffer and the authentication timeout are StreamServer's.
// Thread: the shard's thread only.

#include <cstdint>
#include <memory>
#include <string>

#include "transport/tcp/stream_server.h"
#include "transport/turn/turn_session.h"

namespace sfu::transport {

class EndpointDemuxer;
class TlsServerContext;

class TurnServer {
 public:
  // tls: null to refuse TLS connections. policy: its peers are this shard's media addresses.
  TurnServer(boost::asio::io_context& ioc, EndpointDemuxer& demuxer, UdpEndpoint& udp,
             TransportStats& stats, const TlsServerContext* tls, TurnPolicy policy,
             StreamLimits limits = {});
  ~TurnServer();

  bool Bind(const std::string& ip, uint16_t port, std::string* error) {
    return server_->Bind(ip, port, error);
  }
  uint16_t port() const { return server_->port(); }
  void Start() { server_->Start(); }
  void Close() { server_->Close(); }
  void OnTick(int64_t now_ms) { server_->OnTick(now_ms); }
  size_t connections() const { return server_->connections(); }

  struct Shared;  // public so the connections in the .cc can name it; defined there only

 private:
  std::unique_ptr<Shared> shared_;
  std::unique_ptr<StreamServer> server_;
};

}  // namespace sfu::transport

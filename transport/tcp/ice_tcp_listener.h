#pragma once
// ICE-TCP, passive side (RFC 6544), with RFC 4571 framing: the shard's TCP listener on its media
// port number (docs/DESIGN.md, "Media over TCP and TLS"). Each accepted connection is a
// StreamLink: its frames go to the shard's EndpointDemuxer, which binds the connection to a
// transport on its first valid ICE check (by ufrag, like a UDP check); from then on DTLS, SRTP
// and SCTP run over it unchanged. Connection caps, the bounded send buffer and the idle timeout
// are StreamServer's (transport/tcp/stream_server.h); a framing lie (zero length, or longer than
// a datagram slot) closes the connection.
// Thread: the shard's thread only.

#include <cstdint>
#include <string>

#include "transport/tcp/stream_server.h"

namespace sfu::transport {

class EndpointDemuxer;
class UdpEndpoint;

class IceTcpListener {
 public:
  // udp: flushed after each read, so what a TCP packet caused to be sent on UDP leaves at once
  // (as after a UDP receive batch).
  IceTcpListener(boost::asio::io_context& ioc, EndpointDemuxer& demuxer, UdpEndpoint& udp,
                 StreamStats& stats, StreamLimits limits = {});

  bool Bind(const std::string& ip, uint16_t port, std::string* error) {
    return server_.Bind(ip, port, error);
  }
  uint16_t port() const { return server_.port(); }
  void Start() { server_.Start(); }
  void Close() { server_.Close(); }
  void OnTick(int64_t now_ms) { server_.OnTick(now_ms); }
  size_t connections() const { return server_.connections(); }

 private:
  StreamServer server_;
};

}  // namespace sfu::transport

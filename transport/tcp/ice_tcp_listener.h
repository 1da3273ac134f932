#pragma once
// ICE-TCP, passive side (RFC 6544), with RFC 4571 framing: the shard's TCP listener on its media
// port (docs/DESIGN.md, "Media over TCP and TLS"). Each accepted connection is a StreamLink: its
// frames go to the shard's EndpointDemuxer, which binds the connection to a transport on its
// first valid ICE check (by ufrag, like a UDP check); from then on DTLS, SRTP and SCTP run over it
// unchanged. Limits: connections per shard and per remote address (refused past them, counted),
// a connection that sends no valid check within unbound_timeout_ms is closed, a framing lie (zero
// or oversize length) closes the connection, and each connection queues at most
// send_buffer_bytes for a slow reader: past that, datagrams are dropped and counted, the shard
// never blocks and memory never grows.
// Thread: the shard's thread only.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "transport/transport_stats.h"

namespace boost::asio {
class io_context;
}

namespace sfu::transport {

class EndpointDemuxer;
class UdpEndpoint;

class IceTcpListener {
 public:
  struct Limits {
    size_t max_connections = 4096;
    size_t max_per_address = 64;  // 0: none
    size_t send_buffer_bytes = 256 * 1024;
    int64_t unbound_timeout_ms = 10'000;
  };

  // udp: flushed after each read, so datagrams a TCP packet caused to be sent on UDP leave at
  // once (as after a UDP receive batch).
  IceTcpListener(boost::asio::io_context& ioc, EndpointDemuxer& demuxer, UdpEndpoint& udp,
                 StreamStats& stats, Limits limits);
  ~IceTcpListener();
  IceTcpListener(const IceTcpListener&) = delete;
  IceTcpListener& operator=(const IceTcpListener&) = delete;

  bool Bind(const std::string& ip, uint16_t port, std::string* error);
  uint16_t port() const;
  void Start();
  // Closes the acceptor and every connection.
  void Close();
  // Closes connections that sent no valid check in time. Once per shard tick.
  void OnTick(int64_t now_ms);
  size_t connections() const;

  struct Impl;  // public so the connections in the .cc can name it; defined there only

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sfu::transport

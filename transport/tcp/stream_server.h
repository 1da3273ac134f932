#pragma once
// A TCP server for media streams on a shard (docs/DESIGN.md, "Media over TCP and TLS"): accepts
// connections within caps (per shard and per remote address; refused past them, counted), reads
// into a bounded buffer that the connection's subclass consumes (ICE-TCP's RFC 4571 frames,
// transport/tcp/ice_tcp_listener.h; TURN over TCP/TLS, transport/turn/turn_server.h), writes
// from a bounded send buffer (past it the subclass drops: a slow reader never grows memory and
// never blocks the shard), and closes connections that do not authenticate in time.
// A connection is destroyed only from a posted task, so no caller (the demuxer, a flush, its own
// handler) ever holds a freed one; pending handlers hold a shared_ptr and see closing().
// Thread: the shard's thread only. Asio stays in the .cc.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "transport/transport_stats.h"
#include "transport/udp/udp_endpoint.h"
#include "transport/wire/stream_framing.h"

namespace boost::asio {
class io_context;
}

namespace sfu::transport {

struct StreamLimits {
  size_t max_connections = 4096;
  size_t max_per_address = 64;  // 0: none
  size_t send_buffer_bytes = 256 * 1024;
  size_t read_buffer_bytes = 8 * 1024;  // the largest message a subclass waits for, at least
  int64_t unbound_timeout_ms = 10'000;  // closed if not Authenticated() by then
};

class StreamServer;

class StreamConnection : public std::enable_shared_from_this<StreamConnection> {
 public:
  StreamConnection(StreamServer& server, const PeerAddress& remote);
  virtual ~StreamConnection();
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  const PeerAddress& remote() const { return remote_; }
  bool closing() const { return closing_; }
  int64_t accepted_ms() const { return accepted_ms_; }

  // Appends a then b to the send buffer. False, with nothing appended, when that would pass the
  // bound (the caller counts the drop) or the connection is closing. force: past the bound too
  // (TLS records already made, which the stream cannot lose; check Room() before making them).
  bool Queue(std::span<const uint8_t> a, std::span<const uint8_t> b = {}, bool force = false);
  bool Room(size_t bytes) const;
  size_t queued() const;
  // Writes what is queued, without blocking; the rest when the socket can take it.
  void Write();
  // Starts closing: OnClose() and the socket's close run from a fresh stack frame.
  void Shutdown();

 protected:
  // The bytes read and not yet consumed: consume what makes whole messages, return how many
  // bytes that was (the rest stays for the next read). May call Shutdown().
  virtual size_t OnBytes(std::span<const uint8_t> bytes) = 0;
  // After each read's bytes were consumed: flush what they caused.
  virtual void AfterRead() {}
  // The idle timeout spares a connection once this is true.
  virtual bool Authenticated() const = 0;
  // Once, when the connection closes (before its socket does).
  virtual void OnClose() {}

  // For OnBytes: the whole frames at the front of bytes, as next (transport/wire/stream_framing.h)
  // finds them up to max_frame bytes, each copied into slot and handed to
  // on_frame(uint8_t* data, size_t size, size_t capacity): the transport may protect a datagram
  // in place, so it gets a buffer with room, not the read buffer. An invalid frame closes the
  // connection (counted as closed_framing); so may on_frame. Returns the bytes consumed.
  template <class OnFrame>
  size_t ConsumeFrames(std::span<const uint8_t> bytes,
                       wire::FrameDecision (*next)(std::span<const uint8_t>, size_t),
                       size_t max_frame, std::span<uint8_t> slot, OnFrame&& on_frame) {
    size_t at = 0;
    while (!closing()) {
      const auto d = next(bytes.subspan(at), max_frame);
      if (d.kind == wire::FrameDecision::kNeedMore) break;
      if (d.kind == wire::FrameDecision::kInvalid) {
        base::Bump(stats_.closed_framing);
        Shutdown();
        break;
      }
      std::memcpy(slot.data(), bytes.data() + at + d.header, d.size);
      at += d.header + d.size;
      on_frame(slot.data(), d.size, slot.size());
    }
    return at;
  }

  StreamServer& server_;
  StreamStats& stats_;

 private:
  friend class StreamServer;
  struct Io;
  void Read();

  std::unique_ptr<Io> io_;
  PeerAddress remote_;
  int64_t accepted_ms_;
  bool closing_ = false;
  bool write_armed_ = false;
};

class StreamServer {
 public:
  // Makes the connection object for an accepted socket (the server gives it the socket).
  using Factory =
      std::function<std::shared_ptr<StreamConnection>(StreamServer&, const PeerAddress& remote)>;

  StreamServer(boost::asio::io_context& ioc, StreamStats& stats, StreamLimits limits,
               Factory factory);
  ~StreamServer();
  StreamServer(const StreamServer&) = delete;
  StreamServer& operator=(const StreamServer&) = delete;

  bool Bind(const std::string& ip, uint16_t port, std::string* error);
  uint16_t port() const;
  void Start();
  // Closes the acceptor and every connection.
  void Close();
  // Closes connections not authenticated within the limit. Once per shard tick.
  void OnTick(int64_t now_ms);
  size_t connections() const;

  boost::asio::io_context& ioc() { return ioc_; }
  StreamStats& stats() { return stats_; }
  const StreamLimits& limits() const { return limits_; }

  struct Impl;  // public so connections in the .cc can name it; defined there only

 private:
  friend class StreamConnection;
  boost::asio::io_context& ioc_;
  StreamStats& stats_;
  StreamLimits limits_;
  std::shared_ptr<Impl> impl_;
};

int64_t SteadyNowMs();

}  // namespace sfu::transport

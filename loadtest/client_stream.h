#pragma once
// A client's byte stream to the server, for media over TCP (ICE-TCP, TURN over TCP or TLS): one
// TCP connection on an io_context, optionally TLS (an OpenSSL client over memory BIOs, so reads
// and writes stay Asio's). Bytes to send are queued and written in order, one write in flight;
// bytes read (decrypted, with TLS) go to on_bytes as they come - the caller frames them.
//
// TLS: the server's certificate is NOT verified (SSL_VERIFY_NONE). This is the load tester and
// test client, pointed at a server it was given (on loopback, usually with the server's
// self-signed certificate); the TURN credentials authenticate us to the server, but nothing
// here authenticates the server to us. Do not copy this into a client that needs to.
// Thread: the io_context's only (construct, call and destroy there).

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sfu::loadtest {

class ClientStream {
 public:
  struct Callbacks {
    std::function<void()> on_open;  // connected (and with TLS, the handshake done)
    std::function<void(std::span<const uint8_t>)> on_bytes;
    // Once: connect, TLS, closed, reset. Always from a posted task (never inside Connect() or
    // Send()), so the owner may destroy the stream in it.
    std::function<void(const std::string&)> on_error;
  };
  // Bytes queued and not yet written, at most; past it Send() drops (a server that stopped
  // reading).
  static constexpr size_t kMaxQueued = 1 << 20;

  ClientStream(boost::asio::io_context& ioc, Callbacks callbacks);
  // No callback runs after destruction (handlers still queued see the stream closed).
  ~ClientStream();
  ClientStream(const ClientStream&) = delete;
  ClientStream& operator=(const ClientStream&) = delete;

  void Connect(const std::string& ip, uint16_t port, bool tls);
  // Queues a then b (plaintext) for sending; before on_open they wait. False when dropped (the
  // queue is full) or the stream failed.
  bool Send(std::span<const uint8_t> a, std::span<const uint8_t> b = {});
  bool open() const;
  uint16_t local_port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sfu::loadtest

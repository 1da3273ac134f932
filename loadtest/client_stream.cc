#include "loadtest/client_stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <vector>

namespace sfu::loadtest {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// One client context for the process (SSL_CTX is safe to share between threads for SSL_new).
// No verification: see the header.
SSL_CTX* ClientTlsContext() {
  static SSL_CTX* const ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    if (c) SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    return c;
  }();
  return ctx;
}

}  // namespace

struct ClientStream::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& ioc, Callbacks cb) : socket(ioc), callbacks(std::move(cb)) {}
  ~Impl() {
    if (ssl) SSL_free(ssl);
  }

  // Stops all I/O at once; on_error runs from a posted task, never inside Connect() or Send()
  // (the owner may destroy the stream, and itself, in on_error).
  void Fail(const std::string& why) {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    socket.close(ignored);
    asio::post(socket.get_executor(), [self = shared_from_this(), why] {
      if (!self->owner_gone && self->callbacks.on_error) self->callbacks.on_error(why);
    });
  }

  void Connect(const std::string& ip, uint16_t port, bool use_tls) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(ip, ec);
    if (ec) return Fail("bad address " + ip);
    if (use_tls) {
      SSL_CTX* ctx = ClientTlsContext();
      ssl = ctx ? SSL_new(ctx) : nullptr;
      if (!ssl) return Fail("TLS: cannot make a client");
      in = BIO_new(BIO_s_mem());
      out = BIO_new(BIO_s_mem());
      BIO_set_mem_eof_return(in, -1);  // empty input: "retry", not EOF
      SSL_set_bio(ssl, in, out);       // ssl owns both
      SSL_set_connect_state(ssl);
    }
    socket.async_connect(tcp::endpoint(address, port), [self = shared_from_this()](
                                                           const boost::system::error_code& e) {
      if (self->closed) return;
      if (e) return self->Fail("connect: " + e.message());
      const int one = 1;
      setsockopt(self->socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      self->connected = true;
      self->Read();
      if (self->ssl) {
        self->Handshake();
      } else {
        self->Opened();
      }
    });
  }

  void Opened() {
    established = true;
    if (ssl && !early.empty()) {  // what the caller sent during the handshake
      std::vector<uint8_t> e;
      e.swap(early);
      Encrypt(e);
    }
    Write();
    if (!closed && callbacks.on_open) callbacks.on_open();
  }

  // TLS: runs the handshake on what arrived; its records go out.
  void Handshake() {
    const int r = SSL_do_handshake(ssl);
    DrainTls();
    if (r == 1) return Opened();
    const int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      char buf[256] = "TLS handshake failed";
      if (const unsigned long code = ERR_get_error()) ERR_error_string_n(code, buf, sizeof(buf));
      ERR_clear_error();
      return Fail(buf);
    }
    Write();
  }

  // TLS records made by OpenSSL go to the send queue.
  void DrainTls() {
    uint8_t buf[4096];
    for (;;) {
      const int n = BIO_read(out, buf, sizeof(buf));
      if (n <= 0) break;
      pending.insert(pending.end(), buf, buf + n);
    }
  }

  void Encrypt(std::span<const uint8_t> plain) {
    if (plain.empty()) return;
    if (SSL_write(ssl, plain.data(), static_cast<int>(plain.size())) <= 0) {
      ERR_clear_error();
      return Fail("TLS: SSL_write failed");
    }
    DrainTls();
  }

  bool Send(std::span<const uint8_t> a, std::span<const uint8_t> b) {
    if (closed) return false;
    if (pending.size() + early.size() + a.size() + b.size() > kMaxQueued) return false;
    if (ssl) {
      if (!established) {
        early.insert(early.end(), a.begin(), a.end());
        early.insert(early.end(), b.begin(), b.end());
        return true;
      }
      if (b.empty()) {
        Encrypt(a);
      } else {  // one record for both
        std::vector<uint8_t> joined(a.begin(), a.end());
        joined.insert(joined.end(), b.begin(), b.end());
        Encrypt(joined);
      }
    } else {
      pending.insert(pending.end(), a.begin(), a.end());
      pending.insert(pending.end(), b.begin(), b.end());
    }
    Write();
    return !closed;
  }

  void Write() {
    if (closed || !connected || writing || pending.empty()) return;
    writing = true;
    inflight.swap(pending);
    asio::async_write(socket, asio::buffer(inflight),
                      [self = shared_from_this()](const boost::system::error_code& e, size_t) {
                        self->writing = false;
                        if (self->closed) return;
                        if (e) return self->Fail("write: " + e.message());
                        self->inflight.clear();
                        self->Write();
                      });
  }

  void Read() {
    socket.async_read_some(asio::buffer(rx), [self = shared_from_this()](
                                                 const boost::system::error_code& e, size_t n) {
      if (self->closed) return;
      if (e) return self->Fail(e == asio::error::eof ? "closed by the server" : e.message());
      self->OnRead(n);
      if (!self->closed) self->Read();
    });
  }

  void OnRead(size_t n) {
    if (!ssl) {
      if (callbacks.on_bytes) callbacks.on_bytes(std::span<const uint8_t>(rx.data(), n));
      return;
    }
    if (BIO_write(in, rx.data(), static_cast<int>(n)) != static_cast<int>(n))
      return Fail("TLS: BIO_write failed");
    if (!established) {
      Handshake();
      if (closed || !established) return;
    }
    for (;;) {
      const int got = SSL_read(ssl, plain.data(), static_cast<int>(plain.size()));
      if (got > 0) {
        if (callbacks.on_bytes)
          callbacks.on_bytes(std::span<const uint8_t>(plain.data(), static_cast<size_t>(got)));
        if (closed) return;
        continue;
      }
      const int e = SSL_get_error(ssl, got);
      DrainTls();  // alerts, key updates
      Write();
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
      ERR_clear_error();
      return Fail(e == SSL_ERROR_ZERO_RETURN ? "TLS closed by the server" : "TLS error");
    }
  }

  tcp::socket socket;
  Callbacks callbacks;
  SSL* ssl = nullptr;
  BIO* in = nullptr;   // owned by ssl
  BIO* out = nullptr;  // owned by ssl
  bool connected = false;
  bool established = false;
  bool closed = false;      // no more I/O: failed, or the owner is gone
  bool owner_gone = false;  // the ClientStream was destroyed: no callback at all
  bool writing = false;
  std::vector<uint8_t> early;     // plaintext sent before the TLS handshake finished
  std::vector<uint8_t> pending;   // bytes (ciphertext with TLS) waiting for the write in flight
  std::vector<uint8_t> inflight;  // bytes of the write in flight
  std::array<uint8_t, 16384> rx{};
  std::array<uint8_t, 16384> plain{};
};

ClientStream::ClientStream(asio::io_context& ioc, Callbacks callbacks)
    : impl_(std::make_shared<Impl>(ioc, std::move(callbacks))) {}

ClientStream::~ClientStream() {
  impl_->closed = true;
  impl_->owner_gone = true;  // handlers still queued see both and return
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

void ClientStream::Connect(const std::string& ip, uint16_t port, bool tls) {
  impl_->Connect(ip, port, tls);
}
bool ClientStream::Send(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return impl_->Send(a, b);
}
bool ClientStream::open() const { return impl_->established && !impl_->closed; }
uint16_t ClientStream::local_port() const {
  boost::system::error_code ec;
  return impl_->socket.local_endpoint(ec).port();
}

}  // namespace sfu::loadtest

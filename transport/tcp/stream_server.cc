#include "transport/tcp/stream_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace sfu::transport {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

PeerAddress FromEndpoint(const tcp::endpoint& ep) {
  PeerAddress a;
  auto ip = ep.address();
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
  }
  if (ip.is_v4()) {
    a.family = 4;
    const auto b = ip.to_v4().to_bytes();
    std::memcpy(a.ip.data(), b.data(), 4);
  } else {
    a.family = 6;
    const auto b = ip.to_v6().to_bytes();
    std::memcpy(a.ip.data(), b.data(), 16);
  }
  a.port = ep.port();
  return a;
}

// The per-address cap's key: the address without the port.
PeerAddress HostOf(PeerAddress a) {
  a.port = 0;
  return a;
}

}  // namespace

struct StreamConnection::Io {
  explicit Io(asio::io_context& ioc, size_t read_size) : socket(ioc), in(read_size) {}
  tcp::socket socket;
  std::vector<uint8_t> in;
  size_t in_len = 0;
  std::vector<uint8_t> out;
  size_t out_head = 0;
};

struct StreamServer::Impl {
  Impl(asio::io_context& ioc, StreamServer& s, Factory f)
      : server(s), acceptor(ioc), factory(std::move(f)) {}

  void Accept(const std::shared_ptr<Impl>& self);
  void Erase(StreamConnection* c);

  StreamServer& server;
  tcp::acceptor acceptor;
  Factory factory;
  bool closed = false;
  std::unordered_map<StreamConnection*, std::shared_ptr<StreamConnection>> connections;
  std::unordered_map<PeerAddress, size_t, PeerAddressHash> per_address;
};

StreamConnection::StreamConnection(StreamServer& server, const PeerAddress& remote)
    : server_(server),
      stats_(server.stats()),
      io_(std::make_unique<Io>(server.ioc(), server.limits().read_buffer_bytes)),
      remote_(remote),
      accepted_ms_(SteadyNowMs()) {}

StreamConnection::~StreamConnection() = default;

size_t StreamConnection::queued() const { return io_->out.size() - io_->out_head; }

bool StreamConnection::Room(size_t bytes) const {
  return queued() + bytes <= server_.limits().send_buffer_bytes;
}

bool StreamConnection::Queue(std::span<const uint8_t> a, std::span<const uint8_t> b, bool force) {
  if (closing_ || (!force && !Room(a.size() + b.size()))) return false;
  io_->out.insert(io_->out.end(), a.begin(), a.end());
  io_->out.insert(io_->out.end(), b.begin(), b.end());
  return true;
}

void StreamConnection::Write() {
  if (closing_ || write_armed_) return;
  Io& io = *io_;
  while (io.out_head < io.out.size()) {
    const ssize_t n = ::send(io.socket.native_handle(), io.out.data() + io.out_head,
                             io.out.size() - io.out_head, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      io.out_head += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      write_armed_ = true;
      io.socket.async_wait(tcp::socket::wait_write,
                           [self = shared_from_this()](const boost::system::error_code& ec) {
                             self->write_armed_ = false;
                             if (self->closing_) return;
                             if (ec) return self->Shutdown();
                             self->Write();
                           });
      break;
    }
    return Shutdown();  // reset by the peer, or another error
  }
  if (io.out_head == io.out.size()) {
    io.out.clear();
    io.out_head = 0;
  } else if (io.out_head > io.out.size() / 2) {
    io.out.erase(io.out.begin(), io.out.begin() + static_cast<std::ptrdiff_t>(io.out_head));
    io.out_head = 0;
  }
}

void StreamConnection::Shutdown() {
  if (closing_) return;
  closing_ = true;
  std::weak_ptr<StreamServer::Impl> server = server_.impl_;
  asio::post(server_.ioc(), [self = shared_from_this(), server] {
    if (auto impl = server.lock()) impl->Erase(self.get());
  });
}

void StreamConnection::Read() {
  Io& io = *io_;
  if (io.in_len == io.in.size()) {
    // A message larger than the read buffer: the subclass's framing should have refused it.
    base::Bump(stats_.closed_framing);
    return Shutdown();
  }
  io.socket.async_read_some(
      asio::buffer(io.in.data() + io.in_len, io.in.size() - io.in_len),
      [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
        if (self->closing_) return;
        if (ec || n == 0) return self->Shutdown();
        Io& io = *self->io_;
        io.in_len += n;
        const size_t used = self->OnBytes(std::span<const uint8_t>(io.in.data(), io.in_len));
        if (used > 0) {
          std::memmove(io.in.data(), io.in.data() + used, io.in_len - used);
          io.in_len -= used;
        }
        self->AfterRead();
        if (!self->closing_) self->Read();
      });
}

void StreamServer::Impl::Accept(const std::shared_ptr<Impl>& self) {
  acceptor.async_accept([self](const boost::system::error_code& ec, tcp::socket socket) {
    if (self->closed) return;
    if (ec == asio::error::operation_aborted) return;
    boost::system::error_code e;
    const auto ep = ec ? tcp::endpoint() : socket.remote_endpoint(e);
    if (!ec && !e) {
      StreamServer& server = self->server;
      const PeerAddress remote = FromEndpoint(ep);
      auto host = self->per_address.find(HostOf(remote));
      const size_t from_host = host == self->per_address.end() ? 0 : host->second;
      const StreamLimits& limits = server.limits();
      if (self->connections.size() >= limits.max_connections ||
          (limits.max_per_address && from_host >= limits.max_per_address)) {
        base::Bump(server.stats().refused);
        socket.close(e);
      } else {
        std::shared_ptr<StreamConnection> c = self->factory(server, remote);
        c->io_->socket = std::move(socket);
        c->io_->socket.non_blocking(true, e);
        const int one = 1;
        setsockopt(c->io_->socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        ++self->per_address[HostOf(remote)];
        self->connections.emplace(c.get(), c);
        base::Bump(server.stats().accepted);
        server.stats().open.store(static_cast<int64_t>(self->connections.size()),
                                  std::memory_order_relaxed);
        c->Read();
      }
    }
    self->Accept(self);
  });
}

void StreamServer::Impl::Erase(StreamConnection* c) {
  auto it = connections.find(c);
  if (it == connections.end()) return;
  c->closing_ = true;
  c->OnClose();
  boost::system::error_code ignored;
  c->io_->socket.close(ignored);
  if (auto h = per_address.find(HostOf(c->remote())); h != per_address.end() && --h->second == 0)
    per_address.erase(h);
  connections.erase(it);  // pending handlers' shared_ptrs keep it until they have run
  server.stats().open.store(static_cast<int64_t>(connections.size()), std::memory_order_relaxed);
}

StreamServer::StreamServer(asio::io_context& ioc, StreamStats& stats, StreamLimits limits,
                           Factory factory)
    : ioc_(ioc),
      stats_(stats),
      limits_(limits),
      impl_(std::make_shared<Impl>(ioc, *this, std::move(factory))) {}

StreamServer::~StreamServer() { Close(); }

bool StreamServer::Bind(const std::string& ip, uint16_t port, std::string* error) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(ip, ec);
  if (ec) {
    *error = "bad listen address " + ip;
    return false;
  }
  const tcp::endpoint ep(address, port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "TCP port " + ip + ":" + std::to_string(port) + ": " + ec.message();
    boost::system::error_code ignored;
    a.close(ignored);
    return false;
  }
  return true;
}

uint16_t StreamServer::port() const {
  boost::system::error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void StreamServer::Start() { impl_->Accept(impl_); }

void StreamServer::Close() {
  if (impl_->closed) return;
  impl_->closed = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  std::vector<StreamConnection*> all;
  for (auto& [c, _] : impl_->connections) all.push_back(c);
  for (StreamConnection* c : all) impl_->Erase(c);
}

void StreamServer::OnTick(int64_t now_ms) {
  for (auto& [c, _] : impl_->connections) {
    if (!c->closing() && now_ms - c->accepted_ms() > limits_.unbound_timeout_ms &&
        !c->Authenticated()) {
      base::Bump(stats_.closed_idle);
      c->Shutdown();
    }
  }
}

size_t StreamServer::connections() const { return impl_->connections.size(); }

}  // namespace sfu::transport

#include "transport/tcp/ice_tcp_listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <map>
#include <unordered_map>
#include <vector>

#include "base/log.h"
#include "transport/endpoint_demuxer.h"
#include "transport/route.h"
#include "transport/udp/udp_endpoint.h"
#include "transport/wire/stream_framing.h"

namespace sfu::transport {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

PeerAddress FromEndpoint(const tcp::endpoint& ep) {
  PeerAddress a;
  auto ip = ep.address();
  if (ip.is_v6() && ip.to_v6().is_v4_mapped())
    ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
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

class IceTcpConnection;

struct IceTcpListener::Impl : std::enable_shared_from_this<IceTcpListener::Impl> {
  Impl(asio::io_context& c, EndpointDemuxer& d, UdpEndpoint& u, StreamStats& s, Limits l)
      : ioc(c), demuxer(d), udp(u), stats(s), limits(l), acceptor(c) {}

  void Accept();
  void Erase(IceTcpConnection* c);

  asio::io_context& ioc;
  EndpointDemuxer& demuxer;
  UdpEndpoint& udp;
  StreamStats& stats;
  Limits limits;
  tcp::acceptor acceptor;
  bool closed = false;
  std::unordered_map<IceTcpConnection*, std::shared_ptr<IceTcpConnection>> connections;
  std::unordered_map<PeerAddress, size_t, PeerAddressHash> per_address;
};

// One accepted connection: RFC 4571 frames in, to the demuxer; datagrams out, framed into a
// bounded buffer written at the next flush. Destroyed only through Impl::Erase, posted, so a
// connection is never freed under a caller (the demuxer, a flush, its own handler); async
// handlers hold a shared_ptr and find `closing_` set.
class IceTcpConnection final : public StreamLink,
                               public std::enable_shared_from_this<IceTcpConnection> {
 public:
  static constexpr size_t kMaxFrame = UdpEndpoint::kMaxDatagram;

  IceTcpConnection(IceTcpListener::Impl& owner, tcp::socket socket, PeerAddress remote)
      : owner_(owner), socket_(std::move(socket)), remote_(remote), accepted_ms_(NowMs()) {
    socket_.non_blocking(true);
    const int one = 1;
    setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }

  void Start() { Read(); }
  const PeerAddress& remote() const { return remote_; }
  bool closing() const { return closing_; }
  int64_t accepted_ms() const { return accepted_ms_; }

  bool SendDatagram(std::span<const uint8_t> data) override {
    if (closing_ || data.size() > 0xffff) return false;
    if (out_.size() - out_head_ + 2 + data.size() > owner_.limits.send_buffer_bytes) {
      base::Bump(owner_.stats.send_dropped);
      return false;
    }
    uint8_t header[2];
    wire::WriteRfc4571Header(header, data.size());
    out_.insert(out_.end(), header, header + 2);
    out_.insert(out_.end(), data.begin(), data.end());
    base::Bump(owner_.stats.datagrams_out);
    if (!flush_wanted_) {
      flush_wanted_ = true;
      owner_.demuxer.WantFlush(this);
    }
    return true;
  }

  void Flush() override {
    flush_wanted_ = false;
    if (!closing_ && !write_armed_) Write();
  }

  void Close() override { Shutdown(); }

  // Marks the connection closing and erases it from a fresh stack frame.
  void Shutdown() {
    if (closing_) return;
    closing_ = true;
    asio::post(owner_.ioc, [self = shared_from_this()] { self->owner_.Erase(self.get()); });
  }

  void CloseSocket() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void Read() {
    if (in_len_ == in_.size()) return Shutdown();  // cannot happen: frames fit the buffer
    socket_.async_read_some(
        asio::buffer(in_.data() + in_len_, in_.size() - in_len_),
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
          if (self->closing_) return;
          if (ec || n == 0) return self->Shutdown();
          self->in_len_ += n;
          self->Consume();
          if (!self->closing_) self->Read();
        });
  }

  void Consume() {
    size_t at = 0;
    while (!closing_) {
      const auto d = wire::NextRfc4571Frame(std::span<const uint8_t>(in_.data() + at, in_len_ - at),
                                            kMaxFrame);
      if (d.kind == wire::FrameDecision::kNeedMore) break;
      if (d.kind == wire::FrameDecision::kInvalid) {
        base::Bump(owner_.stats.closed_framing);
        Shutdown();
        break;
      }
      // The transport may protect in place: hand it a slot with room, not the read buffer.
      std::memcpy(slot_.data(), in_.data() + at + d.header, d.size);
      at += d.header + d.size;
      base::Bump(owner_.stats.datagrams_in);
      owner_.demuxer.OnLinkDatagram(this, remote_, slot_.data(), d.size, slot_.size());
    }
    if (at > 0) {
      std::memmove(in_.data(), in_.data() + at, in_len_ - at);
      in_len_ -= at;
    }
    // What the frames caused to be sent leaves now, on every link and on UDP.
    owner_.demuxer.FlushLinks();
    owner_.udp.Flush();
  }

  void Write() {
    while (out_head_ < out_.size()) {
      const ssize_t n = ::send(socket_.native_handle(), out_.data() + out_head_,
                               out_.size() - out_head_, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        out_head_ += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        write_armed_ = true;
        socket_.async_wait(tcp::socket::wait_write,
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
    if (out_head_ == out_.size()) {
      out_.clear();
      out_head_ = 0;
    } else if (out_head_ > out_.size() / 2) {
      out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_head_));
      out_head_ = 0;
    }
  }

  IceTcpListener::Impl& owner_;
  tcp::socket socket_;
  PeerAddress remote_;
  int64_t accepted_ms_;
  std::array<uint8_t, 2 * (kMaxFrame + 2)> in_{};
  size_t in_len_ = 0;
  std::array<uint8_t, UdpEndpoint::kSlotSize> slot_{};
  std::vector<uint8_t> out_;
  size_t out_head_ = 0;
  bool flush_wanted_ = false;
  bool write_armed_ = false;
  bool closing_ = false;
};

void IceTcpListener::Impl::Accept() {
  acceptor.async_accept(
      [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        if (self->closed) return;
        if (!ec) {
          boost::system::error_code e;
          const auto ep = socket.remote_endpoint(e);
          if (!e) {
            const PeerAddress remote = FromEndpoint(ep);
            size_t& from_host = self->per_address[HostOf(remote)];
            if (self->connections.size() >= self->limits.max_connections ||
                (self->limits.max_per_address && from_host >= self->limits.max_per_address)) {
              base::Bump(self->stats.refused);
              if (from_host == 0) self->per_address.erase(HostOf(remote));
              socket.close(e);
            } else {
              ++from_host;
              auto c = std::make_shared<IceTcpConnection>(*self, std::move(socket), remote);
              self->connections.emplace(c.get(), c);
              base::Bump(self->stats.accepted);
              self->stats.open.store(static_cast<int64_t>(self->connections.size()),
                                     std::memory_order_relaxed);
              c->Start();
            }
          }
        } else if (ec == asio::error::operation_aborted) {
          return;
        }
        self->Accept();
      });
}

void IceTcpListener::Impl::Erase(IceTcpConnection* c) {
  auto it = connections.find(c);
  if (it == connections.end()) return;
  demuxer.OnLinkClosed(c);
  c->CloseSocket();
  if (auto h = per_address.find(HostOf(c->remote())); h != per_address.end() && --h->second == 0)
    per_address.erase(h);
  connections.erase(it);  // the handlers' shared_ptrs keep it until they have run
  stats.open.store(static_cast<int64_t>(connections.size()), std::memory_order_relaxed);
}

IceTcpListener::IceTcpListener(asio::io_context& ioc, EndpointDemuxer& demuxer, UdpEndpoint& udp,
                               StreamStats& stats, Limits limits)
    : impl_(std::make_shared<Impl>(ioc, demuxer, udp, stats, limits)) {}

IceTcpListener::~IceTcpListener() { Close(); }

bool IceTcpListener::Bind(const std::string& ip, uint16_t port, std::string* error) {
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
    *error = "ICE-TCP port " + ip + ":" + std::to_string(port) + ": " + ec.message();
    a.close(ec);
    return false;
  }
  return true;
}

uint16_t IceTcpListener::port() const {
  boost::system::error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void IceTcpListener::Start() { impl_->Accept(); }

void IceTcpListener::Close() {
  if (impl_->closed) return;
  impl_->closed = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  std::vector<IceTcpConnection*> all;
  for (auto& [c, _] : impl_->connections) all.push_back(c);
  for (IceTcpConnection* c : all) impl_->Erase(c);
}

void IceTcpListener::OnTick(int64_t now_ms) {
  for (auto& [c, _] : impl_->connections) {
    if (!c->closing() && now_ms - c->accepted_ms() > impl_->limits.unbound_timeout_ms &&
        !impl_->demuxer.IsBound(c)) {
      base::Bump(impl_->stats.closed_idle);
      c->Shutdown();
    }
  }
}

size_t IceTcpListener::connections() const { return impl_->connections.size(); }

}  // namespace sfu::transport

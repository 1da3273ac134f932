#include "transport/udp/udp_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "transport/udp/gso_plan.h"

namespace sfu::transport {
namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {
std::atomic<bool> g_gso_default{true};
}  // namespace

void UdpEndpoint::SetGsoDefault(bool enabled) { g_gso_default = enabled; }

size_t PeerAddressHash::operator()(const PeerAddress& a) const noexcept {
  uint64_t h = 1469598103934665603ull ^ a.family;
  for (int i = 0; i < (a.family == 6 ? 16 : 4); ++i) h = (h ^ a.ip[i]) * 1099511628211ull;
  h = (h ^ a.port) * 1099511628211ull;
  return static_cast<size_t>(h);
}

std::string PeerAddressToString(const PeerAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.ip.data(), buf, sizeof(buf));
  return a.family == 6 ? "[" + std::string(buf) + "]:" + std::to_string(a.port)
                       : std::string(buf) + ":" + std::to_string(a.port);
}

namespace {

PeerAddress FromSockaddr(const sockaddr_storage& ss) {
  PeerAddress a;
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    a.family = 4;
    a.port = ntohs(in->sin_port);
    std::memcpy(a.ip.data(), &in->sin_addr, 4);
  } else if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    // An IPv4-mapped peer on a dual-stack socket is reported as IPv4.
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      a.family = 4;
      std::memcpy(a.ip.data(), reinterpret_cast<const uint8_t*>(&in6->sin6_addr) + 12, 4);
    } else {
      a.family = 6;
      std::memcpy(a.ip.data(), &in6->sin6_addr, 16);
    }
    a.port = ntohs(in6->sin6_port);
  }
  return a;
}

socklen_t ToSockaddr(const PeerAddress& a, bool v6_socket, sockaddr_storage* ss) {
  std::memset(ss, 0, sizeof(*ss));
  if (v6_socket) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a.port);
    if (a.family == 4) {
      uint8_t* p = reinterpret_cast<uint8_t*>(&in6->sin6_addr);
      p[10] = p[11] = 0xff;
      std::memcpy(p + 12, a.ip.data(), 4);
    } else {
      std::memcpy(&in6->sin6_addr, a.ip.data(), 16);
    }
    return sizeof(sockaddr_in6);
  }
  auto* in = reinterpret_cast<sockaddr_in*>(ss);
  in->sin_family = AF_INET;
  in->sin_port = htons(a.port);
  std::memcpy(&in->sin_addr, a.ip.data(), 4);
  return sizeof(sockaddr_in);
}

}  // namespace

struct UdpEndpoint::Impl {
  Impl(asio::io_context& ioc, TransportStats& s) : socket(ioc), stats(s) {}

  void Arm() {
    socket.async_wait(udp::socket::wait_read, [this](const boost::system::error_code& ec) {
      if (ec) return;  // closed
      ReceiveBatches();
      Arm();
    });
  }

  void ReceiveBatches() {
    const int fd = socket.native_handle();
    // Bounded work per wake-up so timers and posted tasks get their turn.
    for (int round = 0; round < 8; ++round) {
      for (size_t i = 0; i < kBatch; ++i) {
        iov[i].iov_base = slots[i].data();
        iov[i].iov_len = kMaxDatagram;
        msgs[i].msg_hdr.msg_name = &addrs[i];
        msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_control = nullptr;
        msgs[i].msg_hdr.msg_controllen = 0;
        msgs[i].msg_hdr.msg_flags = 0;
        msgs[i].msg_len = 0;
      }
      const int n = recvmmsg(fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (n <= 0) break;
      stats.Add(stats.recv_batches);
      for (int i = 0; i < n; ++i) {
        const size_t len = msgs[i].msg_len;
        stats.Add(stats.packets_in);
        stats.Add(stats.bytes_in, len);
        if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
          stats.Drop(DropReason::kTooLarge);
          continue;
        }
        const PeerAddress from = FromSockaddr(addrs[i]);
        if (receiver) receiver->OnDatagram(from, slots[i].data(), len, kSlotSize);
      }
      if (receiver) receiver->OnBatchEnd();
      Flush();
      if (static_cast<size_t>(n) < kBatch) break;
    }
  }

  void Flush() {
    if (queued == 0) return;
    if (gso) {
      FlushGso();
    } else {
      SendEach(0, queued, [](size_t i) { return i; });
    }
    queued = 0;
  }

  // One sendmmsg message per datagram (indices idx(first..last) of the queue).
  template <class Index>
  void SendEach(size_t first, size_t last, Index idx) {
    size_t at = first;
    while (at < last) {
      size_t n = 0;
      for (size_t k = at; k < last && n < kBatch; ++k, ++n) {
        const size_t i = idx(k);
        std::memset(&plain_msgs[n], 0, sizeof(mmsghdr));
        plain_msgs[n].msg_hdr.msg_name = &out_addrs[i];
        plain_msgs[n].msg_hdr.msg_namelen = out_namelen[i];
        plain_msgs[n].msg_hdr.msg_iov = &out_iov[i];
        plain_msgs[n].msg_hdr.msg_iovlen = 1;
      }
      const int r = sendmmsg(socket.native_handle(), plain_msgs.data(), static_cast<unsigned>(n),
                             MSG_DONTWAIT);
      stats.Add(stats.send_batches);
      if (r <= 0) {
        if (r < 0 && errno == EINTR) continue;
        // EAGAIN (buffer full) or a per-destination error: drop this one and go on.
        stats.Drop(DropReason::kSendFailed);
        ++at;
        continue;
      }
      for (int k = 0; k < r; ++k) {
        stats.Add(stats.packets_out);
        stats.Add(stats.bytes_out, plain_msgs[static_cast<size_t>(k)].msg_len);
      }
      at += static_cast<size_t>(r);
    }
  }

  // UDP GSO: the queue's datagrams grouped per destination and run of equal sizes (gso_plan.h),
  // one message each with UDP_SEGMENT. A kernel that refuses GSO turns it off for good.
  void FlushGso() {
    PlanGso(
        queued, [this](size_t i) { return out_iov[i].iov_len; },
        [this](size_t i) { return PeerAddressHash()(out_peer[i]); },
        [this](size_t a, size_t b) { return out_peer[a] == out_peer[b]; }, &plan);
    const size_t messages = plan.messages.size();
    for (size_t k = 0; k < messages; ++k) {
      const GsoMessage& m = plan.messages[k];
      for (size_t j = 0; j < m.count; ++j) gso_iov[m.first + j] = out_iov[plan.order[m.first + j]];
      mmsghdr& h = gso_msgs[k];
      std::memset(&h, 0, sizeof(h));
      const size_t lead = plan.order[m.first];
      h.msg_hdr.msg_name = &out_addrs[lead];
      h.msg_hdr.msg_namelen = out_namelen[lead];
      h.msg_hdr.msg_iov = &gso_iov[m.first];
      h.msg_hdr.msg_iovlen = m.count;
      if (m.count > 1) {
        auto* c = reinterpret_cast<cmsghdr*>(gso_cmsg[k].data());
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        const uint16_t seg = static_cast<uint16_t>(m.segment_size);
        std::memcpy(CMSG_DATA(c), &seg, sizeof(seg));
        h.msg_hdr.msg_control = c;
        h.msg_hdr.msg_controllen = CMSG_SPACE(sizeof(uint16_t));
      }
    }
    size_t sent = 0;
    while (sent < messages) {
      const int n = sendmmsg(socket.native_handle(), gso_msgs.data() + sent,
                             static_cast<unsigned>(messages - sent), MSG_DONTWAIT);
      stats.Add(stats.send_batches);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        const GsoMessage& m = plan.messages[sent];
        const bool refused = n < 0 && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP ||
                                       errno == ENOPROTOOPT);
        if (m.count > 1 && refused) {
          gso = false;  // this kernel or route cannot segment: plain datagrams from now on
          SendEach(m.first, m.first + m.count, [this](size_t k) { return plan.order[k]; });
        } else {
          stats.Drop(DropReason::kSendFailed);  // EAGAIN or a per-destination error
        }
        ++sent;
        continue;
      }
      for (int i = 0; i < n; ++i) {
        stats.Add(stats.packets_out, plan.messages[sent + static_cast<size_t>(i)].count);
        stats.Add(stats.bytes_out, gso_msgs[sent + static_cast<size_t>(i)].msg_len);
      }
      sent += static_cast<size_t>(n);
    }
  }

  udp::socket socket;
  TransportStats& stats;
  Receiver* receiver = nullptr;
  bool v6 = false;
  std::array<std::array<uint8_t, kSlotSize>, kBatch> slots{};
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iov{};
  std::array<sockaddr_storage, kBatch> addrs{};
  // Send queue: kSendQueue datagrams, flushed after each receive batch and timer tick (or when
  // full), as GSO messages when the kernel takes them.
  std::vector<std::array<uint8_t, kSlotSize>> out_slots =
      std::vector<std::array<uint8_t, kSlotSize>>(kSendQueue);
  std::array<iovec, kSendQueue> out_iov{};
  std::array<sockaddr_storage, kSendQueue> out_addrs{};
  std::array<socklen_t, kSendQueue> out_namelen{};
  std::array<PeerAddress, kSendQueue> out_peer{};
  size_t queued = 0;
  bool gso = g_gso_default.load();
  GsoPlan plan;
  std::array<mmsghdr, kSendQueue> gso_msgs{};
  std::array<iovec, kSendQueue> gso_iov{};
  std::array<std::array<uint8_t, CMSG_SPACE(sizeof(uint16_t))>, kSendQueue> gso_cmsg{};
  std::array<mmsghdr, kBatch> plain_msgs{};
};

UdpEndpoint::UdpEndpoint(asio::io_context& ioc, TransportStats& stats)
    : impl_(std::make_unique<Impl>(ioc, stats)) {}

UdpEndpoint::~UdpEndpoint() { Close(); }

bool UdpEndpoint::Bind(const std::string& ip, uint16_t port, std::string* error) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(ip, ec);
  if (ec) {
    *error = "bad media address '" + ip + "': " + ec.message();
    return false;
  }
  const udp::endpoint ep(address, port);
  impl_->socket.open(ep.protocol(), ec);
  if (!ec && address.is_v6()) impl_->socket.set_option(asio::ip::v6_only(false), ec);
  if (!ec) impl_->socket.bind(ep, ec);
  if (!ec) impl_->socket.non_blocking(true, ec);
  if (ec) {
    *error = "cannot bind UDP " + ip + ":" + std::to_string(port) + ": " + ec.message();
    boost::system::error_code ignored;
    impl_->socket.close(ignored);
    return false;
  }
  // Generous kernel buffers: bursts of video from many peers arrive between two wake-ups.
  impl_->socket.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024), ec);
  impl_->socket.set_option(asio::socket_base::send_buffer_size(4 * 1024 * 1024), ec);
  impl_->v6 = address.is_v6();
  return true;
}

uint16_t UdpEndpoint::port() const {
  boost::system::error_code ec;
  auto ep = impl_->socket.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void UdpEndpoint::Start(Receiver* receiver) {
  impl_->receiver = receiver;
  impl_->Arm();
}

void UdpEndpoint::Close() {
  if (!impl_ || !impl_->socket.is_open()) return;
  impl_->Flush();
  boost::system::error_code ec;
  impl_->socket.close(ec);
}

bool UdpEndpoint::Send(const PeerAddress& to, std::span<const uint8_t> data) {
  Impl& i = *impl_;
  if (data.size() > kSlotSize || !i.socket.is_open()) return false;
  if (i.queued == kSendQueue) i.Flush();
  const size_t k = i.queued++;
  std::memcpy(i.out_slots[k].data(), data.data(), data.size());
  i.out_iov[k].iov_base = i.out_slots[k].data();
  i.out_iov[k].iov_len = data.size();
  i.out_namelen[k] = ToSockaddr(to, i.v6, &i.out_addrs[k]);
  i.out_peer[k] = to;
  return true;
}

void UdpEndpoint::Flush() { impl_->Flush(); }

bool UdpEndpoint::gso_active() const { return impl_->gso; }

}  // namespace sfu::transport

#include "transport/udp/udp_endpoint.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstring>
#include <vector>

namespace sfu::transport {
namespace {

// A plain loopback UDP socket that collects what arrives.
struct Sink {
  int fd = -1;
  uint16_t port = 0;
  Sink() {
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    timeval tv{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Sink() { close(fd); }
  PeerAddress address() const {
    PeerAddress p;
    p.family = 4;
    p.port = port;
    p.ip[0] = 127;
    p.ip[3] = 1;
    return p;
  }
  std::vector<std::vector<uint8_t>> Receive(size_t n) {
    std::vector<std::vector<uint8_t>> out;
    for (size_t i = 0; i < n; ++i) {
      std::vector<uint8_t> buf(4096);
      const ssize_t r = recv(fd, buf.data(), buf.size(), 0);
      if (r < 0) break;
      buf.resize(static_cast<size_t>(r));
      out.push_back(std::move(buf));
    }
    return out;
  }
};

std::vector<uint8_t> Datagram(uint8_t tag, size_t size) {
  std::vector<uint8_t> d(size, tag);
  d[0] = tag;
  return d;
}

// Interleaved sends to two destinations, equal sizes with a smaller last one and a larger one
// after it: every datagram arrives intact, in order per destination, with GSO on and off.
void SendAndCheck(bool gso) {
  UdpEndpoint::SetGsoDefault(gso);
  boost::asio::io_context io;
  TransportStats stats;
  UdpEndpoint ep(io, stats);
  std::string error;
  ASSERT_TRUE(ep.Bind("127.0.0.1", 0, &error)) << error;
  Sink a, b;
  const std::vector<size_t> sizes_a = {1100, 1100, 1100, 700, 1200, 1200};
  const std::vector<size_t> sizes_b = {900, 900, 900};
  for (size_t i = 0; i < sizes_a.size(); ++i) {
    ASSERT_TRUE(ep.Send(a.address(), Datagram(static_cast<uint8_t>(i), sizes_a[i])));
    if (i < sizes_b.size()) {
      ASSERT_TRUE(ep.Send(b.address(), Datagram(static_cast<uint8_t>(100 + i), sizes_b[i])));
    }
  }
  ep.Flush();
  const auto got_a = a.Receive(sizes_a.size());
  const auto got_b = b.Receive(sizes_b.size());
  ASSERT_EQ(got_a.size(), sizes_a.size());
  ASSERT_EQ(got_b.size(), sizes_b.size());
  for (size_t i = 0; i < sizes_a.size(); ++i) {
    EXPECT_EQ(got_a[i], Datagram(static_cast<uint8_t>(i), sizes_a[i])) << "datagram " << i;
  }
  for (size_t i = 0; i < sizes_b.size(); ++i)
    EXPECT_EQ(got_b[i], Datagram(static_cast<uint8_t>(100 + i), sizes_b[i]));
  EXPECT_EQ(stats.packets_out.load(), sizes_a.size() + sizes_b.size())
      << "counted per datagram, not per message";
  if (!gso) {
    EXPECT_FALSE(ep.gso_active());
  }
  // A kernel without UDP_SEGMENT turns GSO off by itself; the datagrams above arrived either way.
  if (gso && !ep.gso_active())
    std::printf("note: this kernel refused UDP GSO; plain sends were used\n");
  UdpEndpoint::SetGsoDefault(true);
}

TEST(UdpEndpointTest, GsoMessagesArriveAsTheOriginalDatagrams) { SendAndCheck(true); }
TEST(UdpEndpointTest, PlainSendsToo) { SendAndCheck(false); }

}  // namespace
}  // namespace sfu::transport

// IceTcpListener on loopback: a valid ICE check binds a connection to its transport and is
// answered on it; framing lies, unauthenticated idlers and connections past the per-address cap
// are closed and counted; a reader that never reads loses datagrams, not memory.
#include "transport/tcp/ice_tcp_listener.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/transport/transport_test_util.h"
#include "transport/crypto/hmac_sha1.h"
#include "transport/dtls/dtls_context.h"
#include "transport/endpoint_demuxer.h"
#include "transport/udp/udp_endpoint.h"
#include "transport/webrtc_transport.h"
#include "transport/wire/stun_message.h"

namespace sfu::transport {
namespace {

constexpr char kUfrag[] = "srvufrag";
constexpr char kPwd[] = "server-password-24-chars";

using sfu::testing::NullListener;

// A blocking loopback TCP client.
struct Client {
  int fd = -1;
  explicit Client(uint16_t port) : fd(sfu::testing::ConnectLoopbackTcp(port)) {}
  ~Client() { close(fd); }
  void Write(const std::vector<uint8_t>& bytes) {
    ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Bytes available now (non-blocking); -1 once the server closed the connection.
  ssize_t ReadAvailable(std::vector<uint8_t>* out) {
    uint8_t buf[4096];
    ssize_t total = 0;
    for (;;) {
      const ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0) return -1;
      if (n < 0) return total;
      out->insert(out->end(), buf, buf + n);
      total += n;
    }
  }
};

std::vector<uint8_t> Framed(const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out(2 + payload.size());
  out[0] = static_cast<uint8_t>(payload.size() >> 8);
  out[1] = static_cast<uint8_t>(payload.size());
  std::copy(payload.begin(), payload.end(), out.begin() + 2);
  return out;
}

std::vector<uint8_t> BindingRequest(const std::string& pwd) {
  std::vector<uint8_t> buf(256);
  const std::array<uint8_t, 12> txid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  wire::StunWriter w(buf, wire::kStunBindingRequest, txid);
  w.AddString(wire::kStunAttrUsername, std::string(kUfrag) + ":client");
  w.AddUint32(wire::kStunAttrPriority, 1845501695);
  w.AddUint64(wire::kStunAttrIceControlling, 42);
  w.AddFlag(wire::kStunAttrUseCandidate);
  w.AddMessageIntegrity(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size()),
      &HmacSha1);
  w.AddFingerprint();
  buf.resize(w.size());
  return buf;
}

class IceTcpListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dtls_ = DtlsContext::Create(&error);
    ASSERT_TRUE(dtls_) << error;
    ASSERT_TRUE(udp_.Bind("127.0.0.1", 0, &error)) << error;
  }
  void Listen(StreamLimits limits) {
    listener_ = std::make_unique<IceTcpListener>(ioc_, demuxer_, udp_, stats_.ice_tcp, limits);
    std::string error;
    ASSERT_TRUE(listener_->Bind("127.0.0.1", 0, &error)) << error;
    listener_->Start();
  }
  void Pump(int ms = 50) {
    ioc_.restart();
    ioc_.run_for(std::chrono::milliseconds(ms));
  }

  boost::asio::io_context ioc_;
  TransportStats stats_;
  UdpEndpoint udp_{ioc_, stats_};
  EndpointDemuxer demuxer_{stats_};
  std::unique_ptr<DtlsContext> dtls_;
  std::unique_ptr<IceTcpListener> listener_;
};

TEST_F(IceTcpListenerTest, AValidCheckBindsTheConnectionAndIsAnsweredOnIt) {
  Listen({});
  NullListener events;
  WebRtcTransport t({kUfrag, kPwd, "sha-256", std::string(95, 'A')}, *dtls_, udp_, stats_, &events);
  demuxer_.Add(kUfrag, &t);
  Client c(listener_->port());
  c.Write(Framed(BindingRequest(kPwd)));
  std::vector<uint8_t> got;
  for (int i = 0; i < 40 && got.size() < 2; ++i) {
    Pump(10);
    c.ReadAvailable(&got);
  }
  ASSERT_GE(got.size(), 2u);
  const size_t len = (got[0] << 8) | got[1];
  ASSERT_EQ(got.size(), 2 + len);
  auto msg = wire::StunMessageView::Parse(std::span<const uint8_t>(got.data() + 2, len));
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->type(), wire::kStunBindingSuccess);
  ASSERT_TRUE(t.selected());
  EXPECT_NE(t.selected_link(), nullptr);
  EXPECT_EQ(listener_->connections(), 1u);
  EXPECT_EQ(stats_.ice_tcp.datagrams_in.load(), 1u);
  // The transport goes away: its connection is closed.
  demuxer_.Remove(&t);
  Pump();
  EXPECT_EQ(listener_->connections(), 0u);
  EXPECT_EQ(c.ReadAvailable(&got), -1);
}

TEST_F(IceTcpListenerTest, AWrongPasswordIsAnswered401AndBindsNothing) {
  Listen({});
  NullListener events;
  WebRtcTransport t({kUfrag, kPwd, "sha-256", std::string(95, 'A')}, *dtls_, udp_, stats_, &events);
  demuxer_.Add(kUfrag, &t);
  Client c(listener_->port());
  c.Write(Framed(BindingRequest("not-the-password-at-all!")));
  std::vector<uint8_t> got;
  for (int i = 0; i < 40 && got.size() < 2; ++i) {
    Pump(10);
    c.ReadAvailable(&got);
  }
  ASSERT_GT(got.size(), 2u);
  auto msg = wire::StunMessageView::Parse(std::span<const uint8_t>(got.data() + 2, got.size() - 2));
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->ErrorCode(), 401);
  EXPECT_FALSE(demuxer_.IsBound(nullptr));
  EXPECT_FALSE(t.selected());
  demuxer_.Remove(&t);
}

TEST_F(IceTcpListenerTest, FramingLiesCloseTheConnection) {
  Listen({});
  Client zero(listener_->port());
  Client oversize(listener_->port());
  Client fine(listener_->port());
  Pump();
  zero.Write({0, 0});
  oversize.Write({0xff, 0xff, 1, 2, 3});
  fine.Write({0, 3, 0x80});  // a frame still arriving
  Pump();
  std::vector<uint8_t> sink;
  EXPECT_EQ(zero.ReadAvailable(&sink), -1);
  EXPECT_EQ(oversize.ReadAvailable(&sink), -1);
  EXPECT_EQ(fine.ReadAvailable(&sink), 0);
  EXPECT_EQ(stats_.ice_tcp.closed_framing.load(), 2u);
  EXPECT_EQ(listener_->connections(), 1u);
}

TEST_F(IceTcpListenerTest, UnknownUfragAndGarbageAreCountedNotRouted) {
  Listen({});
  Client c(listener_->port());
  c.Write(Framed(BindingRequest(kPwd)));                                   // nobody has this ufrag
  c.Write(Framed({0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));  // RTP, unbound
  c.Write(Framed({0xff, 1, 2}));                                           // no packet kind
  Pump();
  EXPECT_EQ(stats_.drops[static_cast<size_t>(DropReason::kUnknownUfrag)].load(), 1u);
  EXPECT_EQ(stats_.drops[static_cast<size_t>(DropReason::kNoTransport)].load(), 1u);
  EXPECT_EQ(stats_.drops[static_cast<size_t>(DropReason::kMalformed)].load(), 1u);
  EXPECT_EQ(listener_->connections(), 1u);
}

TEST_F(IceTcpListenerTest, ConnectionsPastThePerAddressCapAreRefused) {
  StreamLimits limits;
  limits.max_per_address = 2;
  Listen(limits);
  Client a(listener_->port()), b(listener_->port()), c(listener_->port());
  Pump();
  EXPECT_EQ(listener_->connections(), 2u);
  EXPECT_EQ(stats_.ice_tcp.refused.load(), 1u);
  std::vector<uint8_t> sink;
  EXPECT_EQ(c.ReadAvailable(&sink), -1);
}

TEST_F(IceTcpListenerTest, AConnectionWithoutAValidCheckIsClosedAfterTheTimeout) {
  StreamLimits limits;
  limits.unbound_timeout_ms = 0;
  Listen(limits);
  Client c(listener_->port());
  Pump();
  ASSERT_EQ(listener_->connections(), 1u);
  listener_->OnTick(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count() +
                    1);
  Pump();
  EXPECT_EQ(listener_->connections(), 0u);
  EXPECT_EQ(stats_.ice_tcp.closed_idle.load(), 1u);
}

TEST_F(IceTcpListenerTest, AReaderThatNeverReadsLosesDatagramsNotMemory) {
  StreamLimits limits;
  limits.send_buffer_bytes = 64 * 1024;
  Listen(limits);
  NullListener events;
  WebRtcTransport t({kUfrag, kPwd, "sha-256", std::string(95, 'A')}, *dtls_, udp_, stats_, &events);
  demuxer_.Add(kUfrag, &t);
  Client c(listener_->port());
  int rcvbuf = 4096;
  setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  c.Write(Framed(BindingRequest(kPwd)));
  Pump();
  StreamLink* link = t.selected_link();
  ASSERT_NE(link, nullptr);
  // 20 MB toward a client that reads nothing: the kernel buffers fill, then ours, then drops.
  const std::vector<uint8_t> datagram(1000, 0x80);
  size_t sent = 0, dropped = 0;
  for (int i = 0; i < 20'000; ++i) {
    (link->SendDatagram(datagram) ? sent : dropped)++;
    if (i % 50 == 0) {
      demuxer_.FlushLinks();
      Pump(1);
    }
  }
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(stats_.ice_tcp.send_dropped.load(), dropped);
  // What was accepted is bounded by the kernel's buffers plus ours (64 KiB), far below 20 MB.
  EXPECT_LT(sent * 1002, 8u * 1024 * 1024);
  EXPECT_EQ(listener_->connections(), 1u);  // still open: slowness is not an error
  demuxer_.Remove(&t);
}

}  // namespace
}  // namespace sfu::transport

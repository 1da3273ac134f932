// TurnServer on loopback, over plain TCP and over TLS: a relayed client's ICE check reaches the
// transport registered on the shard's demuxer in process and its answer comes back as a Data
// indication; a peer that is not ours is refused; a framing lie closes the connection.
#include "transport/turn/turn_server.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <ctime>
#include <future>
#include <thread>

#include "tests/transport/transport_test_util.h"
#include "transport/crypto/hmac_sha1.h"
#include "transport/crypto/turn_credentials.h"
#include "transport/dtls/dtls_context.h"
#include "transport/endpoint_demuxer.h"
#include "transport/tls/tls_server_context.h"
#include "transport/webrtc_transport.h"
#include "transport/wire/stream_framing.h"
#include "transport/wire/turn_message.h"

namespace sfu::transport {
namespace {

using wire::StunClass;
constexpr char kUfrag[] = "srvufrag";
constexpr char kPwd[] = "server-password-24-chars";

// A blocking TURN client over TCP or TLS.
class Client {
 public:
  Client(uint16_t port, bool tls) : fd_(sfu::testing::ConnectLoopbackTcp(port)) {
    timeval tv{3, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (tls) {
      ctx_ = SSL_CTX_new(TLS_client_method());
      ssl_ = SSL_new(ctx_);
      SSL_set_fd(ssl_, fd_);
      EXPECT_EQ(SSL_connect(ssl_), 1);  // self-signed: not verified by this client
    }
  }
  ~Client() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    close(fd_);
  }
  void Write(const std::vector<uint8_t>& b) {
    if (ssl_) {
      ASSERT_EQ(SSL_write(ssl_, b.data(), static_cast<int>(b.size())), static_cast<int>(b.size()));
    } else {
      ASSERT_EQ(send(fd_, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
    }
  }
  // The next whole TURN message; empty when the connection closed or nothing came in 3 s.
  std::vector<uint8_t> Next() {
    for (;;) {
      const auto d = wire::NextTurnStreamFrame(buffer_, 4096);
      if (d.kind == wire::FrameDecision::kFrame) {
        std::vector<uint8_t> m(buffer_.begin(), buffer_.begin() + d.size);
        buffer_.erase(buffer_.begin(), buffer_.begin() + d.size);
        return m;
      }
      if (d.kind == wire::FrameDecision::kInvalid) return {};
      uint8_t buf[4096];
      const int n = ssl_ ? SSL_read(ssl_, buf, sizeof(buf))
                         : static_cast<int>(recv(fd_, buf, sizeof(buf), 0));
      if (n <= 0) return {};
      buffer_.insert(buffer_.end(), buf, buf + n);
    }
  }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::vector<uint8_t> buffer_;
};

class TurnServerTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::string error;
    dtls_ = DtlsContext::Create(&error);
    tls_ = TlsServerContext::Create("", "", {"127.0.0.1"}, &error);
    ASSERT_TRUE(dtls_ && tls_) << error;
    ASSERT_TRUE(udp_.Bind("127.0.0.1", 0, &error)) << error;
    media_ = sfu::testing::V4(127, 0, 0, 1, udp_.port());
    turn_ = std::make_unique<TurnServer>(ioc_, demuxer_, udp_, stats_, tls_.get(),
                                         sfu::testing::TurnTestPolicy("s3cret", media_));
    ASSERT_TRUE(turn_->Bind("127.0.0.1", 0, &error)) << error;
    turn_->Start();
    transport_ = std::make_unique<WebRtcTransport>(
        WebRtcTransport::Params{kUfrag, kPwd, "sha-256", std::string(95, 'A')}, *dtls_, udp_,
        stats_, &events_);
    demuxer_.Add(kUfrag, transport_.get());
    ArmTick();  // as the shard's tick does: runs handshake work the pacer held back
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void ArmTick() {
    tick_.expires_after(std::chrono::milliseconds(20));
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      demuxer_.OnTick();
      ArmTick();
    });
  }
  void TearDown() override {
    std::promise<void> done;
    boost::asio::post(ioc_, [&] {
      tick_.cancel();
      demuxer_.Remove(transport_.get());
      turn_->Close();
      work_.reset();
      done.set_value();
    });
    done.get_future().wait();
    ioc_.stop();
    thread_.join();
  }

  std::vector<uint8_t> Request(uint16_t method, const std::function<void(wire::StunWriter&)>& attrs,
                               const std::string& nonce) {
    std::vector<uint8_t> buf(1024);
    std::array<uint8_t, 12> txid{};
    txid[11] = static_cast<uint8_t>(++txid_);
    wire::StunWriter w(buf, wire::StunType(method, StunClass::kRequest), txid);
    if (attrs) attrs(w);
    if (!nonce.empty()) {
      const std::string username = TurnRestUsername(std::time(nullptr) + 600, "attendee-1");
      w.AddString(wire::kStunAttrUsername, username);
      w.AddString(wire::kStunAttrRealm, "sfu");
      w.AddString(wire::kStunAttrNonce, nonce);
      w.AddMessageIntegrity(TurnRestLongTermKey("s3cret", username, "sfu"), &HmacSha1);
    }
    buf.resize(w.size());
    return buf;
  }
  // Allocate (challenge, then signed) and permit our media address. Returns the nonce.
  std::string AllocateAndPermit(Client& c) {
    const auto transport = [](wire::StunWriter& w) {
      w.AddUint32(wire::kStunAttrRequestedTransport, uint32_t{wire::kTurnTransportUdp} << 24);
    };
    c.Write(Request(wire::kTurnAllocate, transport, ""));
    auto challenge_bytes = c.Next();
    auto challenge = wire::StunMessageView::Parse(challenge_bytes);
    EXPECT_TRUE(challenge && challenge->ErrorCode() == 401);
    if (!challenge || !challenge->Nonce()) return "";
    const std::string nonce(*challenge->Nonce());
    c.Write(Request(wire::kTurnAllocate, transport, nonce));
    auto ok_bytes = c.Next();
    auto ok = wire::StunMessageView::Parse(ok_bytes);
    EXPECT_TRUE(ok && ok->type() == wire::StunType(wire::kTurnAllocate, StunClass::kSuccess));
    const wire::StunAddress media = media_;
    c.Write(Request(
        wire::kTurnCreatePermission,
        [media](wire::StunWriter& w) { w.AddXorAddress(wire::kStunAttrXorPeerAddress, media); },
        nonce));
    auto perm_bytes = c.Next();
    auto perm = wire::StunMessageView::Parse(perm_bytes);
    EXPECT_TRUE(perm &&
                perm->type() == wire::StunType(wire::kTurnCreatePermission, StunClass::kSuccess));
    return nonce;
  }

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      boost::asio::make_work_guard(ioc_)};
  TransportStats stats_;
  UdpEndpoint udp_{ioc_, stats_};
  EndpointDemuxer demuxer_{stats_};
  std::unique_ptr<DtlsContext> dtls_;
  std::unique_ptr<TlsServerContext> tls_;
  std::unique_ptr<TurnServer> turn_;
  boost::asio::steady_timer tick_{ioc_};
  sfu::testing::NullListener events_;
  std::unique_ptr<WebRtcTransport> transport_;
  wire::StunAddress media_;
  std::thread thread_;
  int txid_ = 0;
};

TEST_P(TurnServerTest, ARelayedIceCheckReachesTheTransportInProcess) {
  Client c(turn_->port(), GetParam());
  ASSERT_FALSE(AllocateAndPermit(c).empty());
  // An ICE check for our transport, sent to our media address through the relay.
  std::vector<uint8_t> check(256);
  std::array<uint8_t, 12> txid{7, 7, 7};
  {
    wire::StunWriter w(check, wire::kStunBindingRequest, txid);
    w.AddString(wire::kStunAttrUsername, std::string(kUfrag) + ":client");
    w.AddUint32(wire::kStunAttrPriority, 1);
    w.AddUint64(wire::kStunAttrIceControlling, 1);
    w.AddMessageIntegrity(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kPwd), sizeof(kPwd) - 1),
        &HmacSha1);
    w.AddFingerprint();
    check.resize(w.size());
  }
  std::vector<uint8_t> send(512);
  {
    wire::StunWriter w(send, wire::StunType(wire::kTurnSend, StunClass::kIndication), txid);
    w.AddXorAddress(wire::kStunAttrXorPeerAddress, media_);
    w.AddAttribute(wire::kStunAttrData, check);
    send.resize(w.size());
  }
  c.Write(send);
  auto data_bytes = c.Next();
  auto data = wire::StunMessageView::Parse(data_bytes);
  ASSERT_TRUE(data);
  ASSERT_EQ(data->type(), wire::StunType(wire::kTurnData, StunClass::kIndication));
  EXPECT_EQ(data->XorAddress(wire::kStunAttrXorPeerAddress), media_);
  auto inner = wire::StunMessageView::Parse(*data->Attribute(wire::kStunAttrData));
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->type(), wire::kStunBindingSuccess);
  // The transport saw it from the (virtual) relayed address, on the allocation's link.
  EXPECT_EQ(stats_.turn.relayed_to_peer.load(), 1u);
  EXPECT_EQ(stats_.turn.relayed_to_client.load(), 1u);
  EXPECT_EQ(stats_.turn.allocations.load(), 1u);
}

TEST_P(TurnServerTest, APeerThatIsNotOursIsRefused) {
  Client c(turn_->port(), GetParam());
  const std::string nonce = AllocateAndPermit(c);
  c.Write(Request(
      wire::kTurnCreatePermission,
      [](wire::StunWriter& w) {
        w.AddXorAddress(wire::kStunAttrXorPeerAddress, sfu::testing::V4(8, 8, 8, 8, 53));
      },
      nonce));
  auto bytes = c.Next();
  auto refused = wire::StunMessageView::Parse(bytes);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->ErrorCode(), 403);
  EXPECT_EQ(stats_.turn.peers_refused.load(), 1u);
}

TEST_P(TurnServerTest, AFramingLieClosesTheConnection) {
  Client c(turn_->port(), GetParam());
  c.Write({0x40, 0x00, 0xff, 0xff});  // ChannelData longer than any datagram
  EXPECT_TRUE(c.Next().empty());      // closed
  Client d(turn_->port(), GetParam());
  d.Write({0x99, 0, 0, 0});  // neither STUN nor ChannelData
  EXPECT_TRUE(d.Next().empty());
  EXPECT_EQ(stats_.turn_connections.closed_framing.load(), 2u);
}

INSTANTIATE_TEST_SUITE_P(TcpAndTls, TurnServerTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Tls" : "Tcp"; });

}  // namespace
}  // namespace sfu::transport

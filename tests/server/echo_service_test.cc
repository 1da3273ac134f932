// The echo endpoint end to end on loopback with our own client transport (ICE controlling,
// DTLS client, SRTP): media loops back with the server's SSRC, and bad input on the media port
// is dropped and counted while the session carries on.
#include "server/echo_service.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "loadtest/client_transport.h"
#include "sfu/shard_set.h"
#include "signaling/sdp/session_description.h"
#include "transport/crypto/hmac_sha1.h"
#include "transport/dtls/dtls_context.h"
#include "transport/wire/stun_message.h"

namespace sfu {
namespace {
namespace asio = boost::asio;

template <class F>
bool WaitFor(F f, int ms = 5000) {
  for (int i = 0; i < ms / 10; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

std::vector<uint8_t> Rtp(uint32_t ssrc, uint16_t seq, size_t payload = 160) {
  std::vector<uint8_t> p(12 + payload, 0xab);
  p[0] = 0x80;
  p[1] = 111;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  const uint32_t ts = seq * 960u;
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  return p;
}

uint32_t SsrcOf(std::span<const uint8_t> p) {
  return (static_cast<uint32_t>(p[8]) << 24) | (p[9] << 16) | (p[10] << 8) | p[11];
}

class EchoSessionTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kClientSsrc = 1111;

  template <class F>
  auto RunOnIo(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    asio::post(io_, [&task] { task(); });
    return fut.get();
  }

  void SetUp() override {
    std::string error;
    server_dtls_ = transport::DtlsContext::Create(&error);
    client_dtls_ = transport::DtlsContext::Create(&error);
    ASSERT_TRUE(server_dtls_ && client_dtls_) << error;
    shards_ = std::make_unique<ShardSet>(1, "127.0.0.1", 0, server_dtls_.get());
    ASSERT_TRUE(shards_->Start(&error)) << error;
    echo_ = std::make_unique<server::EchoService>(*shards_, *server_dtls_,
                                                  std::vector<std::string>{"127.0.0.1"});
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    RunOnIo([this] { client_.reset(); });
    work_.reset();
    io_.stop();
    io_thread_.join();
    shards_->Stop();
  }

  std::string Offer() const {
    return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
           "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
           "a=ice-ufrag:cliu\r\na=ice-pwd:clientpassword0123456789\r\n"
           "a=fingerprint:sha-256 " +
           client_dtls_->fingerprint() +
           "\r\na=setup:actpass\r\n"
           "a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
           "a=rtcp-fb:111 nack\r\na=ssrc:1111 cname:test\r\n";
  }

  // Offers, connects the client and returns the server's SSRC for our stream.
  uint32_t Connect() {
    server::EchoService::Result r = echo_->Offer(Offer());
    EXPECT_EQ(r.status, 201) << r.body;
    auto answer = sdp::Parse(r.body);
    EXPECT_TRUE(answer.description) << answer.error;
    const sdp::MediaSection& m = answer.description->media.at(0);
    loadtest::ClientTransportParams p;
    p.server_port = shards_->shard(0).media_port();
    p.server_ufrag = m.ice_ufrag;
    p.server_pwd = m.ice_pwd;
    p.server_fingerprint = m.fingerprint;
    p.local_ufrag = "cliu";
    p.local_pwd = "clientpassword0123456789";
    server_ufrag_ = m.ice_ufrag;
    loadtest::ClientTransport::Callbacks cb;
    cb.on_connected = [this] { connected_ = true; };
    cb.on_rtp = [this](std::span<const uint8_t> p) {
      last_echo_ssrc_ = SsrcOf(p);
      ++echoes_;
    };
    RunOnIo([&] {
      client_ = std::make_unique<loadtest::ClientTransport>(io_, *client_dtls_, p, cb);
      client_->Start();
    });
    EXPECT_TRUE(WaitFor([this] { return connected_.load(); })) << "DTLS did not connect";
    return m.Ssrcs().empty() ? 0 : m.Ssrcs()[0];
  }

  // Sends n RTP packets and waits until n more echoes arrived.
  bool EchoRoundTrip(int n) {
    const uint64_t before = echoes_;
    RunOnIo([&] {
      for (int i = 0; i < n; ++i) client_->SendRtp(Rtp(kClientSsrc, seq_++));
      return 0;
    });
    return WaitFor([&] { return echoes_ >= before + static_cast<uint64_t>(n); });
  }

  uint64_t Drops(DropReason r) const {
    return shards_->Stats()[0]->drops[static_cast<size_t>(r)].load();
  }

  std::unique_ptr<transport::DtlsContext> server_dtls_, client_dtls_;
  std::unique_ptr<ShardSet> shards_;
  std::unique_ptr<server::EchoService> echo_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread io_thread_;
  std::unique_ptr<loadtest::ClientTransport> client_;
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> echoes_{0};
  std::atomic<uint32_t> last_echo_ssrc_{0};
  std::string server_ufrag_;
  uint16_t seq_ = 1000;
};

TEST_F(EchoSessionTest, MediaLoopsBackWithTheServersSsrc) {
  const uint32_t server_ssrc = Connect();
  ASSERT_NE(server_ssrc, 0u);
  EXPECT_EQ(RunOnIo([this] { return client_->dtls_version(); }), "DTLSv1.2");
  EXPECT_EQ(RunOnIo([this] { return client_->srtp_profile(); }),
            transport::SrtpProfile::kAeadAes128Gcm);
  ASSERT_TRUE(EchoRoundTrip(20));
  EXPECT_EQ(last_echo_ssrc_.load(), server_ssrc);
  const ShardStats& s = *shards_->Stats()[0];
  EXPECT_EQ(s.dtls_handshakes_ok.load(), 1u);
  EXPECT_GE(s.rtp_packets_in.load(), 20u);
  EXPECT_EQ(s.transports.load(), 1);
}

TEST_F(EchoSessionTest, BadInputIsDroppedAndCountedWhileTheSessionCarriesOn) {
  Connect();
  ASSERT_TRUE(EchoRoundTrip(5));

  // From a stranger's socket.
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(shards_->shard(0).media_port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto send = [&](const std::vector<uint8_t>& d) {
    ::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  };
  const uint64_t malformed0 = Drops(DropReason::kMalformed);
  // Random datagrams of every first-byte class nobody owns.
  for (int i = 0; i < 50; ++i) {
    std::vector<uint8_t> d(1 + (i * 37) % 300);
    for (size_t k = 0; k < d.size(); ++k) d[k] = static_cast<uint8_t>((i * 131 + k * 7) ^ 0x5a);
    d[0] = static_cast<uint8_t>(64 + i % 64);  // TURN channel / reserved ranges: malformed
    send(d);
  }
  // Truncated STUN.
  send({0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3});
  // Oversized datagram (larger than any slot accepts).
  send(std::vector<uint8_t>(1900, 0x00));
  // STUN for our session with a wrong password (answered 401, counted).
  {
    const uint8_t txid[12] = {9};
    uint8_t buf[256];
    wire::StunWriter w(buf, wire::kStunBindingRequest, txid);
    w.AddString(wire::kStunAttrUsername, server_ufrag_ + ":cliu");
    w.AddUint64(wire::kStunAttrIceControlling, 1);
    const std::string bad = "not-the-password";
    w.AddMessageIntegrity(std::span(reinterpret_cast<const uint8_t*>(bad.data()), bad.size()),
                          &transport::HmacSha1);
    w.AddFingerprint();
    send(std::vector<uint8_t>(buf, buf + w.size()));
  }
  // DTLS and SRTP from an address no transport owns.
  send({22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4});
  send(Rtp(kClientSsrc, 1));
  ::close(fd);
  EXPECT_TRUE(WaitFor([&] { return Drops(DropReason::kNoTransport) >= 2; }));
  EXPECT_TRUE(WaitFor([&] { return Drops(DropReason::kBadCredentials) >= 1; }));
  EXPECT_TRUE(WaitFor([&] { return Drops(DropReason::kTooLarge) >= 1; }));
  EXPECT_GE(Drops(DropReason::kMalformed), malformed0 + 51);

  // From the connected client's own address: SRTP with wrong keys, a replay, RTCP with lying
  // lengths inside a valid SRTCP packet.
  const ShardStats& s = *shards_->Stats()[0];
  RunOnIo([&] {
    std::vector<uint8_t> key(28, 0x42);
    auto wrong = transport::SrtpSession::Create(transport::SrtpProfile::kAeadAes128Gcm, key,
                                                transport::SrtpSession::Direction::kOutbound);
    auto pkt = Rtp(kClientSsrc, 50000);
    pkt.resize(pkt.size() + 200);
    size_t len = 172;
    wrong->ProtectRtp(pkt.data(), &len, pkt.size());
    client_->SendRaw(std::span(pkt.data(), len));
    const auto valid = client_->ProtectRtp(Rtp(kClientSsrc, 50001));
    client_->SendRaw(valid);
    client_->SendRaw(valid);  // replay
    const std::vector<uint8_t> lying = {0x81, 206, 0x00, 0x40, 0, 0,
                                        0,    1,   0,    0,    0, 2};  // says 260 bytes
    client_->SendRtcp(lying);
    return 0;
  });
  const uint64_t malformed_before_media = malformed0 + 51;
  EXPECT_TRUE(WaitFor([&] { return Drops(DropReason::kMalformed) >= malformed_before_media + 1; }))
      << "authentic SRTCP whose compound lengths lie is dropped and counted";
  EXPECT_TRUE(WaitFor([&] {
    return s.srtp_errors[static_cast<size_t>(transport::SrtpResult::kAuthFail)].load() >= 1;
  }));
  EXPECT_TRUE(WaitFor([&] {
    return s.srtp_errors[static_cast<size_t>(transport::SrtpResult::kReplay)].load() >= 1;
  }));

  // The session is unharmed.
  EXPECT_TRUE(EchoRoundTrip(10));
  EXPECT_EQ(s.transports.load(), 1);
}

// Another attendee who knows its own ICE credentials sends a valid check for its own transport
// from this client's 5-tuple (spoofed): the address must stay with the transport that owns it,
// so the victim's media keeps flowing and the attacker gets nothing.
TEST_F(EchoSessionTest, AValidCheckCannotTakeAnotherTransportsAddress) {
  Connect();
  ASSERT_TRUE(EchoRoundTrip(5));
  server::EchoService::Result other = echo_->Offer(Offer());
  ASSERT_EQ(other.status, 201) << other.body;
  auto answer = sdp::Parse(other.body);
  ASSERT_TRUE(answer.description);
  const sdp::MediaSection& m = answer.description->media.at(0);
  ASSERT_NE(m.ice_ufrag, server_ufrag_);
  const uint64_t taken0 = Drops(DropReason::kAddressTaken);
  RunOnIo([&] {
    const uint8_t txid[12] = {7, 7};
    uint8_t buf[256];
    wire::StunWriter w(buf, wire::kStunBindingRequest, txid);
    w.AddString(wire::kStunAttrUsername, m.ice_ufrag + ":cliu");
    w.AddUint32(wire::kStunAttrPriority, 1853824767);
    w.AddUint64(wire::kStunAttrIceControlling, 2);
    w.AddFlag(wire::kStunAttrUseCandidate);
    w.AddMessageIntegrity(
        std::span(reinterpret_cast<const uint8_t*>(m.ice_pwd.data()), m.ice_pwd.size()),
        &transport::HmacSha1);
    w.AddFingerprint();
    client_->SendRaw(std::span(buf, w.size()));
    return 0;
  });
  EXPECT_TRUE(WaitFor([&] { return Drops(DropReason::kAddressTaken) >= taken0 + 1; }));
  EXPECT_TRUE(EchoRoundTrip(10)) << "the victim's media must still reach its own transport";
}

TEST_F(EchoSessionTest, RejectsBadOffers) {
  EXPECT_EQ(echo_->Offer("garbage").status, 400);
  EXPECT_EQ(echo_->Offer("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n").status,
            400);  // no ICE
  std::string no_mux = Offer();
  no_mux.replace(no_mux.find("a=rtcp-mux\r\n"), 12, "");
  EXPECT_EQ(echo_->Offer(no_mux).status, 400);
  std::string no_fp = Offer();
  no_fp.replace(no_fp.find("a=fingerprint"), no_fp.find("a=setup") - no_fp.find("a=fingerprint"),
                "");
  EXPECT_EQ(echo_->Offer(no_fp).status, 400);
}

}  // namespace
}  // namespace sfu

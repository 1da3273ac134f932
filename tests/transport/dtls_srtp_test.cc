// A real DTLS 1.2 handshake between our server and client sessions in memory, then SRTP with the
// exported keys; fingerprint mismatch, retransmission after loss.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <deque>
#include <thread>
#include <vector>

#include "transport/dtls/dtls_context.h"
#include "transport/dtls/dtls_session.h"
#include "transport/srtp/srtp_session.h"

namespace sfu::transport {
namespace {

struct Peer : DtlsSession::Listener {
  std::deque<std::vector<uint8_t>> outbox;
  bool connected = false;
  bool failed = false;
  std::string fail_reason;
  SrtpKeys keys;
  std::vector<uint8_t> app_data;
  void OnDtlsSend(std::span<const uint8_t> d) override { outbox.emplace_back(d.begin(), d.end()); }
  void OnDtlsConnected(const SrtpKeys& k) override {
    connected = true;
    keys = k;
  }
  void OnDtlsApplicationData(std::span<const uint8_t> d) override {
    app_data.assign(d.begin(), d.end());
  }
  void OnDtlsFailed(const std::string& r) override {
    failed = true;
    fail_reason = r;
  }
  void OnDtlsClosed() override {}
};

class DtlsSrtpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    server_ctx_ = DtlsContext::Create(&error).release();
    client_ctx_ = DtlsContext::Create(&error).release();
    ASSERT_NE(server_ctx_, nullptr) << error;
  }
  // Moves datagrams both ways until quiet; drop_first drops the first server flight.
  void Pump(DtlsSession& server, Peer& sp, DtlsSession& client, Peer& cp,
            int drop_server_flights = 0) {
    for (int i = 0; i < 50 && (!sp.outbox.empty() || !cp.outbox.empty()); ++i) {
      while (!cp.outbox.empty()) {
        auto d = std::move(cp.outbox.front());
        cp.outbox.pop_front();
        server.OnDatagram(d);
      }
      while (!sp.outbox.empty()) {
        auto d = std::move(sp.outbox.front());
        sp.outbox.pop_front();
        if (drop_server_flights > 0) {
          --drop_server_flights;
          continue;
        }
        client.OnDatagram(d);
      }
    }
  }
  static DtlsContext* server_ctx_;
  static DtlsContext* client_ctx_;
};
DtlsContext* DtlsSrtpTest::server_ctx_ = nullptr;
DtlsContext* DtlsSrtpTest::client_ctx_ = nullptr;

TEST_F(DtlsSrtpTest, HandshakeExportsMirroredKeysAndSrtpWorks) {
  Peer sp, cp;
  DtlsSession server(*server_ctx_, DtlsSession::Role::kServer, "sha-256",
                     client_ctx_->fingerprint(), &sp);
  DtlsSession client(*client_ctx_, DtlsSession::Role::kClient, "sha-256",
                     server_ctx_->fingerprint(), &cp);
  server.Start();
  client.Start();
  Pump(server, sp, client, cp);
  ASSERT_TRUE(sp.connected) << sp.fail_reason;
  ASSERT_TRUE(cp.connected) << cp.fail_reason;
  EXPECT_EQ(server.version(), "DTLSv1.2");
  EXPECT_EQ(server.srtp_profile(), SrtpProfile::kAeadAes128Gcm);  // our preference wins
  EXPECT_EQ(sp.keys.length, 28u);
  EXPECT_EQ(sp.keys.local, cp.keys.remote);
  EXPECT_EQ(sp.keys.remote, cp.keys.local);

  auto tx = SrtpSession::Create(cp.keys.profile, std::span(cp.keys.local.data(), cp.keys.length),
                                SrtpSession::Direction::kOutbound);
  auto rx = SrtpSession::Create(sp.keys.profile, std::span(sp.keys.remote.data(), sp.keys.length),
                                SrtpSession::Direction::kInbound);
  ASSERT_TRUE(tx && rx);
  uint8_t pkt[1500] = {0x80, 111, 0x12, 0x34, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};
  for (int i = 12; i < 112; ++i) pkt[i] = static_cast<uint8_t>(i);
  const std::vector<uint8_t> plain(pkt, pkt + 112);
  size_t len = 112;
  ASSERT_EQ(tx->ProtectRtp(pkt, &len, sizeof(pkt)), SrtpResult::kOk);
  EXPECT_EQ(len, 112u + 16u);  // GCM tag
  std::vector<uint8_t> protected_copy(pkt, pkt + len);
  ASSERT_EQ(rx->UnprotectRtp(pkt, &len), SrtpResult::kOk);
  EXPECT_EQ(std::vector<uint8_t>(pkt, pkt + len), plain);
  // Replay of the same protected packet is refused.
  len = protected_copy.size();
  std::copy(protected_copy.begin(), protected_copy.end(), pkt);
  EXPECT_EQ(rx->UnprotectRtp(pkt, &len), SrtpResult::kReplay);

  // Application data (what SCTP rides on) both ways.
  const uint8_t hello[] = {1, 2, 3};
  ASSERT_TRUE(client.SendApplicationData(hello));
  Pump(server, sp, client, cp);
  EXPECT_EQ(sp.app_data, std::vector<uint8_t>(hello, hello + 3));
}

// A peer asking to renegotiate after the handshake is refused (no second handshake on the
// shard): the context carries SSL_OP_NO_RENEGOTIATION.
TEST_F(DtlsSrtpTest, RenegotiationIsRefused) {
  EXPECT_NE(SSL_CTX_get_options(server_ctx_->ctx()) & SSL_OP_NO_RENEGOTIATION, 0u);
}

TEST_F(DtlsSrtpTest, WrongFingerprintFails) {
  Peer sp, cp;
  DtlsSession server(*server_ctx_, DtlsSession::Role::kServer, "sha-256",
                     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:"
                     "99:AA:BB:CC:DD:EE:FF",
                     &sp);
  DtlsSession client(*client_ctx_, DtlsSession::Role::kClient, "sha-256",
                     server_ctx_->fingerprint(), &cp);
  server.Start();
  client.Start();
  Pump(server, sp, client, cp);
  EXPECT_FALSE(sp.connected);
  EXPECT_TRUE(sp.failed);
  EXPECT_NE(sp.fail_reason.find("fingerprint"), std::string::npos);
}

TEST_F(DtlsSrtpTest, RecoversFromALostFlightByRetransmission) {
  Peer sp, cp;
  DtlsSession server(*server_ctx_, DtlsSession::Role::kServer, "sha-256",
                     client_ctx_->fingerprint(), &sp);
  DtlsSession client(*client_ctx_, DtlsSession::Role::kClient, "sha-256",
                     server_ctx_->fingerprint(), &cp);
  server.Start();
  client.Start();
  Pump(server, sp, client, cp, /*drop_server_flights=*/1);
  EXPECT_FALSE(cp.connected);
  const int64_t wait_ms = client.NextTimeoutMs();
  ASSERT_GT(wait_ms, 0);
  // The timer is the owner's; OpenSSL checks real time, so let the first timeout (1 s) pass.
  std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms + 20));
  client.OnTimeout();
  Pump(server, sp, client, cp);
  EXPECT_TRUE(sp.connected);
  EXPECT_TRUE(cp.connected);
}

TEST_F(DtlsSrtpTest, GarbageDatagramsDoNotBreakTheSession) {
  Peer sp, cp;
  DtlsSession server(*server_ctx_, DtlsSession::Role::kServer, "sha-256",
                     client_ctx_->fingerprint(), &sp);
  const uint8_t junk[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2};
  server.OnDatagram(junk);
  DtlsSession client(*client_ctx_, DtlsSession::Role::kClient, "sha-256",
                     server_ctx_->fingerprint(), &cp);
  client.Start();
  Pump(server, sp, client, cp);
  EXPECT_TRUE(sp.connected) << sp.fail_reason;
}

TEST(SrtpSessionTest, AesCmRoundTripWrongKeyAndTamper) {
  std::vector<uint8_t> key(30);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7);
  auto tx =
      SrtpSession::Create(SrtpProfile::kAes128CmSha1_80, key, SrtpSession::Direction::kOutbound);
  auto rx =
      SrtpSession::Create(SrtpProfile::kAes128CmSha1_80, key, SrtpSession::Direction::kInbound);
  key[0] ^= 1;
  auto wrong =
      SrtpSession::Create(SrtpProfile::kAes128CmSha1_80, key, SrtpSession::Direction::kInbound);
  ASSERT_TRUE(tx && rx && wrong);
  uint8_t pkt[256] = {0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9};
  size_t len = 60;
  ASSERT_EQ(tx->ProtectRtp(pkt, &len, sizeof(pkt)), SrtpResult::kOk);
  EXPECT_EQ(len, 70u);  // 80-bit tag
  uint8_t copy[256];
  std::copy(pkt, pkt + len, copy);
  size_t l2 = len;
  EXPECT_EQ(wrong->UnprotectRtp(copy, &l2), SrtpResult::kAuthFail);
  std::copy(pkt, pkt + len, copy);
  copy[20] ^= 0xff;
  l2 = len;
  EXPECT_EQ(rx->UnprotectRtp(copy, &l2), SrtpResult::kAuthFail);
  EXPECT_EQ(rx->UnprotectRtp(pkt, &len), SrtpResult::kOk);
  EXPECT_EQ(len, 60u);
  // RTCP too.
  uint8_t rtcp[256] = {0x81, 201, 0, 7, 0, 0, 0, 9};
  size_t rl = 32;
  ASSERT_EQ(tx->ProtectRtcp(rtcp, &rl, sizeof(rtcp)), SrtpResult::kOk);
  EXPECT_EQ(rx->UnprotectRtcp(rtcp, &rl), SrtpResult::kOk);
  EXPECT_EQ(rl, 32u);
  // Too small buffers and packets are refused, not crashed on.
  size_t tiny = 4;
  EXPECT_EQ(rx->UnprotectRtp(pkt, &tiny), SrtpResult::kBadParam);
  size_t full = 250;
  EXPECT_EQ(tx->ProtectRtp(pkt, &full, 256), SrtpResult::kNoSpace);
}

}  // namespace
}  // namespace sfu::transport

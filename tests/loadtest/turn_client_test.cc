// TurnClient (the reference client's TURN allocation) against the server's TurnSession, in
// memory: the 401 challenge answered with the long-term key, then CreatePermission and
// ChannelBind for the peer; datagrams both ways as ChannelData (padded, over a stream); a Data
// indication from the peer delivered too; wrong credentials and a refused peer fail it; the
// allocation and the channel are refreshed before they lapse; a stale nonce is retried.
#include "loadtest/turn_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/transport/transport_test_util.h"
#include "transport/crypto/turn_credentials.h"
#include "transport/turn/turn_session.h"
#include "transport/wire/stream_framing.h"
#include "transport/wire/turn_message.h"

namespace sfu::loadtest {
namespace {

using sfu::testing::V4;

constexpr int64_t kNowS = 1'800'000'000;
const wire::StunAddress kMedia = V4(127, 0, 0, 1, 3478);

// The server's side: a TurnSession whose messages for the client are collected as a stream.
struct Server : transport::TurnSession::Sink {
  std::vector<uint8_t> to_client;  // the stream's bytes
  std::vector<std::vector<uint8_t>> to_peer;
  void ToClient(std::span<const uint8_t> m) override {
    to_client.insert(to_client.end(), m.begin(), m.end());
  }
  void ToPeer(const wire::StunAddress& peer, uint8_t* data, size_t len, size_t) override {
    EXPECT_EQ(peer, kMedia);
    to_peer.emplace_back(data, data + len);
  }
};

class TurnClientTest : public ::testing::Test {
 protected:
  static transport::TurnPolicy Policy() {
    transport::TurnPolicy p = sfu::testing::TurnTestPolicy("s3cret", kMedia, kNowS);
    p.default_lifetime_s = 600;
    return p;
  }
  static std::string Username() { return transport::TurnRestUsername(kNowS + 3600, "att-1"); }

  // Starts another client and runs it by hand against the same session, what it writes in a
  // round taken as one message (one request at a time), until it is silent or 4 rounds passed.
  void DriveByHand(TurnClient& other) {
    std::vector<uint8_t> out;
    other.Start(&out);
    for (int i = 0; i < 4 && !out.empty(); ++i) {
      out.resize(out.size() + 256);
      session_.OnMessage(out.data(), out.size() - 256, out.size(), now_ms_);
      out.clear();
      std::vector<uint8_t> stream;
      stream.swap(server_.to_client);
      other.OnMessage(stream, now_ms_, &out);
    }
  }

  // Moves bytes both ways until neither side has anything to say; returns the datagrams the
  // client got from the peer.
  std::vector<std::vector<uint8_t>> Pump(std::vector<uint8_t> from_client) {
    std::vector<std::vector<uint8_t>> relayed;
    for (int round = 0; round < 10 && (!from_client.empty() || !server_.to_client.empty());
         ++round) {
      // Client -> server, framed as the server's connection frames its stream.
      size_t at = 0;
      for (;;) {
        const std::span<const uint8_t> rest(from_client.data() + at, from_client.size() - at);
        const auto d = wire::NextTurnStreamFrame(rest, 4096);
        if (d.kind != wire::FrameDecision::kFrame) break;
        std::vector<uint8_t> m(rest.begin(), rest.begin() + static_cast<ptrdiff_t>(d.size));
        m.resize(m.size() + 256);
        session_.OnMessage(m.data(), d.size, m.size(), now_ms_);
        at += d.size;
      }
      EXPECT_EQ(at, from_client.size()) << "the client wrote a partial message";
      from_client.clear();
      // Server -> client.
      std::vector<uint8_t> stream;
      stream.swap(server_.to_client);
      at = 0;
      for (;;) {
        const std::span<const uint8_t> rest(stream.data() + at, stream.size() - at);
        const auto d = wire::NextTurnStreamFrame(rest, 4096);
        if (d.kind != wire::FrameDecision::kFrame) break;
        if (auto dg = client_.OnMessage(rest.subspan(0, d.size), now_ms_, &from_client))
          relayed.emplace_back(dg->begin(), dg->end());
        at += d.size;
      }
      EXPECT_EQ(at, stream.size());
    }
    return relayed;
  }

  void Connect() {
    std::vector<uint8_t> out;
    client_.Start(&out);
    Pump(out);
  }

  transport::TurnPolicy policy_ = Policy();
  transport::TurnStats stats_;
  Server server_;
  int64_t now_ms_ = 1'000'000;
  transport::TurnSession session_{policy_, stats_,   server_, V4(127, 0, 0, 1, 50000),
                                  49152,   "nonce-1"};
  TurnClient client_{Username(), transport::TurnRestPassword("s3cret", Username()), kMedia};
};

TEST_F(TurnClientTest, AllocatesPermitsBindsAndRelaysChannelDataBothWays) {
  Connect();
  ASSERT_TRUE(client_.ready()) << client_.error();
  EXPECT_EQ(stats_.allocations.load(), 1u);
  EXPECT_EQ(client_.relayed().port, 49152);
  // Client -> peer: ChannelData, padded to 4 bytes on the stream.
  const std::vector<uint8_t> datagram = {0x80, 0x60, 1, 2, 3};
  std::vector<uint8_t> out;
  ASSERT_TRUE(client_.Wrap(datagram, &out));
  EXPECT_EQ(out.size(), 4u + 8u);
  EXPECT_EQ(out[0], 0x40);
  Pump(out);
  ASSERT_EQ(server_.to_peer.size(), 1u);
  EXPECT_EQ(server_.to_peer[0], datagram);
  // Peer -> client: ChannelData on the bound channel.
  ASSERT_TRUE(session_.FromPeer(kMedia, datagram, now_ms_));
  auto relayed = Pump({});
  ASSERT_EQ(relayed.size(), 1u);
  EXPECT_EQ(relayed[0], datagram);
}

TEST_F(TurnClientTest, NothingIsWrappedBeforeTheChannelIsBound) {
  std::vector<uint8_t> out;
  EXPECT_FALSE(client_.Wrap(std::vector<uint8_t>{1, 2, 3}, &out));
  client_.Start(&out);
  const size_t request = out.size();
  EXPECT_FALSE(client_.Wrap(std::vector<uint8_t>{1, 2, 3}, &out));
  EXPECT_EQ(out.size(), request);
}

TEST_F(TurnClientTest, ADataIndicationFromThePeerIsDelivered) {
  Connect();
  uint8_t buf[256];
  const std::array<uint8_t, 12> txid{1};
  wire::StunWriter w(buf, wire::StunType(wire::kTurnData, wire::StunClass::kIndication), txid);
  w.AddXorAddress(wire::kStunAttrXorPeerAddress, kMedia);
  const std::vector<uint8_t> datagram = {9, 8, 7};
  w.AddAttribute(wire::kStunAttrData, datagram);
  std::vector<uint8_t> out;
  auto got = client_.OnMessage(std::span<const uint8_t>(buf, w.size()), now_ms_, &out);
  ASSERT_TRUE(got);
  EXPECT_EQ(std::vector<uint8_t>(got->begin(), got->end()), datagram);
  // From another address: not the peer's.
  wire::StunWriter x(buf, wire::StunType(wire::kTurnData, wire::StunClass::kIndication), txid);
  x.AddXorAddress(wire::kStunAttrXorPeerAddress, V4(10, 0, 0, 1, 3478));
  x.AddAttribute(wire::kStunAttrData, datagram);
  EXPECT_FALSE(client_.OnMessage(std::span<const uint8_t>(buf, x.size()), now_ms_, &out));
}

TEST_F(TurnClientTest, WrongPasswordFails) {
  TurnClient wrong(Username(), "not-the-password", kMedia);
  DriveByHand(wrong);
  EXPECT_TRUE(wrong.failed());
  EXPECT_FALSE(wrong.ready());
  EXPECT_NE(wrong.error().find("401"), std::string::npos) << wrong.error();
  EXPECT_EQ(stats_.auth_failures.load(), 1u);
}

TEST_F(TurnClientTest, APeerTheServerRefusesFails) {
  TurnClient elsewhere(Username(), transport::TurnRestPassword("s3cret", Username()),
                       V4(8, 8, 8, 8, 53));
  DriveByHand(elsewhere);
  EXPECT_TRUE(elsewhere.failed());
  EXPECT_NE(elsewhere.error().find("CreatePermission refused: 403"), std::string::npos)
      << elsewhere.error();
}

TEST_F(TurnClientTest, RefreshesTheAllocationAndTheChannelBeforeTheyLapse) {
  Connect();
  ASSERT_TRUE(client_.ready());
  std::vector<uint8_t> out;
  client_.OnTick(now_ms_ + 1000, &out);
  EXPECT_TRUE(out.empty());  // nothing due yet
  // Ten minutes later, ticking every 10 s as the transport does (every 50 ms, really).
  for (int i = 0; i < 60; ++i) {
    now_ms_ += 10'000;
    client_.OnTick(now_ms_, &out);
    Pump(out);
    out.clear();
  }
  EXPECT_TRUE(session_.allocated(now_ms_));
  ASSERT_TRUE(session_.FromPeer(kMedia, std::vector<uint8_t>{1, 2, 3, 4}, now_ms_));
  EXPECT_EQ(Pump({}).size(), 1u);  // the channel and its permission are alive too
  EXPECT_TRUE(client_.ready());
}

TEST_F(TurnClientTest, AStaleNonceIsRetriedWithTheNewOne) {
  Connect();
  ASSERT_TRUE(client_.ready());
  // The same client on a session whose nonce differs (as after a server restart would be, on a
  // new connection): its next signed request is answered 438 with the new nonce and retried.
  transport::TurnSession other(policy_, stats_, server_, V4(127, 0, 0, 1, 50001), 49153, "nonce-2");
  std::vector<uint8_t> out;
  now_ms_ += TurnClient::kChannelRefreshMs;
  client_.OnTick(now_ms_, &out);  // a ChannelBind, signed with nonce-1
  ASSERT_FALSE(out.empty());
  out.resize(out.size() + 256);
  other.OnMessage(out.data(), out.size() - 256, out.size(), now_ms_);
  std::vector<uint8_t> stream;
  stream.swap(server_.to_client);
  auto answer = wire::StunMessageView::Parse(stream);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->ErrorCode(), 438);
  std::vector<uint8_t> retry;
  client_.OnMessage(stream, now_ms_, &retry);
  ASSERT_FALSE(retry.empty());
  auto again = wire::StunMessageView::Parse(retry);
  ASSERT_TRUE(again && again->Nonce());
  EXPECT_EQ(*again->Nonce(), "nonce-2");
  EXPECT_FALSE(client_.failed());
}

}  // namespace
}  // namespace sfu::loadtest

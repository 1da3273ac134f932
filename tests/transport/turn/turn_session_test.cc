// TurnSession: the long-term credential exchange with REST usernames, allocations, and the
// rule that makes it not an open relay (only this shard's media addresses are peers); bad
// input refused and counted.
#include "transport/turn/turn_session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/transport/transport_test_util.h"
#include "transport/crypto/hmac_sha1.h"
#include "transport/crypto/turn_credentials.h"
#include "transport/wire/turn_message.h"

namespace sfu::transport {
namespace {

using sfu::testing::V4;
using wire::StunClass;

constexpr int64_t kNowS = 1'800'000'000;
const wire::StunAddress kMedia = V4(127, 0, 0, 1, 3478);
const wire::StunAddress kClient = V4(127, 0, 0, 1, 50000);

struct Recorder : TurnSession::Sink {
  std::vector<std::vector<uint8_t>> to_client;
  std::vector<std::pair<wire::StunAddress, std::vector<uint8_t>>> to_peer;
  void ToClient(std::span<const uint8_t> m) override { to_client.emplace_back(m.begin(), m.end()); }
  void ToPeer(const wire::StunAddress& peer, uint8_t* data, size_t len, size_t) override {
    to_peer.emplace_back(peer, std::vector<uint8_t>(data, data + len));
  }
};

class TurnSessionTest : public ::testing::Test {
 protected:
  static TurnPolicy Policy() { return sfu::testing::TurnTestPolicy("s3cret", kMedia, kNowS); }

  // A request of `method` signed with REST credentials for `user` expiring at `expiry` (or
  // unsigned when `sign` is false); `attrs` adds the method's attributes.
  std::vector<uint8_t> Request(uint16_t method, const std::function<void(wire::StunWriter&)>& attrs,
                               bool sign = true, int64_t expiry = kNowS + 3600,
                               std::string secret = "s3cret", std::string nonce = "") {
    std::vector<uint8_t> buf(1024);
    std::array<uint8_t, 12> txid{};
    txid[11] = static_cast<uint8_t>(++txid_counter_);
    wire::StunWriter w(buf, wire::StunType(method, StunClass::kRequest), txid);
    if (attrs) attrs(w);
    if (sign) {
      const std::string username = TurnRestUsername(expiry, "attendee-1");
      w.AddString(wire::kStunAttrUsername, username);
      w.AddString(wire::kStunAttrRealm, "sfu");
      w.AddString(wire::kStunAttrNonce, nonce.empty() ? nonce_ : nonce);
      const auto key = TurnRestLongTermKey(secret, username, "sfu");
      w.AddMessageIntegrity(key, &HmacSha1);
    }
    buf.resize(w.size());
    return buf;
  }
  void Feed(std::vector<uint8_t> m) {
    m.resize(m.size() + 256);  // room, as a connection's slot has
    session_.OnMessage(m.data(), m.size() - 256, m.size(), now_ms_);
  }
  std::optional<wire::StunMessageView> LastAnswer() {
    if (sink_.to_client.empty()) return std::nullopt;
    return wire::StunMessageView::Parse(sink_.to_client.back());
  }
  std::vector<uint8_t> Allocate() {
    return Request(wire::kTurnAllocate, [](wire::StunWriter& w) {
      w.AddUint32(wire::kStunAttrRequestedTransport, uint32_t{wire::kTurnTransportUdp} << 24);
    });
  }
  void MustAllocate() {
    Feed(Allocate());
    auto a = LastAnswer();
    ASSERT_TRUE(a);
    ASSERT_EQ(a->type(), wire::StunType(wire::kTurnAllocate, StunClass::kSuccess));
  }

  TurnPolicy policy_ = Policy();
  TurnStats stats_;
  Recorder sink_;
  std::string nonce_ = "nonce-abc";
  TurnSession session_{policy_, stats_, sink_, kClient, 49152, nonce_};
  int64_t now_ms_ = 1000;
  int txid_counter_ = 0;
};

TEST_F(TurnSessionTest, AnUnsignedAllocateIsChallengedWithRealmAndNonce) {
  Feed(Request(wire::kTurnAllocate, nullptr, /*sign=*/false));
  auto a = LastAnswer();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ErrorCode(), 401);
  EXPECT_EQ(a->Realm(), "sfu");
  EXPECT_EQ(a->Nonce(), nonce_);
  EXPECT_FALSE(session_.allocated(now_ms_));
  EXPECT_EQ(stats_.auth_failures.load(), 0u);  // a challenge is not a failure
}

TEST_F(TurnSessionTest, RestCredentialsAllocateAndTheAnswerIsSigned) {
  MustAllocate();
  auto a = LastAnswer();
  const auto relayed = a->XorAddress(wire::kStunAttrXorRelayedAddress);
  ASSERT_TRUE(relayed);
  EXPECT_EQ(*relayed, V4(127, 0, 0, 1, 49152));
  EXPECT_EQ(a->XorMappedAddress(), kClient);
  EXPECT_EQ(a->Uint32(wire::kStunAttrLifetime), 600u);
  const auto key =
      TurnRestLongTermKey("s3cret", TurnRestUsername(kNowS + 3600, "attendee-1"), "sfu");
  EXPECT_TRUE(a->CheckMessageIntegrity(key, &HmacSha1));
  EXPECT_TRUE(session_.allocated(now_ms_));
  EXPECT_EQ(stats_.allocations.load(), 1u);
}

TEST_F(TurnSessionTest, WrongSecretExpiredUsernameAndStaleNonceAreRefused) {
  Feed(Request(wire::kTurnAllocate, nullptr, true, kNowS + 3600, "other-secret"));
  EXPECT_EQ(LastAnswer()->ErrorCode(), 401);
  Feed(Request(wire::kTurnAllocate, nullptr, true, kNowS - 1));
  EXPECT_EQ(LastAnswer()->ErrorCode(), 401);
  EXPECT_EQ(stats_.auth_failures.load(), 2u);
  Feed(Request(wire::kTurnAllocate, nullptr, true, kNowS + 3600, "s3cret", "old-nonce"));
  EXPECT_EQ(LastAnswer()->ErrorCode(), 438);
  EXPECT_FALSE(session_.allocated(now_ms_));
}

TEST_F(TurnSessionTest, OnlyUdpRelayingIsOffered) {
  Feed(Request(wire::kTurnAllocate, [](wire::StunWriter& w) {
    w.AddUint32(wire::kStunAttrRequestedTransport, 6u << 24);  // TCP
  }));
  EXPECT_EQ(LastAnswer()->ErrorCode(), 442);
  Feed(Request(wire::kTurnAllocate, nullptr));  // no REQUESTED-TRANSPORT
  EXPECT_EQ(LastAnswer()->ErrorCode(), 400);
}

TEST_F(TurnSessionTest, PermissionsAndChannelsOnlyForOurOwnMediaAddress) {
  MustAllocate();
  Feed(Request(wire::kTurnCreatePermission, [](wire::StunWriter& w) {
    w.AddXorAddress(wire::kStunAttrXorPeerAddress, V4(93, 184, 216, 34, 80));
  }));
  EXPECT_EQ(LastAnswer()->ErrorCode(), 403);
  Feed(Request(wire::kTurnChannelBind, [](wire::StunWriter& w) {
    w.AddUint32(wire::kStunAttrChannelNumber, 0x4000u << 16);
    w.AddXorAddress(wire::kStunAttrXorPeerAddress, V4(127, 0, 0, 1, 22));  // ours, not media
  }));
  EXPECT_EQ(LastAnswer()->ErrorCode(), 403);
  EXPECT_EQ(stats_.peers_refused.load(), 2u);
  Feed(Request(wire::kTurnCreatePermission, [](wire::StunWriter& w) {
    w.AddXorAddress(wire::kStunAttrXorPeerAddress, kMedia);
  }));
  EXPECT_EQ(LastAnswer()->type(), wire::StunType(wire::kTurnCreatePermission, StunClass::kSuccess));
}

TEST_F(TurnSessionTest, SendIndicationsReachOnlyPermittedOwnPeers) {
  MustAllocate();
  auto send = [&](const wire::StunAddress& peer) {
    std::vector<uint8_t> buf(256);
    std::array<uint8_t, 12> txid{};
    wire::StunWriter w(buf, wire::StunType(wire::kTurnSend, StunClass::kIndication), txid);
    w.AddXorAddress(wire::kStunAttrXorPeerAddress, peer);
    const uint8_t payload[] = {0x00, 0x01, 0x02, 0x03};
    w.AddAttribute(wire::kStunAttrData, payload);
    buf.resize(w.size());
    Feed(buf);
  };
  send(kMedia);  // no permission yet
  EXPECT_EQ(stats_.dropped_no_permission.load(), 1u);
  send(V4(10, 0, 0, 1, 3478));  // not ours
  EXPECT_EQ(stats_.peers_refused.load(), 1u);
  Feed(Request(wire::kTurnCreatePermission, [](wire::StunWriter& w) {
    w.AddXorAddress(wire::kStunAttrXorPeerAddress, kMedia);
  }));
  send(kMedia);
  ASSERT_EQ(sink_.to_peer.size(), 1u);
  EXPECT_EQ(sink_.to_peer[0].first, kMedia);
  EXPECT_EQ(sink_.to_peer[0].second, (std::vector<uint8_t>{0, 1, 2, 3}));
  // The shard's answer comes back as a Data indication from our media address.
  const uint8_t reply[] = {9, 8, 7};
  ASSERT_TRUE(session_.FromPeer(kMedia, reply, now_ms_));
  auto data = wire::StunMessageView::Parse(sink_.to_client.back());
  ASSERT_TRUE(data);
  EXPECT_EQ(data->type(), wire::StunType(wire::kTurnData, StunClass::kIndication));
  EXPECT_EQ(data->XorAddress(wire::kStunAttrXorPeerAddress), kMedia);
  // Permissions lapse (RFC 8656 §9): after 5 minutes nothing passes either way.
  now_ms_ += TurnSession::kPermissionMs + 1;
  EXPECT_FALSE(session_.FromPeer(kMedia, reply, now_ms_));
}

TEST_F(TurnSessionTest, ChannelDataOnABoundChannelAndGarbageAround) {
  MustAllocate();
  Feed(Request(wire::kTurnChannelBind, [](wire::StunWriter& w) {
    w.AddUint32(wire::kStunAttrChannelNumber, 0x4001u << 16);
    w.AddXorAddress(wire::kStunAttrXorPeerAddress, kMedia);
  }));
  ASSERT_EQ(LastAnswer()->type(), wire::StunType(wire::kTurnChannelBind, StunClass::kSuccess));
  Feed({0x40, 0x01, 0x00, 0x02, 0xaa, 0xbb, 0x00, 0x00});
  ASSERT_EQ(sink_.to_peer.size(), 1u);
  EXPECT_EQ(sink_.to_peer[0].second, (std::vector<uint8_t>{0xaa, 0xbb}));
  // Lies: length past the end, unbound channel, truncated header, empty payload.
  Feed({0x40, 0x01, 0x05, 0xdc, 0xaa});
  Feed({0x40, 0x02, 0x00, 0x01, 0xaa, 0, 0, 0});
  Feed({0x40, 0x01});
  Feed({0x40, 0x01, 0x00, 0x00});
  EXPECT_EQ(sink_.to_peer.size(), 1u);
  EXPECT_EQ(stats_.bad_requests.load() + stats_.dropped_no_permission.load(), 4u);
  // Answers travel on the channel now.
  const uint8_t reply[] = {1, 2, 3, 4, 5};
  ASSERT_TRUE(session_.FromPeer(kMedia, reply, now_ms_));
  const auto& out = sink_.to_client.back();
  ASSERT_EQ(out.size(), 12u);  // 4 + 5 padded to 8
  EXPECT_EQ(out[0], 0x40);
  EXPECT_EQ(out[1], 0x01);
}

TEST_F(TurnSessionTest, RefreshToZeroEndsTheAllocation) {
  MustAllocate();
  Feed(Request(wire::kTurnRefresh,
               [](wire::StunWriter& w) { w.AddUint32(wire::kStunAttrLifetime, 0); }));
  EXPECT_EQ(LastAnswer()->type(), wire::StunType(wire::kTurnRefresh, StunClass::kSuccess));
  EXPECT_TRUE(session_.ended(now_ms_));
}

TEST_F(TurnSessionTest, RequestsBeforeAnAllocationAreMismatches) {
  Feed(Request(wire::kTurnCreatePermission, [](wire::StunWriter& w) {
    w.AddXorAddress(wire::kStunAttrXorPeerAddress, kMedia);
  }));
  EXPECT_EQ(LastAnswer()->ErrorCode(), 437);
  Feed({0x00, 0x01, 0x00});  // not even a STUN header
  EXPECT_GE(stats_.bad_requests.load(), 2u);
}

}  // namespace
}  // namespace sfu::transport

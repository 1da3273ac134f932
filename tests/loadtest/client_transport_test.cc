// ClientTransport's media paths against the server in process (signaling front, one shard with
// ICE-TCP and the embedded TURN server, credentials in every JOIN_ACK): a camera publisher and a
// subscriber, both on the path under test - UDP, ICE-TCP, TURN over TLS, TURN over TCP - connect
// (ICE, DTLS, SRTP over that path) and the subscriber receives the forwarded video; the shard's
// counters show the datagrams took the path. Also the answer's candidates and the JOIN_ACK's
// TURN URIs as the client reads them.
#include "loadtest/client_transport.h"

#include <gtest/gtest.h>

#include "loadtest/audio_offer.h"
#include "tests/signaling/signaling_fixture.h"
#include "transport/wire/rtp_packet.h"

namespace sfu::loadtest {

// Test names and failure messages print the path's name.
void PrintTo(MediaPath p, std::ostream* os) { *os << MediaPathName(p); }

namespace {

namespace asio = boost::asio;
using signaling::proto::SdkSignalFrame;
using namespace std::chrono_literals;

TEST(ReadAnswerCandidates, TakesTheUdpHostAndTheTcpPassiveCandidate) {
  const std::string answer =
      "v=0\r\n"
      "m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n"
      "a=candidate:1 1 udp 2130706431 10.0.0.5 40000 typ host\r\n"
      "a=candidate:2 1 tcp 1518280447 10.0.0.5 40001 typ host tcptype passive\r\n"
      "a=end-of-candidates\r\n";
  ClientTransportParams p;
  ASSERT_TRUE(ReadAnswerCandidates(answer, &p));
  EXPECT_EQ(p.server_ip, "10.0.0.5");
  EXPECT_EQ(p.server_port, 40000);
  EXPECT_EQ(p.server_tcp_port, 40001);

  ClientTransportParams udp_only;
  ASSERT_TRUE(ReadAnswerCandidates("a=candidate:1 1 udp 2130706431 10.0.0.5 40000 typ host\r\n",
                                   &udp_only));
  EXPECT_EQ(udp_only.server_tcp_port, 0);
  ClientTransportParams none;
  EXPECT_FALSE(ReadAnswerCandidates(
      "a=candidate:2 1 tcp 1518280447 10.0.0.5 40001 typ host tcptype passive\r\n", &none));
}

TEST(PickTurnUri, ChoosesTheSchemeOfThePath) {
  const std::vector<std::string> uris = {"turns:127.0.0.1:3479?transport=tcp",
                                         "turn:[::1]:3480?transport=tcp"};
  TurnServerParams tls, tcp;
  ASSERT_TRUE(PickTurnUri(uris, MediaPath::kTurnTls, &tls));
  EXPECT_EQ(tls.host, "127.0.0.1");
  EXPECT_EQ(tls.port, 3479);
  ASSERT_TRUE(PickTurnUri(uris, MediaPath::kTurnTcp, &tcp));
  EXPECT_EQ(tcp.host, "::1");
  EXPECT_EQ(tcp.port, 3480);
  TurnServerParams none;
  EXPECT_FALSE(PickTurnUri({"turn:127.0.0.1:3478"}, MediaPath::kTurnTcp, &none));  // UDP
  EXPECT_FALSE(PickTurnUri({"turn:turn.example.com:3478?transport=tcp"}, MediaPath::kTurnTcp,
                           &none));  // a name, not an address
  EXPECT_FALSE(PickTurnUri(uris, MediaPath::kUdp, &none));
}

TEST(MediaPathName, RoundTrips) {
  for (MediaPath p :
       {MediaPath::kUdp, MediaPath::kIceTcp, MediaPath::kTurnTls, MediaPath::kTurnTcp})
    EXPECT_EQ(ParseMediaPath(MediaPathName(p)), p);
  EXPECT_FALSE(ParseMediaPath("quic"));
}

struct Peer {
  std::unique_ptr<SignalingClient> sig;
  std::unique_ptr<ClientTransport> media;
  std::atomic<bool> connected{false};
  std::atomic<bool> failed{false};
  std::atomic<uint64_t> video{0};
  uint32_t stream_id = 0;  // the camera's, for a publisher
};

class ClientTransportPathTest : public signaling::SignalingFrontTest,
                                public ::testing::WithParamInterface<MediaPath> {
 protected:
  ClientTransportPathTest() { turn_ = true; }

  void SetUp() override {
    SignalingFrontTest::SetUp();
    std::string error;
    client_dtls_ = transport::DtlsContext::Create(&error);
    ASSERT_TRUE(client_dtls_) << error;
    io_thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    std::promise<void> done;
    asio::post(io_, [&] {
      pub_.media.reset();
      sub_.media.reset();
      done.set_value();
    });
    done.get_future().wait();
    io_work_.reset();
    io_.stop();
    io_thread_.join();
    SignalingFrontTest::TearDown();
  }

  // JOIN (keeping the TURN credentials), SUBSCRIBE, then media over the path.
  void Connect(Peer& peer, const std::string& meeting, const std::string& token, bool camera,
               uint32_t receive, const std::string& ufrag) {
    peer.sig = std::make_unique<SignalingClient>();
    std::string error;
    ASSERT_TRUE(peer.sig->Connect("127.0.0.1", port_, meeting, token,
                                  SignalingClient::TokenVia::kSubprotocol, &error))
        << error;
    peer.sig->Send(signaling::proto::MakeFrame(SdkSignalFrame::JOIN));
    auto join = peer.sig->ReceiveType(SdkSignalFrame::JOIN_ACK, 3000ms);
    ASSERT_TRUE(join);
    ClientTransportParams p;
    p.path = GetParam();
    if (IsTurn(p.path)) {
      ASSERT_TRUE(join->joinack().has_turn_credentials());
      const auto& creds = join->joinack().turn_credentials();
      p.turn.username = creds.username();
      p.turn.password = creds.password();
      ASSERT_TRUE(PickTurnUri({creds.uris().begin(), creds.uris().end()}, p.path, &p.turn));
      EXPECT_EQ(p.turn.port, shards_->shard(0).turn_port());
    }
    AudioOfferParams ap{ufrag, "pathpassword0123456789ab", client_dtls_->fingerprint(), 1111,
                        false};
    SdkSignalFrame f = signaling::proto::MakeFrame(SdkSignalFrame::SUBSCRIBE);
    f.mutable_sub()->set_sdp_offer(MakeOffer(ap, {camera, kCameraSsrc, camera ? 0 : 1}));
    f.mutable_sub()->add_send_streams()->set_media_type(signaling::proto::AUDIO);
    if (camera) f.mutable_sub()->add_send_streams()->set_media_type(signaling::proto::VIDEO);
    f.mutable_sub()->add_receive_stream_ids(0);
    if (!camera) f.mutable_sub()->add_receive_stream_ids(receive);
    peer.sig->Send(f);
    auto ack = peer.sig->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
    ASSERT_TRUE(ack);
    if (camera && ack->suback().allocations_size() > 0)
      peer.stream_id = ack->suback().allocations(0).stream_id();
    const std::string& answer = ack->suback().sdp_answer();
    auto parsed = sdp::Parse(answer);
    ASSERT_TRUE(parsed.description) << parsed.error;
    ASSERT_TRUE(ReadAnswerCandidates(answer, &p));
    EXPECT_EQ(p.server_port, shards_->shard(0).media_port());
    EXPECT_EQ(p.server_tcp_port, shards_->shard(0).tcp_port());
    p.server_ufrag = parsed.description->media[0].ice_ufrag;
    p.server_pwd = parsed.description->media[0].ice_pwd;
    p.server_fingerprint = parsed.description->media[0].fingerprint;
    p.local_ufrag = ufrag;
    p.local_pwd = ap.ice_pwd;
    ClientTransport::Callbacks cb;
    cb.on_connected = [&peer] { peer.connected = true; };
    cb.on_failed = [&peer](const std::string& why) {
      ADD_FAILURE() << "media failed: " << why;
      peer.failed = true;
    };
    cb.on_rtp = [&peer](std::span<const uint8_t> d) {
      auto rtp = wire::RtpPacketView::Parse(d);
      if (rtp && rtp->payload_type() == kOfferVp8Pt) ++peer.video;
    };
    std::promise<void> made;
    asio::post(io_, [&] {
      peer.media = std::make_unique<ClientTransport>(io_, *client_dtls_, p, cb);
      peer.media->Start();
      made.set_value();
    });
    made.get_future().wait();
    ASSERT_TRUE(WaitForShard([&] { return peer.connected.load() || peer.failed.load(); }));
    ASSERT_TRUE(peer.connected);
  }

  // The publisher sends one VP8 frame of `packets` packets (a key frame first).
  void SendFrame(int packets) {
    std::promise<void> sent;
    asio::post(io_, [&] {
      for (int i = 0; i < packets; ++i) {
        uint8_t buf[300] = {};
        wire::RtpHeaderWriter w;
        w.SetPayloadType(kOfferVp8Pt);
        w.SetSequenceNumber(seq_++);
        w.SetTimestamp(ts_);
        w.SetSsrc(kCameraSsrc);
        w.SetMarker(i == packets - 1);
        const size_t h = w.WriteTo(buf);
        buf[h] = i == 0 ? 0x10 : 0x00;      // VP8 descriptor: S bit on the first packet
        buf[h + 1] = frames_ == 0 ? 0 : 1;  // key frame on the first frame
        pub_.media->SendRtp(std::span<const uint8_t>(buf, h + 200));
      }
      ts_ += 3000;
      ++frames_;
      sent.set_value();
    });
    sent.get_future().wait();
  }

  static constexpr uint32_t kCameraSsrc = 0xCA3E2A;
  std::unique_ptr<transport::DtlsContext> client_dtls_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> io_work_ = asio::make_work_guard(io_);
  std::thread io_thread_;
  Peer pub_, sub_;
  uint16_t seq_ = 1;
  uint32_t ts_ = 0;
  int frames_ = 0;
};

TEST_P(ClientTransportPathTest, ConnectsAndReceivesForwardedVideo) {
  const std::string meeting = NewMeeting();
  Connect(pub_, meeting, NewAttendee(meeting, "pub").second, /*camera=*/true, 0, "pubufrag");
  ASSERT_NE(pub_.stream_id, 0u);
  Connect(sub_, meeting, NewAttendee(meeting, "sub").second, /*camera=*/false, pub_.stream_id,
          "subufrag");
  // Frames until the subscriber's section is filled and forwarding (a key frame starts it).
  for (int i = 0; i < 100 && sub_.video.load() < 20; ++i) {
    SendFrame(10);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(sub_.video.load(), 20u);
  EXPECT_NE(sub_.media->local_port(), 0);
  // The datagrams took the path.
  const ShardStats& stats = *shards_->Stats()[0];
  switch (GetParam()) {
    case MediaPath::kUdp:
      EXPECT_EQ(stats.ice_tcp.accepted.load(), 0u);
      EXPECT_EQ(stats.turn.allocations.load(), 0u);
      break;
    case MediaPath::kIceTcp:
      EXPECT_EQ(stats.ice_tcp.accepted.load(), 2u);
      EXPECT_GT(stats.ice_tcp.datagrams_in.load(), 20u);   // the camera's packets
      EXPECT_GT(stats.ice_tcp.datagrams_out.load(), 20u);  // forwarded to the subscriber
      break;
    case MediaPath::kTurnTls:
    case MediaPath::kTurnTcp:
      EXPECT_EQ(stats.turn.allocations.load(), 2u);
      EXPECT_GT(stats.turn.relayed_to_peer.load(), 20u);
      EXPECT_GT(stats.turn.relayed_to_client.load(), 20u);
      EXPECT_EQ(stats.ice_tcp.accepted.load(), 0u);
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, ClientTransportPathTest,
                         ::testing::Values(MediaPath::kUdp, MediaPath::kIceTcp, MediaPath::kTurnTls,
                                           MediaPath::kTurnTcp),
                         [](const auto& info) {
                           switch (info.param) {
                             case MediaPath::kUdp:
                               return "Udp";
                             case MediaPath::kIceTcp:
                               return "IceTcp";
                             case MediaPath::kTurnTls:
                               return "TurnTls";
                             case MediaPath::kTurnTcp:
                               return "TurnTcp";
                           }
                           return "?";
                         });

}  // namespace
}  // namespace sfu::loadtest

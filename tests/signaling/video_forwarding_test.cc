// The SFU over the real network path with synthetic VP8 (payload descriptors and filler bytes:
// the server never decodes video): alice publishes a camera, bob subscribes through INDEX ->
// SUBSCRIBE(receive_stream_ids). Bob's section carries one fixed SSRC, his payload type,
// consecutive sequence numbers from a key frame on, no header extensions; the subscription asks
// alice for a key frame; bob's NACK is answered from the server's history; a packet alice never
// sent is NACKed to her; PAUSE stops and RESUME restarts (at a key frame, numbering continued);
// packets from an unknown SSRC are counted and go nowhere; BITRATES reports the stream's rate;
// REMOTE_VIDEO_UPDATE switches the section to another publisher without renegotiation.
#include <gtest/gtest.h>

#include <cstring>
#include <mutex>

#include "loadtest/audio_offer.h"
#include "loadtest/client_transport.h"
#include "tests/signaling/signaling_fixture.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/vp8_payload.h"

namespace sfu::signaling {
namespace {

struct Peer {
  std::unique_ptr<SignalingClient> sig;
  std::unique_ptr<loadtest::ClientTransport> media;
  std::mutex mu;
  std::vector<std::vector<uint8_t>> rtp;
  std::vector<std::vector<uint8_t>> rtx;  // RTX (retransmissions, padding)
  std::vector<std::vector<uint8_t>> rtcp;
  std::atomic<bool> connected{false};
};

class VideoForwardingTest : public SignalingFrontTest {
 protected:
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
      alice_.media.reset();
      bob_.media.reset();
      carol_.media.reset();
      done.set_value();
    });
    done.get_future().wait();
    io_work_.reset();
    io_.stop();
    io_thread_.join();
    SignalingFrontTest::TearDown();
  }

  // SUBSCRIBE with the given video offer; connects media. Returns the SUBSCRIBE_ACK.
  SdkSignalFrame Connect(Peer& peer, const std::string& meeting, const std::string& token,
                         bool camera, std::vector<uint32_t> receive, int remote_sections,
                         const std::string& ufrag, uint32_t camera_ssrc = kCameraSsrc,
                         bool simulcast = false) {
    peer.sig = Join(meeting, token);
    loadtest::AudioOfferParams ap{ufrag, "videopassword0123456789", client_dtls_->fingerprint(),
                                  1111, false};
    SdkSignalFrame f = proto::MakeFrame(SdkSignalFrame::SUBSCRIBE);
    f.mutable_sub()->set_sdp_offer(
        loadtest::MakeOffer(ap, {camera, camera_ssrc, remote_sections, simulcast}));
    f.mutable_sub()->add_send_streams()->set_media_type(proto::AUDIO);
    if (camera) {
      // Simulcast: low 200, mid off (0), hi 1100 - as the Chime client reports its encodings.
      const std::vector<uint32_t> kbps =
          simulcast ? std::vector<uint32_t>{200, 0, 1100} : std::vector<uint32_t>{1000};
      for (uint32_t k : kbps) {
        auto* v = f.mutable_sub()->add_send_streams();
        v->set_media_type(proto::VIDEO);
        v->set_max_bitrate_kbps(k);
      }
    }
    for (uint32_t id : receive) f.mutable_sub()->add_receive_stream_ids(id);
    peer.sig->Send(f);
    auto ack = peer.sig->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
    EXPECT_TRUE(ack);
    if (!ack) return {};
    last_answer_ = ack->suback().sdp_answer();
    auto parsed = sdp::Parse(ack->suback().sdp_answer());
    EXPECT_TRUE(parsed.description) << parsed.error;
    loadtest::ClientTransportParams p;
    p.server_port = shards_->shard(0).media_port();
    p.server_ufrag = parsed.description->media[0].ice_ufrag;
    p.server_pwd = parsed.description->media[0].ice_pwd;
    p.server_fingerprint = parsed.description->media[0].fingerprint;
    p.local_ufrag = ufrag;
    p.local_pwd = "videopassword0123456789";
    loadtest::ClientTransport::Callbacks cb;
    cb.on_connected = [&peer] { peer.connected = true; };
    cb.on_rtp = [&peer](std::span<const uint8_t> d) {
      auto p = wire::RtpPacketView::Parse(d);
      if (!p) return;
      std::lock_guard<std::mutex> lock(peer.mu);
      // Video only (the mixed audio flows too); RTX apart.
      if (p->payload_type() == loadtest::kOfferVp8Pt) peer.rtp.emplace_back(d.begin(), d.end());
      if (p->payload_type() == loadtest::kOfferRtxPt) peer.rtx.emplace_back(d.begin(), d.end());
    };
    cb.on_rtcp = [&peer](std::span<const uint8_t> d) {
      std::lock_guard<std::mutex> lock(peer.mu);
      peer.rtcp.emplace_back(d.begin(), d.end());
    };
    std::promise<void> made;
    asio::post(io_, [&] {
      peer.media = std::make_unique<loadtest::ClientTransport>(io_, *client_dtls_, p, cb);
      peer.media->Start();
      made.set_value();
    });
    made.get_future().wait();
    EXPECT_TRUE(WaitForShard([&] { return peer.connected.load(); }));
    return *ack;
  }

  // Alice sends one synthetic VP8 packet (seq advances even when `send` is false: a loss).
  void SendVp8(bool key, bool frame_start, bool marker, uint32_t ssrc = kCameraSsrc,
               bool send = true, Peer* from = nullptr, uint8_t fill = 0,
               const char* rid = nullptr) {
    Peer& peer = from ? *from : alice_;
    uint16_t& seq = from ? carol_seq_ : alice_seq_;
    uint8_t buf[200];
    wire::RtpHeaderWriter w;
    w.SetPayloadType(loadtest::kOfferVp8Pt);
    w.SetSequenceNumber(seq++);
    w.SetTimestamp(alice_ts_);
    w.SetSsrc(ssrc);
    w.SetMarker(marker);
    if (rid)
      w.AddExtension(
          loadtest::kOfferRidExtId,
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(rid), std::strlen(rid)));
    if (odd_extension_) {
      static const uint8_t junk[40] = {0xde, 0xad};
      w.AddExtension(200, junk);  // an id nobody negotiated, in the two-byte form
    }
    if (marker) alice_ts_ += 3000;
    const size_t h = w.WriteTo(buf);
    // Descriptor: X=1, S=frame_start, PID 0; I=1 with a 15-bit picture id; then the VP8 header
    // byte (P bit clear for a key frame) and filler.
    buf[h] = static_cast<uint8_t>(0x80 | (frame_start ? 0x10 : 0));
    buf[h + 1] = 0x80;
    buf[h + 2] = static_cast<uint8_t>(0x80 | (picture_id_ >> 8));
    buf[h + 3] = static_cast<uint8_t>(picture_id_);
    buf[h + 4] = key ? 0x00 : 0x01;
    for (size_t i = 5; i < 100; ++i) buf[h + i] = static_cast<uint8_t>(fill ? fill : i);
    if (marker) picture_id_ = static_cast<uint16_t>((picture_id_ + 1) & 0x7fff);
    if (!send) return;
    std::promise<bool> sent;
    asio::post(
        io_, [&] { sent.set_value(peer.media->SendRtp(std::span<const uint8_t>(buf, h + 100))); });
    ASSERT_TRUE(sent.get_future().get());
  }
  void SendFrame(bool key) {
    SendVp8(key, true, false);
    SendVp8(key, false, false);
    SendVp8(key, false, true);
  }
  bool AliceGotPli() { return AlicePlis() > 0; }
  int AlicePlis() {
    int n = 0;
    std::lock_guard<std::mutex> lock(alice_.mu);
    for (const auto& p : alice_.rtcp) {
      wire::rtcp::CompoundIterator it(p);
      while (auto b = it.Next()) {
        wire::rtcp::Pli pli;
        if (b->type() == wire::rtcp::kPacketTypePsfb && pli.Parse(*b) &&
            pli.media_ssrc() == kCameraSsrc)
          ++n;
      }
    }
    return n;
  }
  std::vector<uint16_t> AliceNacked() {
    std::vector<uint16_t> out;
    std::lock_guard<std::mutex> lock(alice_.mu);
    for (const auto& p : alice_.rtcp) {
      wire::rtcp::CompoundIterator it(p);
      while (auto b = it.Next()) {
        wire::rtcp::Nack nack;
        if (b->type() == wire::rtcp::kPacketTypeRtpfb && nack.Parse(*b)) {
          for (uint16_t s : nack.LostPackets()) out.push_back(s);
        }
      }
    }
    return out;
  }
  size_t BobPackets() {
    std::lock_guard<std::mutex> lock(bob_.mu);
    return bob_.rtp.size();
  }

  static constexpr uint32_t kCameraSsrc = 0xA11CE;
  std::unique_ptr<transport::DtlsContext> client_dtls_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> io_work_ = asio::make_work_guard(io_);
  std::thread io_thread_;
  Peer alice_, bob_, carol_;
  std::string last_answer_;
  bool odd_extension_ = false;
  uint16_t alice_seq_ = 65530;  // wraps during the test
  uint16_t carol_seq_ = 20000;
  uint32_t alice_ts_ = 1000;
  uint16_t picture_id_ = 0x7ff0;
};

TEST_F(VideoForwardingTest, ForwardsRewritesRepairsPausesAndDropsStrangers) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto [b, tb] = NewAttendee(m, "bob");
  SdkSignalFrame ack_a = Connect(alice_, m, ta, /*camera=*/true, {0}, 0, "alic");
  ASSERT_EQ(ack_a.suback().allocations_size(), 1);
  const uint32_t stream = ack_a.suback().allocations(0).stream_id();
  // Before anyone subscribes: delta frames go nowhere.
  for (int i = 0; i < 3; ++i) SendFrame(false);
  SdkSignalFrame ack_b = Connect(bob_, m, tb, /*camera=*/false, {0, stream}, 1, "bobb");
  ASSERT_EQ(ack_b.suback().tracks_size(), 1);
  const uint32_t section_ssrc = ack_b.suback().tracks(0).ssrc();
  EXPECT_EQ(ack_b.suback().tracks(0).track_label(), "v_2");
  EXPECT_EQ(ack_b.suback().tracks(0).stream_id(), stream);
  // The subscription asked alice for a key frame; until one comes, bob gets nothing.
  ASSERT_TRUE(WaitForShard([&] { return AliceGotPli(); }))
      << "no PLI to the publisher; requests " << shards_->Stats()[0]->video_keyframe_requests.load()
      << " rtcp packets at alice " << alice_.rtcp.size();
  SendFrame(false);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(BobPackets(), 0u) << "delta frames before the first key frame are held back";
  SendFrame(true);
  for (int i = 0; i < 5; ++i) SendFrame(false);
  ASSERT_TRUE(WaitForShard([&] { return BobPackets() >= 18; })) << BobPackets();
  std::vector<std::vector<uint8_t>> got;
  {
    std::lock_guard<std::mutex> lock(bob_.mu);
    got = bob_.rtp;
  }
  auto first = wire::RtpPacketView::Parse(got[0]);
  ASSERT_TRUE(first);
  auto vp8 = wire::ParseVp8Descriptor(first->payload());
  ASSERT_TRUE(vp8);
  EXPECT_TRUE(vp8->key_frame) << "bob's stream starts at a key frame";
  for (size_t i = 0; i < got.size(); ++i) {
    auto p = wire::RtpPacketView::Parse(got[i]);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ssrc(), section_ssrc);
    EXPECT_EQ(p->payload_type(), loadtest::kOfferVp8Pt);
    EXPECT_FALSE(p->has_extension()) << "publisher's header extensions are not forwarded";
    if (i > 0) {
      EXPECT_EQ(
          p->sequence_number(),
          static_cast<uint16_t>(wire::RtpPacketView::Parse(got[i - 1])->sequence_number() + 1));
    }
  }
  // Bob loses a packet on the way (user-space impairment): his NACK is answered from the
  // server's history with the same bytes under the same sequence number.
  std::atomic<int> lost_seq{-1};
  {
    std::promise<void> set;
    asio::post(io_, [&] {
      bob_.media->SetIncomingFilter([&lost_seq](std::span<const uint8_t> d) {
        if (d.size() < 12 || (d[1] & 0x7f) != loadtest::kOfferVp8Pt || lost_seq.load() >= 0)
          return false;
        lost_seq = (d[2] << 8) | d[3];
        return true;
      });
      set.set_value();
    });
    set.get_future().wait();
  }
  SendFrame(false);
  ASSERT_TRUE(WaitForShard([&] { return lost_seq.load() >= 0 && BobPackets() >= got.size() + 2; }));
  const uint16_t nacked = static_cast<uint16_t>(lost_seq.load());
  {
    wire::rtcp::Nack nack;
    nack.SetSenderSsrc(1111);
    nack.SetMediaSsrc(section_ssrc);
    const uint16_t lost[] = {nacked};
    nack.SetLostPackets(lost);
    uint8_t buf[256];
    const size_t n = nack.Create(buf);
    std::promise<void> sent;
    asio::post(io_, [&] {
      bob_.media->SendRtcp(std::span<const uint8_t>(buf, n));
      sent.set_value();
    });
    sent.get_future().wait();
  }
  // The offer has RTX (97, apt=96): the retransmission comes on RTX with the original sequence
  // number first in its payload (RFC 4588).
  ASSERT_TRUE(WaitForShard([&] {
    std::lock_guard<std::mutex> lock(bob_.mu);
    for (const auto& p : bob_.rtx) {
      auto v = wire::RtpPacketView::Parse(p);
      if (v->payload_size() < 2) continue;
      if (v->ssrc() == section_ssrc) continue;
      if (((v->payload()[0] << 8) | v->payload()[1]) == nacked) return true;
    }
    return false;
  })) << "no RTX retransmission of "
      << nacked;
  EXPECT_GE(shards_->Stats()[0]->video_retransmissions.load(), 1u);
  // Absurd header extensions (an unnegotiated id in the two-byte form) change nothing: the packet
  // is forwarded like any other, without extensions.
  const size_t before_odd = BobPackets();
  odd_extension_ = true;
  SendFrame(false);
  odd_extension_ = false;
  ASSERT_TRUE(WaitForShard([&] { return BobPackets() >= before_odd + 3; }));
  {
    std::lock_guard<std::mutex> lock(bob_.mu);
    for (size_t i = before_odd; i < bob_.rtp.size(); ++i)
      EXPECT_FALSE(wire::RtpPacketView::Parse(bob_.rtp[i])->has_extension());
  }
  // A subscriber flooding key-frame requests: the publisher sees at most one per 300 ms.
  std::this_thread::sleep_for(600ms);
  const int plis_before = AlicePlis();
  {
    wire::rtcp::Pli pli;
    pli.SetSenderSsrc(1111);
    pli.SetMediaSsrc(section_ssrc);
    uint8_t buf[256];
    const size_t n = pli.Create(buf);
    std::promise<void> sent;
    asio::post(io_, [&] {
      for (int i = 0; i < 50; ++i) bob_.media->SendRtcp(std::span<const uint8_t>(buf, n));
      sent.set_value();
    });
    sent.get_future().wait();
  }
  std::this_thread::sleep_for(200ms);
  EXPECT_GE(AlicePlis() - plis_before, 1) << "the first request goes through";
  EXPECT_LE(AlicePlis() - plis_before, 1) << "the flood is throttled";
  // A packet alice never sends is NACKed to her.
  const uint16_t skipped = alice_seq_;
  SendVp8(false, true, false, kCameraSsrc, /*send=*/false);
  SendVp8(false, false, true);
  ASSERT_TRUE(WaitForShard([&] {
    auto n = AliceNacked();
    return std::find(n.begin(), n.end(), skipped) != n.end();
  })) << "no NACK for "
      << skipped;
  // Strangers: an unknown SSRC is counted and forwarded nowhere.
  const size_t before_unknown = BobPackets();
  const uint64_t unknown0 = shards_->Stats()[0]->video_unknown.load();
  SendVp8(true, true, true, /*ssrc=*/0xBAD);
  ASSERT_TRUE(WaitForShard([&] { return shards_->Stats()[0]->video_unknown.load() > unknown0; }));
  EXPECT_EQ(BobPackets(), before_unknown);
  // BITRATES (every 2 s): the streams arriving at the server with their measured rate.
  bool rate_seen = false;
  for (int i = 0; i < 3 && !rate_seen; ++i) {
    for (int k = 0; k < 10; ++k) SendFrame(false);
    auto br = bob_.sig->ReceiveType(SdkSignalFrame::BITRATES, 3000ms);
    ASSERT_TRUE(br) << "no BITRATES frame";
    for (const auto& r : br->bitrates().bitrates())
      rate_seen |= r.source_stream_id() == stream && r.avg_bitrate_bps() > 0;
  }
  EXPECT_TRUE(rate_seen);
  // PAUSE: nothing more for bob; RESUME: a key frame restarts it, numbering continued.
  SdkSignalFrame pause = proto::MakeFrame(SdkSignalFrame::PAUSE);
  pause.mutable_pause()->add_stream_ids(stream);
  bob_.sig->Send(pause);
  std::this_thread::sleep_for(200ms);
  const size_t paused_at = BobPackets();
  uint16_t last_seq;
  {
    std::lock_guard<std::mutex> lock(bob_.mu);
    last_seq = wire::RtpPacketView::Parse(bob_.rtp.back())->sequence_number();
  }
  SendFrame(false);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(BobPackets(), paused_at) << "paused";
  SdkSignalFrame resume = proto::MakeFrame(SdkSignalFrame::RESUME);
  resume.mutable_pause()->add_stream_ids(stream);
  bob_.sig->Send(resume);
  std::this_thread::sleep_for(200ms);
  SendFrame(false);
  SendFrame(true);
  ASSERT_TRUE(WaitForShard([&] { return BobPackets() >= paused_at + 3; }));
  {
    std::lock_guard<std::mutex> lock(bob_.mu);
    auto resumed = wire::RtpPacketView::Parse(bob_.rtp[paused_at]);
    ASSERT_TRUE(resumed);
    EXPECT_EQ(resumed->sequence_number(), static_cast<uint16_t>(last_seq + 1))
        << "numbering continues after RESUME";
    EXPECT_TRUE(wire::ParseVp8Descriptor(resumed->payload())->key_frame)
        << "RESUME restarts at a key frame";
  }
  // REMOTE_VIDEO_UPDATE: bob's section switches to carol's camera without renegotiating - same
  // SSRC, numbering continued, from carol's key frame. A stream that does not exist is ignored.
  auto [c, tc] = NewAttendee(m, "carol");
  SdkSignalFrame ack_c = Connect(carol_, m, tc, /*camera=*/true, {0}, 0, "caro", 0xCA201);
  ASSERT_EQ(ack_c.suback().allocations_size(), 1);
  const uint32_t carol_stream = ack_c.suback().allocations(0).stream_id();
  SdkSignalFrame update = proto::MakeFrame(SdkSignalFrame::REMOTE_VIDEO_UPDATE);
  auto* bogus = update.mutable_remote_video_update()->add_added_or_updated_video_subscriptions();
  bogus->set_mid("2");
  bogus->set_stream_id(987654);
  bob_.sig->Send(update);
  update.mutable_remote_video_update()->clear_added_or_updated_video_subscriptions();
  auto* sw = update.mutable_remote_video_update()->add_added_or_updated_video_subscriptions();
  sw->set_mid("2");
  sw->set_stream_id(carol_stream);
  const size_t before_switch = BobPackets();
  uint16_t seq_before_switch;
  {
    std::lock_guard<std::mutex> lock(bob_.mu);
    seq_before_switch = wire::RtpPacketView::Parse(bob_.rtp.back())->sequence_number();
  }
  bob_.sig->Send(update);
  std::this_thread::sleep_for(200ms);
  SendVp8(false, true, true, 0xCA201, true, &carol_, 0xCC);  // delta: held back
  SendVp8(true, true, true, 0xCA201, true, &carol_, 0xCC);   // key frame: starts
  SendVp8(false, true, true, 0xCA201, true, &carol_, 0xCC);
  ASSERT_TRUE(WaitForShard([&] {
    std::lock_guard<std::mutex> lock(bob_.mu);
    for (size_t i = before_switch; i < bob_.rtp.size(); ++i) {
      auto p = wire::RtpPacketView::Parse(bob_.rtp[i]);
      if (p && p->payload().size() > 10 && p->payload()[10] == 0xCC) return true;
    }
    return false;
  })) << "carol's video never reached bob's section";
  std::lock_guard<std::mutex> lock(bob_.mu);
  for (size_t i = before_switch; i < bob_.rtp.size(); ++i) {
    auto p = wire::RtpPacketView::Parse(bob_.rtp[i]);
    if (!p || p->payload()[10] != 0xCC) continue;  // alice's packets still in flight
    EXPECT_EQ(p->ssrc(), section_ssrc) << "same section SSRC after the switch";
    EXPECT_TRUE(wire::ParseVp8Descriptor(p->payload())->key_frame)
        << "the switch starts at carol's key frame";
    EXPECT_EQ(p->sequence_number(), static_cast<uint16_t>(seq_before_switch + 1))
        << "numbering continues";
    break;
  }
}

// Simulcast: the camera's RIDs become layers (stream ids, one group), the active ones are indexed,
// packets are told apart by the rtp-stream-id extension, and a subscriber receives the layer it
// asked for - then another one after REMOTE_VIDEO_UPDATE, from that layer's key frame; a layer that
// stops arriving is stood in for by one that arrives.
TEST_F(VideoForwardingTest, SimulcastLayersAreIndexedAndSelectedPerSubscriber) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto [b, tb] = NewAttendee(m, "bob");
  SdkSignalFrame ack_a =
      Connect(alice_, m, ta, /*camera=*/true, {0}, 0, "alic", 0, /*simulcast=*/true);
  ASSERT_EQ(ack_a.suback().allocations_size(), 3);
  const uint32_t low = ack_a.suback().allocations(0).stream_id();
  const uint32_t mid = ack_a.suback().allocations(1).stream_id();
  const uint32_t hi = ack_a.suback().allocations(2).stream_id();
  EXPECT_TRUE(low && mid && hi && low != mid && mid != hi);
  EXPECT_EQ(ack_a.suback().allocations(0).group_id(), ack_a.suback().allocations(2).group_id());
  for (const char* line :
       {"a=rid:low recv", "a=rid:mid recv", "a=rid:hi recv", "a=simulcast:recv low;mid;hi",
        "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"}) {
    EXPECT_NE(last_answer_.find(line), std::string::npos) << line;
  }
  const MeetingState snapshot = OnControl([&] { return hub_.State(m); });
  EXPECT_TRUE(snapshot.FindVideo(low));
  EXPECT_FALSE(snapshot.FindVideo(mid)) << "a layer at 0 kb/s is not indexed";
  EXPECT_TRUE(snapshot.FindVideo(hi));
  SdkSignalFrame ack_b = Connect(bob_, m, tb, /*camera=*/false, {0, hi}, 1, "bobb");
  ASSERT_EQ(ack_b.suback().tracks_size(), 1);
  const uint32_t section_ssrc = ack_b.suback().tracks(0).ssrc();
  // Alice sends both active layers, told apart only by their RIDs (hi first: a layer that is not
  // arriving yet would be stood in for by one that is).
  auto frame = [&](const char* rid, uint32_t ssrc, uint8_t fill, bool key) {
    SendVp8(key, true, false, ssrc, true, nullptr, fill, rid);
    SendVp8(false, false, true, ssrc, true, nullptr, fill, rid);
  };
  frame("hi", 0x1003, 0x33, true);
  for (int i = 0; i < 4; ++i) {
    frame("low", 0x1001, 0x11, i == 0);
    frame("hi", 0x1003, 0x33, false);
  }
  ASSERT_TRUE(WaitForShard([&] { return BobPackets() >= 10; }))
      << BobPackets();  // 5 hi frames x 2 packets
  std::this_thread::sleep_for(100ms);
  {
    std::lock_guard<std::mutex> lock(bob_.mu);
    for (const auto& p : bob_.rtp) {
      auto v = wire::RtpPacketView::Parse(p);
      EXPECT_EQ(v->ssrc(), section_ssrc);
      EXPECT_EQ(v->payload()[10], 0x33) << "only the hi layer";
    }
  }
  // Bob asks for the low layer instead.
  const size_t before = BobPackets();
  SdkSignalFrame update = proto::MakeFrame(SdkSignalFrame::REMOTE_VIDEO_UPDATE);
  auto* sw = update.mutable_remote_video_update()->add_added_or_updated_video_subscriptions();
  sw->set_mid("2");
  sw->set_stream_id(low);
  bob_.sig->Send(update);
  std::this_thread::sleep_for(200ms);
  for (int i = 0; i < 3; ++i) {
    frame("low", 0x1001, 0x11, i == 1);
    frame("hi", 0x1003, 0x33, false);
  }
  ASSERT_TRUE(WaitForShard([&] { return BobPackets() >= before + 4; })) << BobPackets();
  {
    std::lock_guard<std::mutex> lock(bob_.mu);
    auto first = wire::RtpPacketView::Parse(bob_.rtp[before]);
    EXPECT_EQ(first->payload()[10], 0x11) << "the low layer after the switch";
    EXPECT_TRUE(wire::ParseVp8Descriptor(first->payload())->key_frame)
        << "from the low layer's key frame";
    for (size_t i = before; i < bob_.rtp.size(); ++i)
      EXPECT_EQ(wire::RtpPacketView::Parse(bob_.rtp[i])->payload()[10], 0x11);
  }
  // Back to hi, but alice stops sending hi (her encoder dropped it): low stands in for it.
  sw->set_stream_id(hi);
  bob_.sig->Send(update);
  std::this_thread::sleep_for(1100ms);  // hi has not arrived for over a second
  const size_t before_fallback = BobPackets();
  for (int i = 0; i < 3; ++i) frame("low", 0x1001, 0x11, i == 0);
  ASSERT_TRUE(WaitForShard([&] { return BobPackets() >= before_fallback + 4; }))
      << "no stand-in layer";
  std::lock_guard<std::mutex> lock(bob_.mu);
  for (size_t i = before_fallback; i < bob_.rtp.size(); ++i)
    EXPECT_EQ(wire::RtpPacketView::Parse(bob_.rtp[i])->payload()[10], 0x11);
}

}  // namespace
}  // namespace sfu::signaling

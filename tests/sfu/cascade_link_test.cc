// The node-to-node cascade (docs/DESIGN.md, "Replica meetings"):
//   - its pure wire rules (sfu/cascade_link.h): link offers through Redis and the relayed form of
//     video and audio packets;
//   - a real link between two started Shards on loopback (UDP, SRTP AEAD_AES_128_GCM): on shard
//     A the primary meeting's MeetingVideo with a fake publisher and a CascadeSender; on shard B
//     a CascadeReceiver whose relay publisher feeds a fake subscriber of B's MeetingVideo. Video
//     arrives in order from its key frame; loss on the link (the sender's drop hook) is repaired
//     by the relay publisher's NACKs answered from A's history; the shared mix of A's mixer
//     reaches B's mixer; the subscriber's key-frame request reaches the publisher on A; forged,
//     replayed and wrongly keyed datagrams are refused and go nowhere.
// Everything on a shard runs on its thread (Post, synchronised with a promise); waits are
// bounded polls that fail with a message, nothing asserts timing.
#include "sfu/cascade_link.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "codec/audio_level.h"
#include "codec/opus_codec.h"
#include "codec/tone.h"
#include "sfu/cascade_plan.h"
#include "sfu/cascade_receiver.h"
#include "sfu/cascade_sender.h"
#include "sfu/meeting_audio.h"
#include "sfu/meeting_video.h"
#include "sfu/mix_listener.h"
#include "sfu/shard.h"
#include "sfu/shard_session.h"
#include "tests/sfu/video_fakes.h"
#include "transport/srtp/srtp_session.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/vp8_payload.h"

namespace sfu {
namespace {

using testing::View;
using testing::Vp8Of;
using testing::Vp8Source;

// 28 bytes (key || salt) whose bytes cover the whole range of hex digits.
std::string KeyOf(uint8_t seed) {
  std::string k(cascade::kKeySaltLength, '\0');
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<char>(seed + i * 37);
  return k;
}

wire::StunAddress Address(const char* ip, uint16_t port) {
  std::optional<wire::StunAddress> a = cascade::ParseAddress(ip, port);
  EXPECT_TRUE(a) << ip;
  return a.value_or(wire::StunAddress{});
}

// ---------------------------------------------------------------------------------------------
// Link offers.

cascade::LinkOffer Offer(const char* ip = "192.0.2.7", uint16_t port = 40000) {
  cascade::LinkOffer o;
  o.primary_meeting_id = "3f2a-primary";
  o.node_id = "node-b";
  o.address = Address(ip, port);
  o.send_key = KeyOf(0x01);
  o.receive_key = KeyOf(0xF0);
  return o;
}

void ExpectSameOffer(const cascade::LinkOffer& a, const cascade::LinkOffer& b) {
  EXPECT_EQ(a.primary_meeting_id, b.primary_meeting_id);
  EXPECT_EQ(a.node_id, b.node_id);
  EXPECT_TRUE(a.address == b.address)
      << cascade::AddressText(a.address) << " vs " << cascade::AddressText(b.address);
  EXPECT_EQ(a.send_key, b.send_key);
  EXPECT_EQ(a.receive_key, b.receive_key);
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(CascadeLinkTest, OfferRoundTripIpv4) {
  const cascade::LinkOffer o = Offer("192.0.2.7", 40000);
  const std::string text = cascade::FormatLinkOffer(o);
  EXPECT_EQ(text,
            "3f2a-primary node-b 192.0.2.7 40000 " + Hex(o.send_key) + " " + Hex(o.receive_key));
  const std::optional<cascade::LinkOffer> back = cascade::ParseLinkOffer(text);
  ASSERT_TRUE(back) << text;
  ExpectSameOffer(*back, o);
  EXPECT_EQ(back->address.family, 4);
  EXPECT_EQ(cascade::AddressText(back->address), "192.0.2.7:40000");
}

TEST(CascadeLinkTest, OfferRoundTripIpv6) {
  for (const char* ip : {"2001:db8::42", "::1", "fe80::1:2:3:4"}) {
    const cascade::LinkOffer o = Offer(ip, 65535);
    const std::string text = cascade::FormatLinkOffer(o);
    ASSERT_FALSE(text.empty()) << ip;
    EXPECT_NE(text.find(std::string(" ") + ip + " 65535 "), std::string::npos) << text;
    const std::optional<cascade::LinkOffer> back = cascade::ParseLinkOffer(text);
    ASSERT_TRUE(back) << text;
    ExpectSameOffer(*back, o);
    EXPECT_EQ(back->address.family, 6);
    EXPECT_EQ(cascade::AddressText(back->address), std::string("[") + ip + "]:65535");
  }
}

TEST(CascadeLinkTest, OfferParsesUpperCaseHexAndLimits) {
  cascade::LinkOffer o = Offer("10.0.0.1", 1);
  o.primary_meeting_id = std::string(128, 'm');  // the longest id
  o.node_id = "!~";                              // printable ASCII at both ends
  std::string text = cascade::FormatLinkOffer(o);
  ASSERT_FALSE(text.empty());
  for (char& c : text)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  const std::optional<cascade::LinkOffer> back = cascade::ParseLinkOffer(text);
  ASSERT_TRUE(back) << text;
  ExpectSameOffer(*back, o);
  EXPECT_EQ(back->address.port, 1);
}

TEST(CascadeLinkTest, OfferRejects) {
  const cascade::LinkOffer o = Offer();
  const std::string send = Hex(o.send_key), receive = Hex(o.receive_key);
  auto text = [&](const std::string& id, const std::string& node, const std::string& ip,
                  const std::string& port, const std::string& s, const std::string& r) {
    return id + " " + node + " " + ip + " " + port + " " + s + " " + r;
  };
  const std::string good = text("p", "n", "192.0.2.7", "40000", send, receive);
  ASSERT_TRUE(cascade::ParseLinkOffer(good)) << "the baseline parses";

  std::string bad_hex = send;
  bad_hex[10] = 'g';
  std::string odd_hex = send;
  odd_hex[55] = ' ';  // a 55-digit key and a stray word
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"p n 192.0.2.7 40000 " + send, "five words"},
      {good + " extra", "seven words"},
      {good + " a b c", "nine words"},
      {text("p", "n", "192.0.2.7", "40000", bad_hex, receive), "non-hex digit"},
      {text("p", "n", "192.0.2.7", "40000", send, odd_hex), "split key"},
      {text("p", "n", "192.0.2.7", "40000", send.substr(0, 54), receive), "27-byte key"},
      {text("p", "n", "192.0.2.7", "40000", send + "00", receive), "29-byte key"},
      {text("p", "n", "192.0.2.7", "40000", send, receive.substr(2)), "short receive key"},
      {text("p", "n", "192.0.2.7", "0", send, receive), "port 0"},
      {text("p", "n", "192.0.2.7", "65536", send, receive), "port 65536"},
      {text("p", "n", "192.0.2.7", "4294967297", send, receive), "port overflowing 32 bits"},
      {text("p", "n", "192.0.2.7", "http", send, receive), "non-numeric port"},
      {text("p", "n", "192.0.2.7", "-1", send, receive), "negative port"},
      {text("p", "n", "192.0.2.7", "+80", send, receive), "signed port"},
      {text("p", "n", "192.0.2.7", "80x", send, receive), "port with a suffix"},
      {text("p\x01", "n", "192.0.2.7", "40000", send, receive), "control character in id"},
      {text("p", "n\tx", "192.0.2.7", "40000", send, receive), "tab in node id"},
      {text("p\x7f", "n", "192.0.2.7", "40000", send, receive), "DEL in id"},
      {text("p\xc3\xa9", "n", "192.0.2.7", "40000", send, receive), "non-ASCII id"},
      {text(std::string(129, 'm'), "n", "192.0.2.7", "40000", send, receive), "129-char id"},
      {text("p", std::string(129, 'n'), "192.0.2.7", "40000", send, receive), "129-char node id"},
      {text("p", "n", "192.0.2", "40000", send, receive), "short IPv4"},
      {text("p", "n", "256.0.0.1", "40000", send, receive), "IPv4 octet > 255"},
      {text("p", "n", "localhost", "40000", send, receive), "host name"},
      {text("p", "n", "2001:db8::g", "40000", send, receive), "bad IPv6"},
      {text("p", "n", "[::1]", "40000", send, receive), "bracketed IPv6"},
      {text("p", "n", "192.0.2.7:1", "40000", send, receive), "address with port"},
  };
  for (const auto& [input, why] : cases)
    EXPECT_FALSE(cascade::ParseLinkOffer(input)) << why << ": \"" << input << "\"";
}

TEST(CascadeLinkTest, FormatRefusesWhatCannotBeParsedBack) {
  auto format = [](auto change) {
    cascade::LinkOffer o = Offer();
    change(o);
    return cascade::FormatLinkOffer(o);
  };
  EXPECT_EQ(format([](cascade::LinkOffer& o) { o.primary_meeting_id = ""; }), "");
  EXPECT_EQ(format([](cascade::LinkOffer& o) { o.primary_meeting_id = "a b"; }), "");
  EXPECT_EQ(format([](cascade::LinkOffer& o) { o.node_id = "n\n"; }), "");
  EXPECT_EQ(format([](cascade::LinkOffer& o) { o.node_id = std::string(129, 'n'); }), "");
  EXPECT_EQ(format([](cascade::LinkOffer& o) { o.send_key.pop_back(); }), "");
  EXPECT_EQ(format([](cascade::LinkOffer& o) { o.receive_key += "x"; }), "");
  EXPECT_NE(format([](cascade::LinkOffer&) {}), "");
}

TEST(CascadeLinkTest, ParseAddress) {
  EXPECT_FALSE(cascade::ParseAddress("127.0.0.1", 0)) << "port 0";
  EXPECT_FALSE(cascade::ParseAddress("", 1));
  EXPECT_FALSE(cascade::ParseAddress(std::string(46, '1'), 1)) << "longer than any literal";
  const auto v4 = cascade::ParseAddress("127.0.0.1", 5004);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->family, 4);
  EXPECT_EQ(v4->port, 5004);
  EXPECT_EQ(v4->ip[0], 127);
  EXPECT_EQ(v4->ip[3], 1);
  const auto mapped = cascade::ParseAddress("::ffff:10.1.2.3", 9);
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->family, 6);
}

// ---------------------------------------------------------------------------------------------
// Relayed packets.

TEST(CascadeLinkTest, RelayedVideoKeepsMarkerSequenceAndTimestampOnly) {
  // A publisher's packet as received: its own SSRC and payload type, a CSRC, header extensions
  // (one-byte and two-byte forms) and padding.
  const uint8_t payload[] = {0x90, 0x80, 0x81, 0x23, 0x00, 1, 2, 3, 4, 5, 6, 7};
  for (const bool two_byte : {false, true}) {
    for (const bool marker : {false, true}) {
      wire::RtpHeaderWriter w;
      w.SetPayloadType(100);
      w.SetSequenceNumber(0xFFFE);
      w.SetTimestamp(0x89ABCDEF);
      w.SetSsrc(0xA11CE);
      w.SetMarker(marker);
      w.AddCsrc(0xC5C5);
      const uint8_t rid[] = {'h', 'i'};
      const std::vector<uint8_t> long_ext(two_byte ? 20 : 1, 0x77);
      w.AddExtension(4, rid);
      w.AddExtension(5, long_ext);
      std::vector<uint8_t> in(256);
      const size_t h = w.WriteTo(in);
      ASSERT_GT(h, wire::kRtpHeaderSize + 4);
      std::copy(std::begin(payload), std::end(payload), in.begin() + static_cast<ptrdiff_t>(h));
      size_t len = h + sizeof(payload);
      in[0] |= 0x20;  // padding: 3 bytes, the last one counts them
      in[len++] = 0;
      in[len++] = 0;
      in[len++] = 3;
      in.resize(len);
      const auto pkt = wire::RtpPacketView::Parse(in);
      ASSERT_TRUE(pkt);
      ASSERT_TRUE(pkt->has_extension());

      std::vector<uint8_t> out(12 + sizeof(payload));
      ASSERT_EQ(cascade::WriteRelayedVideo(*pkt, 0x1234, out), out.size())
          << "exactly a 12-byte header and the payload";
      const auto relayed = wire::RtpPacketView::Parse(out);
      ASSERT_TRUE(relayed);
      EXPECT_EQ(relayed->ssrc(), 0x1234u) << "the stream id";
      EXPECT_EQ(relayed->payload_type(), cascade::kVp8PayloadType);
      EXPECT_EQ(relayed->marker(), marker);
      EXPECT_EQ(relayed->sequence_number(), 0xFFFE);
      EXPECT_EQ(relayed->timestamp(), 0x89ABCDEFu);
      EXPECT_EQ(relayed->csrc_count(), 0u);
      EXPECT_FALSE(relayed->has_extension());
      EXPECT_FALSE(relayed->has_padding());
      EXPECT_EQ(relayed->header_size(), 12u);
      EXPECT_TRUE(std::equal(relayed->payload().begin(), relayed->payload().end(),
                             std::begin(payload), std::end(payload)));

      // One byte short: nothing written.
      std::vector<uint8_t> small(12 + sizeof(payload) - 1, 0xEE);
      EXPECT_EQ(cascade::WriteRelayedVideo(*pkt, 0x1234, small), 0u);
      EXPECT_EQ(cascade::WriteRelayedVideo(*pkt, 0x1234, std::span<uint8_t>()), 0u);
    }
  }
}

TEST(CascadeLinkTest, RelayedVideoOfAnEmptyPayload) {
  wire::RtpHeaderWriter w;
  w.SetPayloadType(96);
  w.SetSequenceNumber(7);
  w.SetSsrc(9);
  uint8_t in[12];
  ASSERT_EQ(w.WriteTo(in), 12u);
  const auto pkt = wire::RtpPacketView::Parse(in);
  ASSERT_TRUE(pkt);
  uint8_t out[12];
  ASSERT_EQ(cascade::WriteRelayedVideo(*pkt, 5, out), 12u);
  EXPECT_EQ(wire::RtpPacketView::Parse(out)->ssrc(), 5u);
}

TEST(CascadeLinkTest, LinkSequenceGoesOnAcrossANewSourceSsrc) {
  cascade::LinkSequence seq;
  EXPECT_EQ(seq.Next(0x111, 65534), 65534);  // the first SSRC keeps its numbers
  EXPECT_EQ(seq.Next(0x111, 65535), 65535);
  EXPECT_EQ(seq.Next(0x111, 0), 0);
  EXPECT_EQ(seq.Next(0x111, 65533), 65533) << "a late packet keeps its place";
  EXPECT_EQ(seq.Source(0), 0);
  // A new encoder under the same stream id starts its own numbering at 500: the link goes on.
  EXPECT_EQ(seq.Next(0x222, 500), 1);
  EXPECT_EQ(seq.Next(0x222, 501), 2);
  EXPECT_EQ(seq.Source(2), 501) << "a NACK of link number 2 asks for the publisher's 501";
  EXPECT_EQ(seq.source_ssrc(), 0x222u);
  // Back to an SSRC seen before: still a new numbering, never an old link number again.
  EXPECT_EQ(seq.Next(0x111, 1), 3);
}

TEST(CascadeLinkTest, RelayedAudio) {
  const uint8_t opus[] = {0xF8, 0xFF, 0xFE, 0x42};
  std::vector<uint8_t> out(12 + sizeof(opus));
  ASSERT_EQ(cascade::WriteRelayedAudio(0xFFFF, 0xFFFFFFF0, opus, out), out.size());
  const auto p = wire::RtpPacketView::Parse(out);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ssrc(), cascade::kAudioSsrc);
  EXPECT_EQ(p->payload_type(), cascade::kOpusPayloadType);
  EXPECT_FALSE(p->marker());
  EXPECT_EQ(p->sequence_number(), 0xFFFF);
  EXPECT_EQ(p->timestamp(), 0xFFFFFFF0u);
  EXPECT_FALSE(p->has_extension());
  EXPECT_TRUE(
      std::equal(p->payload().begin(), p->payload().end(), std::begin(opus), std::end(opus)));
  std::vector<uint8_t> small(12 + sizeof(opus) - 1);
  EXPECT_EQ(cascade::WriteRelayedAudio(1, 2, opus, small), 0u);
  // Neither the audio SSRC nor its payload type can be confused with a relayed video layer.
  EXPECT_NE(cascade::kOpusPayloadType, cascade::kVp8PayloadType);
}

// ---------------------------------------------------------------------------------------------
// A live link between two shards.

constexpr char kMeeting[] = "p";
constexpr uint32_t kStream = 1;            // the camera's stream id (the link's SSRC)
constexpr uint32_t kPubSsrc = 0xA11CE;     // what the publisher sends on A
constexpr uint32_t kSectionSsrc = 0xB0B1;  // the subscriber's section on B
constexpr uint16_t kFirstSeq = 65490;      // the publisher's numbering wraps during the test
constexpr int kFrames = 34;                // of 3 packets: 102 packets
constexpr int kPacketsPerFrame = 3;
const std::string kAtoB = KeyOf(0x11);  // what A protects with, B unprotects with
const std::string kBtoA = KeyOf(0x22);

// Runs f on the shard's thread and returns its result. A shard that does not run it within
// 10 s is a hang: the test binary stops with a message rather than wait forever.
template <class F>
auto On(Shard& shard, F f) -> decltype(f()) {
  using R = decltype(f());
  auto done = std::make_shared<std::promise<R>>();
  std::future<R> result = done->get_future();
  shard.Post([done, &f] {
    if constexpr (std::is_void_v<R>) {
      f();
      done->set_value();
    } else {
      done->set_value(f());
    }
  });
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    std::fprintf(stderr, "shard %d did not run a posted task within 10 s\n", shard.index());
    std::abort();
  }
  return result.get();
}

// Polls pred (on the test thread) every 10 ms for up to `limit`.
template <class F>
bool Eventually(F pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// A VideoPeer on a started shard (its clock is the shard's): records what the SFU sends it.
// Touched only on that shard's thread while the shard runs.
class LivePeer final : public VideoPeer {
 public:
  LivePeer(Shard& shard, uint32_t feedback_ssrc) : shard_(shard), feedback_ssrc_(feedback_ssrc) {}

  bool SendVideoRtp(uint8_t* data, size_t len, size_t) override {
    media.emplace_back(data, data + len);
    return true;
  }
  void SendVideoRtcp(uint8_t* data, size_t len, size_t) override {
    rtcp.emplace_back(data, data + len);
  }
  void ReportBitrates(std::vector<StreamBitrate>) override {}
  uint32_t feedback_ssrc() const override { return feedback_ssrc_; }
  int64_t NowMs() const override { return shard_.NowMs(); }
  void DetachVideo() override { detached = true; }

  int Plis(uint32_t media_ssrc) const {
    int n = 0;
    for (const auto& p : rtcp) {
      wire::rtcp::CompoundIterator it(p);
      while (auto b = it.Next()) {
        wire::rtcp::Pli pli;
        if (b->type() == wire::rtcp::kPacketTypePsfb &&
            b->fmt() == wire::rtcp::Pli::kFeedbackMessageType && pli.Parse(*b) &&
            pli.media_ssrc() == media_ssrc)
          ++n;
      }
    }
    return n;
  }

  std::vector<std::vector<uint8_t>> media, rtcp;
  bool detached = false;

 private:
  Shard& shard_;
  uint32_t feedback_ssrc_;
};

// A talker on A's mixer: every shard tick, 20 ms of a 440 Hz tone as Opus with its level.
class ToneTalker final : public ShardSession, public MixListener {
 public:
  ToneTalker(Shard& shard, const std::string& meeting_id) {
    audio_ = &MeetingAudio::For(shard, meeting_id, mixer::RoomMixerConfig{});
    id_ = audio_->Join(this, /*muted=*/false);
  }
  ~ToneTalker() override {
    if (audio_) audio_->Leave(id_);
  }
  void OnTick(int64_t now_ms) override {
    if (!audio_) return;
    std::vector<int16_t> pcm(codec::kOpusFrameSamples);
    sine_.Fill(pcm);
    uint8_t opus[codec::kMaxOpusPacket];
    const size_t n = encoder_.Encode(pcm, opus);
    if (n) audio_->PushOpus(id_, seq_, ts_, std::span(opus, n), codec::LevelDbov(pcm), now_ms);
    ++seq_;
    ts_ += codec::kOpusFrameSamples;
  }
  bool finished() const override { return false; }
  void SendMixedAudio(std::span<const uint8_t>, uint64_t) override {}
  void ReportLevel(int, int) override {}
  void DetachAudio() override { audio_ = nullptr; }

 private:
  MeetingAudio* audio_ = nullptr;
  uint32_t id_ = 0;
  codec::SineGenerator sine_{440, 0.3};
  codec::OpusFrameEncoder encoder_{codec::EncoderSettings{}};
  uint16_t seq_ = 100;
  uint32_t ts_ = 0;
};

// A listener of B's mixer: records its payloads (the first 500).
class MixRecorder final : public MixListener {
 public:
  void SendMixedAudio(std::span<const uint8_t> opus, uint64_t) override {
    if (payloads.size() < 500) payloads.emplace_back(opus.begin(), opus.end());
  }
  void ReportLevel(int, int) override {}
  void DetachAudio() override {}
  std::vector<std::vector<uint8_t>> payloads;
};

// The loudest 440 Hz (dB, Goertzel) in 20 ms frames of the decoded payloads.
double ToneDb(const std::vector<std::vector<uint8_t>>& payloads) {
  codec::OpusFrameDecoder dec;
  std::vector<int16_t> pcm(codec::kOpusFrameSamples);
  double best = -200;
  for (const auto& p : payloads) {
    dec.Decode(p, pcm);
    best = std::max(best, codec::GoertzelDb(pcm, 440));
  }
  return best;
}

// The publisher's packet number a packet carries (its last two payload bytes: they survive
// relaying and the subscriber's rewriting, which touch headers and the VP8 descriptor only).
uint16_t TagOf(const std::vector<uint8_t>& pkt) {
  const auto payload = View(pkt).payload();
  return static_cast<uint16_t>(payload[payload.size() - 2] << 8 | payload.back());
}

class CascadeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(a_.Start(&error)) << error;
    ASSERT_TRUE(b_.Start(&error)) << error;
    addr_a_ = Address("127.0.0.1", a_.media_port());
    addr_b_ = Address("127.0.0.1", b_.media_port());
    source_.ssrc = kPubSsrc;
    source_.seq = kFirstSeq;
  }
  // The shards go first: their sessions (the meetings' mixers and forwarders) tell the peers
  // and listeners, still alive, that they are going.
  void TearDown() override {
    a_.Stop();
    b_.Stop();
  }

  // On A: the primary meeting's video with the publisher of one VP8 layer, and the link to B.
  void StartPrimary(const std::string& send_key = kAtoB, const std::string& receive_key = kBtoA) {
    On(a_, [&] {
      VideoPlanForMedia plan;
      plan.publication.payload_type = testing::kVp8Pt;
      plan.publication.layers = {VideoLayer{kStream, "", kPubSsrc, 0}};
      video_a_ = &MeetingVideo::For(a_, kMeeting);
      video_a_->Set(&publisher_, plan);
      CascadeLinkPlan link;
      link.meeting_id = kMeeting;
      link.node_id = "node-b";
      link.peer = addr_b_;
      link.send_key = send_key;
      link.receive_key = receive_key;
      CascadeSender::Open(a_, link);
      ASSERT_EQ(a_.registry().cascade_senders.count("p/node-b"), 1u);
    });
  }
  // On B: the receiver (told the primary's address and publication), then the subscriber.
  void StartReplica(const std::string& send_key = kBtoA, const std::string& receive_key = kAtoB,
                    std::optional<wire::StunAddress> peer = std::nullopt) {
    On(b_, [&] {
      CascadeLinkPlan link;
      link.meeting_id = kMeeting;
      link.node_id = "node-a";
      link.send_key = send_key;
      link.receive_key = receive_key;
      CascadeReceiver::Open(b_, link);  // the peer is not known yet (port 0)
      ASSERT_EQ(b_.registry().cascade_receivers.count(kMeeting), 1u);
      CascadeReceiver::SetPeer(b_, kMeeting, "node-a", peer.value_or(addr_a_));
      CascadeReceiver::SetPublications(b_, kMeeting, {RelayedPublication{"att", {kStream}}});
      Subscribe(subscriber_);
    });
  }
  // On B's thread.
  void Subscribe(LivePeer& who) {
    VideoSubscription s;
    s.mid = "1";
    s.ssrc = kSectionSsrc;
    s.payload_type = testing::kVp8Pt;
    s.stream_id = kStream;
    VideoPlanForMedia plan;
    plan.subscriptions = {s};
    MeetingVideo::For(b_, kMeeting).Set(&who, plan);
  }
  // The publisher sends `frames` frames on A (the first a key frame), each packet tagged with
  // its sequence number; returns those numbers.
  std::vector<uint16_t> Publish(int frames, bool first_is_key = true) {
    std::vector<uint16_t> sent;
    for (int f = 0; f < frames; ++f) {
      std::vector<std::vector<uint8_t>> frame =
          source_.Frame(first_is_key && f == 0, kPacketsPerFrame);
      for (auto& pkt : frame) {
        const uint16_t seq = View(pkt).sequence_number();
        pkt[pkt.size() - 2] = static_cast<uint8_t>(seq >> 8);
        pkt[pkt.size() - 1] = static_cast<uint8_t>(seq);
        sent.push_back(seq);
      }
      On(a_, [&] {
        for (const auto& pkt : frame) EXPECT_TRUE(video_a_->OnRtp(&publisher_, View(pkt)));
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a little like a camera
    }
    return sent;
  }
  std::vector<std::vector<uint8_t>> Received(LivePeer& who) {
    return On(b_, [&] { return who.media; });
  }

  Shard a_{0, "127.0.0.1", 0, nullptr};
  Shard b_{1, "127.0.0.1", 0, nullptr};
  wire::StunAddress addr_a_, addr_b_;
  LivePeer publisher_{a_, 0xA0};
  LivePeer subscriber_{b_, 0xB0};
  MixRecorder recorder_;
  MeetingVideo* video_a_ = nullptr;  // A's thread only
  Vp8Source source_;
};

TEST_F(CascadeE2eTest, VideoReachesTheReplicasSubscriberInOrderFromTheKeyFrame) {
  StartPrimary();
  StartReplica();
  // The subscription asked B's relay publisher for a key frame: the PLI crossed the link and
  // reached the publisher on A, for its own SSRC.
  ASSERT_TRUE(Eventually([&] { return On(a_, [&] { return publisher_.Plis(kPubSsrc); }) >= 1; }))
      << "the subscriber's key-frame request did not reach the publisher on the primary's node";
  EXPECT_GT(a_.stats().cascade_received_rtcp.load(), 0u);

  const std::vector<uint16_t> sent = Publish(kFrames);
  ASSERT_EQ(sent.size(), static_cast<size_t>(kFrames * kPacketsPerFrame));
  ASSERT_TRUE(Eventually([&] { return Received(subscriber_).size() >= sent.size(); }))
      << "the subscriber on B got " << Received(subscriber_).size() << " of " << sent.size()
      << " packets; A sent " << a_.stats().cascade_sent_video.load() << ", B received "
      << b_.stats().cascade_received_video.load() << ", B refused "
      << b_.stats().cascade_refused.load();

  const std::vector<std::vector<uint8_t>> got = Received(subscriber_);
  ASSERT_EQ(got.size(), sent.size()) << "nothing twice";
  EXPECT_TRUE(Vp8Of(got[0]).key_frame) << "the section starts at the key frame";
  for (size_t i = 0; i < got.size(); ++i) {
    const auto p = View(got[i]);
    EXPECT_EQ(TagOf(got[i]), sent[i]) << "packet " << i << ": in the publisher's order";
    EXPECT_EQ(p.ssrc(), kSectionSsrc);
    EXPECT_EQ(p.payload_type(), testing::kVp8Pt);
    EXPECT_EQ(p.marker(), i % kPacketsPerFrame == kPacketsPerFrame - 1);
    EXPECT_EQ(p.payload_size(), source_.payload);
    if (i > 0) {
      EXPECT_EQ(p.sequence_number(), static_cast<uint16_t>(View(got[i - 1]).sequence_number() + 1))
          << "packet " << i;
      const uint32_t step = i % kPacketsPerFrame == 0 ? 3000 : 0;
      EXPECT_EQ(p.timestamp(), View(got[i - 1]).timestamp() + step) << "packet " << i;
    }
  }
  EXPECT_EQ(a_.stats().cascade_sent_video.load(), sent.size()) << "each packet relayed once";
  EXPECT_EQ(a_.stats().cascade_sent_retransmit.load(), 0u);
  EXPECT_EQ(a_.stats().cascade_refused.load(), 0u);
  EXPECT_EQ(b_.stats().cascade_refused.load(), 0u);
  EXPECT_EQ(a_.stats().cascade_links_send.load(), 1);
  EXPECT_EQ(b_.stats().cascade_links_receive.load(), 1);
}

TEST_F(CascadeE2eTest, LossOnTheLinkIsRepairedByTheRelayPublishersNacks) {
  StartPrimary();
  StartReplica();
  // Every 10th packet is lost on its first trip over the link (never the key frame's first).
  auto dropped = std::make_shared<std::atomic<int>>(0);
  On(a_, [&] {
    auto it = a_.registry().cascade_senders.find("p/node-b");
    ASSERT_NE(it, a_.registry().cascade_senders.end());
    it->second->set_drop_for_test([dropped](uint32_t stream_id, uint16_t seq, bool retransmit) {
      EXPECT_EQ(stream_id, kStream);
      const bool drop = !retransmit && static_cast<uint16_t>(seq - kFirstSeq) % 10 == 9;
      if (drop) dropped->fetch_add(1);
      return drop;
    });
  });
  const std::vector<uint16_t> sent = Publish(kFrames);
  const size_t expect_dropped = sent.size() / 10;  // 102 packets: 10 lost
  auto missing = [&] {
    std::set<uint16_t> want(sent.begin(), sent.end());
    for (const auto& p : Received(subscriber_)) want.erase(TagOf(p));
    return want;
  };
  ASSERT_TRUE(Eventually([&] { return missing().empty(); }))
      << missing().size()
      << " packets never reached the subscriber on B (first missing: " << *missing().begin()
      << "); dropped " << dropped->load() << ", B sent NACKs for "
      << b_.stats().video_nacks_sent.load() << ", A resent "
      << a_.stats().cascade_sent_retransmit.load();
  EXPECT_EQ(dropped->load(), static_cast<int>(expect_dropped));
  EXPECT_GE(a_.stats().cascade_sent_retransmit.load(), expect_dropped)
      << "each lost packet was resent at least once";
  EXPECT_GE(b_.stats().video_nacks_sent.load(), expect_dropped);
  EXPECT_GT(a_.stats().cascade_received_rtcp.load(), 0u);
  EXPECT_EQ(a_.stats().cascade_refused.load(), 0u);

  // Every packet once, each under the section number its place in the publisher's stream gives
  // it (the repaired ones arrive late, but where they belong).
  const std::vector<std::vector<uint8_t>> got = Received(subscriber_);
  EXPECT_EQ(got.size(), sent.size()) << "nothing twice";
  ASSERT_FALSE(got.empty());
  ASSERT_EQ(TagOf(got[0]), kFirstSeq);
  EXPECT_TRUE(Vp8Of(got[0]).key_frame);
  const uint16_t base = View(got[0]).sequence_number();
  for (const auto& p : got)
    EXPECT_EQ(View(p).sequence_number(), static_cast<uint16_t>(base + (TagOf(p) - kFirstSeq)))
        << "publisher packet " << TagOf(p);
}

TEST_F(CascadeE2eTest, TheSharedMixReachesTheReplicasMixer) {
  StartPrimary();
  StartReplica();
  On(b_, [&] { MeetingAudio::For(b_, kMeeting, {}).Join(&recorder_, /*muted=*/true); });
  On(a_, [&] { a_.AddSession(std::make_unique<ToneTalker>(a_, kMeeting)); });
  auto payloads = [&] { return On(b_, [&] { return recorder_.payloads; }); };
  // The tone, mixed on A, relayed as A's shared mix, mixed again on B (the receiver is its
  // talker), is what a listener on B hears.
  double db = -200;
  ASSERT_TRUE(Eventually([&] { return (db = ToneDb(payloads())) > -30; }))
      << "no 440 Hz on B (best " << db << " dB in " << payloads().size() << " frames); A sent "
      << a_.stats().cascade_sent_audio.load() << " audio packets, B received "
      << b_.stats().cascade_received_audio.load();
  EXPECT_GT(a_.stats().cascade_sent_audio.load(), 0u);
  EXPECT_GT(b_.stats().cascade_received_audio.load(), 0u);
  EXPECT_EQ(b_.stats().cascade_refused.load(), 0u);
}

// A's send key is not what B unprotects with: everything from A is refused on B, counted, and
// reaches neither the subscriber nor the mixer. The other direction (B's RTCP) still works.
TEST_F(CascadeE2eTest, AWrongKeyOnTheSendersSideIsRefusedAndForwardsNothing) {
  StartPrimary(/*send_key=*/KeyOf(0x33));
  StartReplica();
  const std::vector<uint16_t> sent = Publish(10);
  // All that A sent before now, audio included, refused on arrival.
  const uint64_t by_now = On(a_, [&] {
    return a_.stats().cascade_sent_video.load() + a_.stats().cascade_sent_audio.load();
  });
  EXPECT_EQ(a_.stats().cascade_sent_video.load(), sent.size());
  ASSERT_TRUE(Eventually([&] { return b_.stats().cascade_refused.load() >= by_now; }))
      << "B refused " << b_.stats().cascade_refused.load() << " of " << by_now;
  EXPECT_EQ(b_.stats().cascade_received_video.load(), 0u);
  EXPECT_EQ(b_.stats().cascade_received_audio.load(), 0u);
  EXPECT_TRUE(Received(subscriber_).empty());
  // B's RTCP (the subscription's PLI, the keepalive) is accepted on A.
  ASSERT_TRUE(Eventually([&] { return a_.stats().cascade_received_rtcp.load() > 0; }));
  EXPECT_EQ(a_.stats().cascade_refused.load(), 0u);
}

// B's send key is not what A unprotects with: A refuses its RTCP (counted); the subscriber's
// key-frame request never reaches the publisher.
TEST_F(CascadeE2eTest, AWrongKeyOnTheReceiversSideIsRefusedBySender) {
  StartPrimary();
  StartReplica(/*send_key=*/KeyOf(0x44));
  ASSERT_TRUE(Eventually([&] { return a_.stats().cascade_refused.load() > 0; }))
      << "B's RTCP was not refused on A";
  EXPECT_EQ(a_.stats().cascade_received_rtcp.load(), 0u);
  EXPECT_EQ(On(a_, [&] { return publisher_.Plis(kPubSsrc); }), 0);
  // Media A sends is still fine on B.
  Publish(2);
  ASSERT_TRUE(Eventually([&] { return Received(subscriber_).size() == 6; }));
}

// Datagrams from the primary's address that are not SRTP of the link's keys are refused: junk,
// plain RTP, SRTP with another key, a replay of a valid packet. Only the valid one goes on.
TEST_F(CascadeE2eTest, ForgedAndReplayedDatagramsAreRefused) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)), 0);
  socklen_t n = sizeof(local);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &n), 0);
  // B takes this socket for the primary's node.
  StartReplica(kBtoA, kAtoB, Address("127.0.0.1", ntohs(local.sin_port)));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(b_.media_port());
  auto send = [&](const std::vector<uint8_t>& d) {
    ASSERT_EQ(::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
              static_cast<ssize_t>(d.size()));
  };
  // A key frame in the relayed form (SSRC = stream id, PT 96).
  source_.ssrc = kStream;
  const std::vector<uint8_t> plain = source_.Packet(/*key=*/true, true, true);
  auto protect = [&](const std::string& key) {
    auto srtp = transport::SrtpSession::Create(
        transport::SrtpProfile::kAeadAes128Gcm,
        std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
        transport::SrtpSession::Direction::kOutbound);
    EXPECT_TRUE(srtp);
    std::vector<uint8_t> buf(plain.size() + transport::kSrtpMaxTrailer);
    std::copy(plain.begin(), plain.end(), buf.begin());
    size_t len = plain.size();
    EXPECT_EQ(srtp->ProtectRtp(buf.data(), &len, buf.size()), transport::SrtpResult::kOk);
    buf.resize(len);
    return buf;
  };
  const std::vector<uint8_t> junk = {'g', 'a', 'r', 'b', 'a', 'g', 'e', '!', 0, 0, 0, 0};
  send(junk);
  send(plain);
  send(protect(KeyOf(0x55)));
  const std::vector<uint8_t> valid = protect(kAtoB);
  send(valid);
  send(valid);  // replayed
  ::close(fd);
  const ShardStats& st = b_.stats();
  ASSERT_TRUE(Eventually([&] {
    return st.cascade_refused.load() + st.cascade_received_video.load() >= 5;
  })) << "refused "
      << st.cascade_refused.load() << ", received " << st.cascade_received_video.load();
  EXPECT_EQ(st.cascade_refused.load(), 4u);
  EXPECT_EQ(st.cascade_received_video.load(), 1u);
  const auto got = Received(subscriber_);
  ASSERT_EQ(got.size(), 1u) << "only the valid packet is forwarded";
  EXPECT_TRUE(Vp8Of(got[0]).key_frame);
  EXPECT_EQ(st.cascade_received_audio.load(), 0u);
}

// The control thread refreshes a link with the same keys (nothing changes) and replaces it
// when the other end restarted with new keys.
TEST_F(CascadeE2eTest, OpenWithTheSameKeysRefreshesNewKeysReplace) {
  On(a_, [&] {
    CascadeLinkPlan link;
    link.meeting_id = kMeeting;
    link.node_id = "node-b";
    link.peer = addr_b_;
    link.send_key = kAtoB;
    link.receive_key = kBtoA;
    CascadeSender::Open(a_, link);
    CascadeSender* first = a_.registry().cascade_senders.at("p/node-b");
    CascadeSender::Open(a_, link);
    EXPECT_EQ(a_.registry().cascade_senders.at("p/node-b"), first) << "refreshed";
    link.send_key = KeyOf(0x66);
    CascadeSender::Open(a_, link);
    EXPECT_NE(a_.registry().cascade_senders.at("p/node-b"), first) << "replaced";
    EXPECT_TRUE(first->finished());
    CascadeSender::Close(a_, kMeeting, "node-b");
    EXPECT_EQ(a_.registry().cascade_senders.count("p/node-b"), 0u);
  });
  On(b_, [&] {
    CascadeLinkPlan link;
    link.meeting_id = kMeeting;
    link.node_id = "node-a";
    link.send_key = kBtoA;
    link.receive_key = kAtoB;
    CascadeReceiver::Open(b_, link);
    CascadeReceiver* first = b_.registry().cascade_receivers.at(kMeeting);
    CascadeReceiver::Open(b_, link);
    EXPECT_EQ(b_.registry().cascade_receivers.at(kMeeting), first) << "refreshed";
    link.receive_key = KeyOf(0x77);
    CascadeReceiver::Open(b_, link);
    EXPECT_NE(b_.registry().cascade_receivers.at(kMeeting), first) << "replaced";
    EXPECT_TRUE(first->finished());
    CascadeReceiver::Close(b_, kMeeting);
    EXPECT_EQ(b_.registry().cascade_receivers.count(kMeeting), 0u);
  });
  // The finished links go at the next ticks, and with them their counts and the meeting's
  // mixer and forwarder they alone kept.
  ASSERT_TRUE(Eventually([&] {
    return a_.stats().cascade_links_send.load() == 0 &&
           b_.stats().cascade_links_receive.load() == 0;
  }));
  auto meeting_left = [&](Shard& s) {
    return On(s, [&] {
      return s.registry().audio.count(kMeeting) + s.registry().video.count(kMeeting) == 0;
    });
  };
  EXPECT_TRUE(Eventually([&] { return meeting_left(a_); })) << "A still has meeting p";
  EXPECT_TRUE(Eventually([&] { return meeting_left(b_); })) << "B still has meeting p";
}

// The primary's end is made anew under the same keys (its node restarted, or the link lapsed
// and was opened again) and its numbering starts behind what the receiver's replay window saw:
// after a burst of "replays" the receiver starts a fresh window and takes the link again.
TEST_F(CascadeE2eTest, ARestartedSenderIsTakenAgainAfterABurstOfReplays) {
  StartPrimary();
  StartReplica();
  Publish(10);
  ASSERT_TRUE(Eventually([&] { return b_.stats().cascade_received_video.load() >= 30; }));
  On(a_, [&] { CascadeSender::Close(a_, kMeeting, "node-b"); });
  StartPrimary();  // the same keys, a fresh sender
  const uint64_t refused = b_.stats().cascade_refused.load();
  const uint64_t received = b_.stats().cascade_received_video.load();
  source_.seq = static_cast<uint16_t>(source_.seq - 3000);  // well behind the window
  Publish(20);  // 60 packets: 25 refused as replays, then the window is reset
  ASSERT_TRUE(Eventually([&] { return b_.stats().cascade_received_video.load() > received; }))
      << "refused " << b_.stats().cascade_refused.load() - refused;
  EXPECT_GE(b_.stats().cascade_refused.load() - refused, 25u);
}

// The primary's publishers all stop (the mirror lists none) while no attendee of this node has
// media in the meeting yet; later one publishes again and a local attendee subscribes. The
// relayed video must reach it.
TEST_F(CascadeE2eTest, RelayingResumesAfterThePrimaryHadNoPublisher) {
  StartPrimary();
  On(b_, [&] {
    CascadeLinkPlan link;
    link.meeting_id = kMeeting;
    link.node_id = "node-a";
    link.send_key = kBtoA;
    link.receive_key = kAtoB;
    CascadeReceiver::Open(b_, link);
    CascadeReceiver::SetPeer(b_, kMeeting, "node-a", addr_a_);
    CascadeReceiver::SetPublications(b_, kMeeting, {RelayedPublication{"att", {kStream}}});
    CascadeReceiver::SetPublications(b_, kMeeting, {});
  });
  // A few shard ticks: whatever finished on B is gone.
  const uint64_t ticks = b_.stats().ticks.load();
  ASSERT_TRUE(Eventually([&] { return b_.stats().ticks.load() >= ticks + 3; }));
  On(b_, [&] {
    CascadeReceiver::SetPublications(b_, kMeeting, {RelayedPublication{"att", {kStream}}});
    Subscribe(subscriber_);
  });
  const std::vector<uint16_t> sent = Publish(3);
  ASSERT_TRUE(Eventually([&] { return Received(subscriber_).size() == sent.size(); }))
      << "the subscriber on B got " << Received(subscriber_).size() << " of " << sent.size()
      << " (B received " << b_.stats().cascade_received_video.load() << " relayed packets)";
}

}  // namespace
}  // namespace sfu

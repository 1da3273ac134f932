// MeetingVideo and its parts (VideoPublisher, SubscriberSection, DownlinkController) with fake
// peers and synthetic VP8, no sockets: a section starts at a key frame with its own numbering;
// a layer switch waits for the new layer's key frame (the old layer goes on until then); a NACK
// is answered from the publisher's history, rewritten (on RTX when negotiated, else on the
// section's SSRC); an estimate below what a subscriber asked for starts a probe that pads its
// RTX stream; PAUSE stops forwarding and RESUME restarts at a key frame after a PLI; gaps are
// NACKed to the publisher; its RTX is unwrapped; simulcast SSRCs are learned from the RID.
#include "sfu/meeting_video.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "sfu/shard.h"
#include "tests/sfu/video_fakes.h"
#include "transport/wire/rtcp/receiver_report.h"

namespace sfu {
namespace {

using testing::FakePeer;
using testing::kRidExtId;
using testing::kRtxPt;
using testing::kVp8Pt;
using testing::View;
using testing::Vp8Of;
using testing::Vp8Source;

constexpr uint32_t kCamera = 21;  // stream ids
constexpr uint32_t kLow = 11, kHigh = 12;
constexpr uint32_t kSectionSsrc = 0xB0B1, kSectionRtxSsrc = 0xB0B2;

VideoSubscription Section(uint32_t stream_id, bool rtx, const char* mid = "2",
                          uint32_t ssrc = kSectionSsrc) {
  VideoSubscription s;
  s.mid = mid;
  s.ssrc = ssrc;
  s.payload_type = kVp8Pt;
  s.stream_id = stream_id;
  if (rtx) {
    s.rtx_payload_type = kRtxPt;
    s.rtx_ssrc = ssrc + 1;
  }
  return s;
}

class MeetingVideoTest : public ::testing::Test {
 protected:
  void Publish(std::vector<VideoLayer> layers, int rtx_pt = -1, int rid_ext = 0,
               uint32_t max_pixels = 0) {
    VideoPlanForMedia plan;
    plan.publication.max_pixels = max_pixels;
    plan.publication.layers = std::move(layers);
    plan.publication.payload_type = kVp8Pt;
    plan.publication.rtx_payload_type = rtx_pt;
    plan.publication.rid_ext_id = rid_ext;
    video_->Set(&alice_, plan);
  }
  void Subscribe(FakePeer& who, std::vector<VideoSubscription> sections) {
    VideoPlanForMedia plan;
    plan.subscriptions = std::move(sections);
    video_->Set(&who, plan);
  }
  void Send(const std::vector<uint8_t>& pkt, FakePeer* from = nullptr) {
    video_->OnRtp(from ? from : &alice_, View(pkt));
  }
  void Send(const std::vector<std::vector<uint8_t>>& pkts) {
    for (const auto& p : pkts) Send(p);
  }
  // Moves the clock by ms in 20 ms shard ticks.
  void Advance(int64_t ms) {
    for (int64_t t = 0; t < ms; t += 20) {
      now_ += 20;
      video_->OnTick(now_);
    }
  }
  const ShardStats& stats() const { return shard_.stats(); }

  int64_t now_ = 1'000'000;
  Shard shard_{0, "127.0.0.1", 0, nullptr};  // never started: its counters only
  FakePeer alice_{now_, 0xA0}, bob_{now_, 0xB0}, carol_{now_, 0xC0};
  std::unique_ptr<MeetingVideo> video_ = std::make_unique<MeetingVideo>(shard_, "meeting");
};

TEST_F(MeetingVideoTest, SectionStartsAtKeyFrameWithItsOwnNumbering) {
  Publish({{kCamera, "", 0xA11CE, 0}});
  Vp8Source cam{0xA11CE, 65530};
  Send(cam.Frame(false, 3));  // before anyone subscribes: nowhere
  Subscribe(bob_, {Section(kCamera, false)});
  EXPECT_EQ(alice_.Plis(0xA11CE), 1) << "a new subscription asks for a key frame at once";
  Send(cam.Frame(false, 3));
  EXPECT_TRUE(bob_.media.empty()) << "delta frames before the first key frame are held back";
  EXPECT_EQ(stats().video_waiting_keyframe.load(), 3u);
  Send(cam.Frame(true, 3));
  Send(cam.Frame(false, 3));
  ASSERT_EQ(bob_.media.size(), 6u);
  EXPECT_TRUE(Vp8Of(bob_.media[0]).key_frame);
  for (size_t i = 0; i < bob_.media.size(); ++i) {
    const auto p = View(bob_.media[i]);
    EXPECT_EQ(p.ssrc(), kSectionSsrc);
    EXPECT_EQ(p.payload_type(), kVp8Pt);
    EXPECT_EQ(p.marker(), i % 3 == 2);
    wire::RtpHeaderWriter w;  // the header is the plain 12 bytes RtpHeaderWriter writes
    w.SetPayloadType(kVp8Pt);
    w.SetSequenceNumber(p.sequence_number());
    w.SetTimestamp(p.timestamp());
    w.SetSsrc(kSectionSsrc);
    w.SetMarker(p.marker());
    uint8_t header[wire::kRtpHeaderSize];
    ASSERT_EQ(w.WriteTo(header), p.header_size());
    EXPECT_TRUE(std::equal(header, header + sizeof(header), bob_.media[i].begin()));
    if (i > 0) {
      EXPECT_EQ(p.sequence_number(),
                static_cast<uint16_t>(View(bob_.media[i - 1]).sequence_number() + 1));
    }
  }
  EXPECT_EQ(Vp8Of(bob_.media[0]).picture_id, 0) << "PictureIDs are the section's own";
  EXPECT_EQ(stats().video_packets_forwarded.load(), 6u);
  // Every second, a sender report for what the section sent.
  Advance(1000);
  const auto srs = bob_.SenderReports(kSectionSsrc);
  ASSERT_FALSE(srs.empty());
  EXPECT_EQ(srs.back().packet_count(), 6u);
}

// A simulcast camera (low, high) forwarded to bob, who asked for high. His estimate falls below
// the high layer: the allocation moves his section to low, which starts at low's key frame; high
// goes on until then.
class SimulcastTest : public MeetingVideoTest {
 protected:
  void SetUp() override {
    Publish({{kLow, "low", 0x1001, 0}, {kHigh, "hi", 0x1003, 0}});
    Subscribe(bob_, {Section(kHigh, /*rtx=*/true)});
    low_.payload = 200;
    high_.payload = 1000;
    // 25 frames per second on both layers for 1.2 s: high at ~600 kb/s, low at ~40 kb/s (high
    // first: a layer not arriving yet would be stood in for by one that is).
    for (int i = 0; i < 30; ++i) {
      Send(high_.Frame(i == 0, 3));
      Send(low_.Frame(i == 0, 1));
      Advance(40);
    }
    ASSERT_EQ(bob_.media.size(), 90u) << "the high layer, from its first key frame";
    ASSERT_TRUE(bob_.rtx.empty()) << "no probe while the estimate covers what bob asked for";
  }
  // Bob's REMB falls (a congestion signal) to 200 kb/s: room for low, not high.
  void Congest() {
    video_->OnRemb(&bob_, 400'000);
    video_->OnRemb(&bob_, 200'000);
  }
  Vp8Source low_{0x1001, 1000, 5000, 10, 0x11};
  Vp8Source high_{0x1003, 3000, 7000, 20, 0x33};
};

TEST_F(SimulcastTest, LayerSwitchAtKeyFrame) {
  Congest();
  const size_t before = bob_.media.size();
  const uint16_t last_seq = View(bob_.media.back()).sequence_number();
  const int low_plis = alice_.Plis(0x1001);
  // Low's delta frames wait; high still goes out meanwhile; low's key frame is asked for.
  Send(low_.Frame(false, 1));
  Send(high_.Frame(false, 3));
  EXPECT_EQ(alice_.Plis(0x1001), low_plis + 1) << "a PLI for the layer the section switches to";
  ASSERT_EQ(bob_.media.size(), before + 3);
  for (size_t i = before; i < bob_.media.size(); ++i)
    EXPECT_EQ(View(bob_.media[i]).payload()[10], 0x33);
  Advance(40);
  Send(low_.Frame(true, 1));
  ASSERT_EQ(bob_.media.size(), before + 4);
  const auto first = View(bob_.media.back());
  EXPECT_EQ(first.payload()[10], 0x11) << "the low layer after the switch";
  EXPECT_TRUE(Vp8Of(bob_.media.back()).key_frame) << "from low's key frame";
  EXPECT_EQ(first.ssrc(), kSectionSsrc);
  EXPECT_EQ(first.sequence_number(), static_cast<uint16_t>(last_seq + 4)) << "numbering continues";
  EXPECT_EQ(stats().video_layer_switches_down.load(), 1u);
  // From now on high goes nowhere.
  Send(high_.Frame(false, 3));
  Send(low_.Frame(false, 1));
  ASSERT_EQ(bob_.media.size(), before + 5);
  EXPECT_EQ(View(bob_.media.back()).payload()[10], 0x11);
  EXPECT_EQ(View(bob_.media.back()).sequence_number(), static_cast<uint16_t>(last_seq + 5));
}

TEST_F(SimulcastTest, ProbePaddingWhenEstimateHoldsSubscriberBelowWhatItAskedFor) {
  Congest();
  EXPECT_EQ(stats().video_probes.load(), 1u) << "held on low while asking for high: a probe";
  for (int i = 0; i < 12; ++i) {  // 480 ms
    Send(low_.Frame(i == 0, 1));
    Send(high_.Frame(false, 3));
    Advance(40);
  }
  ASSERT_FALSE(bob_.rtx.empty()) << "probe padding on bob's RTX stream";
  size_t bytes = 0;
  uint16_t prev = 0;
  for (size_t i = 0; i < bob_.rtx.size(); ++i) {
    const auto p = View(bob_.rtx[i]);
    EXPECT_EQ(p.ssrc(), kSectionRtxSsrc);
    EXPECT_TRUE(p.has_padding());
    EXPECT_EQ(p.payload_size(), 0u) << "padding only";
    EXPECT_EQ(p.size(), 236u);
    if (i > 0) {
      EXPECT_EQ(p.sequence_number(), static_cast<uint16_t>(prev + 1));
    }
    prev = p.sequence_number();
    bytes += p.size();
  }
  EXPECT_EQ(stats().video_padding_bytes.load(), bytes);
  // The probe tops up what low already sends to the next upgrade +10%: the high layer's
  // smoothed rate (still ramping: ~310 kb/s after 1.2 s) -> ~340 kb/s, ~19 kB in half a second.
  EXPECT_GT(bytes, 14'000u);
  EXPECT_LT(bytes, 24'000u);
}

TEST_F(MeetingVideoTest, NackAnsweredFromHistoryWithRewrittenSequenceNumber) {
  Publish({{kCamera, "", 0xA11CE, 0}});
  Subscribe(bob_, {Section(kCamera, /*rtx=*/true)});
  Subscribe(carol_, {Section(kCamera, /*rtx=*/false, "3", 0xCA01)});
  Vp8Source cam{0xA11CE, 40000};
  Send(cam.Frame(true, 3));
  Send(cam.Frame(false, 3));
  ASSERT_EQ(bob_.media.size(), 6u);
  ASSERT_EQ(carol_.media.size(), 6u);
  // Bob lost his 5th packet: it comes again on RTX (RFC 4588: his sequence number first, then
  // exactly the payload he missed, PictureID rewritten as it was).
  const auto lost = View(bob_.media[4]);
  const uint16_t nacked[] = {lost.sequence_number()};
  video_->OnNack(&bob_, kSectionSsrc, nacked);
  ASSERT_EQ(bob_.rtx.size(), 1u);
  const auto rtx = View(bob_.rtx[0]);
  EXPECT_EQ(rtx.ssrc(), kSectionRtxSsrc);
  EXPECT_EQ(rtx.payload_type(), kRtxPt);
  EXPECT_EQ(rtx.timestamp(), lost.timestamp());
  ASSERT_EQ(rtx.payload_size(), lost.payload_size() + 2);
  EXPECT_EQ((rtx.payload()[0] << 8) | rtx.payload()[1], lost.sequence_number());
  EXPECT_TRUE(std::equal(lost.payload().begin(), lost.payload().end(), rtx.payload().begin() + 2));
  EXPECT_EQ(stats().video_retransmissions.load(), 1u);
  // Carol has no RTX: the same packet again on her section, under her sequence number.
  const uint16_t carol_lost[] = {View(carol_.media[1]).sequence_number()};
  video_->OnNack(&carol_, 0xCA01, carol_lost);
  ASSERT_EQ(carol_.media.size(), 7u);
  EXPECT_EQ(carol_.media.back(), carol_.media[1]);
  // A sequence number from before the section started, or one never sent, is not answered.
  const uint16_t unknown[] = {static_cast<uint16_t>(View(bob_.media[0]).sequence_number() - 1),
                              static_cast<uint16_t>(View(bob_.media[5]).sequence_number() + 1)};
  video_->OnNack(&bob_, kSectionSsrc, unknown);
  EXPECT_EQ(bob_.rtx.size(), 1u);
  EXPECT_EQ(stats().video_retransmissions.load(), 2u);
}

TEST_F(MeetingVideoTest, PauseStopsForwardingAndResumeRestartsAtKeyFrameAfterPli) {
  Publish({{kCamera, "", 0xA11CE, 0}});
  Subscribe(bob_, {Section(kCamera, false)});
  Vp8Source cam{0xA11CE, 7};
  Send(cam.Frame(true, 3));
  Send(cam.Frame(false, 3));
  ASSERT_EQ(bob_.media.size(), 6u);
  const uint16_t last_seq = View(bob_.media.back()).sequence_number();
  video_->SetPaused(&bob_, {kCamera}, true);
  Send(cam.Frame(false, 3));
  Send(cam.Frame(true, 3));
  EXPECT_EQ(bob_.media.size(), 6u) << "nothing while paused, key frames neither";
  Advance(400);  // past the PLI throttle
  const int plis = alice_.Plis(0xA11CE);
  video_->SetPaused(&bob_, {kCamera}, false);
  EXPECT_EQ(alice_.Plis(0xA11CE), plis + 1) << "RESUME asks the publisher for a key frame";
  Send(cam.Frame(false, 3));
  EXPECT_EQ(bob_.media.size(), 6u) << "the resumed section waits for a key frame";
  Send(cam.Frame(true, 3));
  ASSERT_EQ(bob_.media.size(), 9u);
  EXPECT_TRUE(Vp8Of(bob_.media[6]).key_frame);
  EXPECT_EQ(View(bob_.media[6]).sequence_number(), static_cast<uint16_t>(last_seq + 1))
      << "numbering continues";
}

// A client could PAUSE any number of made-up stream ids, and the paused list is scanned for every
// forwarded packet: only ids of streams the subscriber receives are kept (docs/SECURITY.md).
TEST_F(MeetingVideoTest, PauseOfStreamsNotReceivedIsIgnoredAndCounted) {
  Publish({{kCamera, "", 0xA11CE, 0}});
  Subscribe(bob_, {Section(kCamera, false)});
  std::vector<uint32_t> junk;
  for (uint32_t i = 0; i < 5000; ++i) junk.push_back(100000 + i);
  video_->SetPaused(&bob_, junk, true);
  EXPECT_EQ(stats().video_pause_ignored.load(), 5000u);
  Vp8Source cam{0xA11CE, 500};
  Send(cam.Frame(true, 3));
  EXPECT_EQ(bob_.media.size(), 3u) << "the subscribed stream still flows";
}

TEST_F(MeetingVideoTest, PublisherGapsAreNackedAndItsRtxUnwrapped) {
  Publish({{kCamera, "", 0xA11CE, 0xA11CF}}, kRtxPt);
  Subscribe(bob_, {Section(kCamera, false)});
  Vp8Source cam{0xA11CE, 500};
  Send(cam.Frame(true, 3));
  auto frame = cam.Frame(false, 3);
  Send(frame[0]);
  Send(frame[2]);  // frame[1] lost on the way in
  Advance(20);
  const auto nacked = alice_.Nacked(0xA11CE);
  ASSERT_EQ(nacked.size(), 1u);
  EXPECT_EQ(nacked[0], View(frame[1]).sequence_number());
  EXPECT_EQ(stats().video_nacks_sent.load(), 1u);
  // Alice answers on RTX: unwrapped, it is forwarded like the original.
  const auto orig = View(frame[1]);
  std::vector<uint8_t> rtx(12 + 2 + orig.payload_size());
  wire::RtpHeaderWriter w;
  w.SetPayloadType(kRtxPt);
  w.SetSequenceNumber(9);
  w.SetTimestamp(orig.timestamp());
  w.SetSsrc(0xA11CF);
  const size_t h = w.WriteTo(rtx);
  rtx[h] = static_cast<uint8_t>(orig.sequence_number() >> 8);
  rtx[h + 1] = static_cast<uint8_t>(orig.sequence_number());
  std::copy(orig.payload().begin(), orig.payload().end(),
            rtx.begin() + static_cast<std::ptrdiff_t>(h + 2));
  const size_t before = bob_.media.size();
  Send(rtx);
  EXPECT_EQ(stats().video_rtx_received.load(), 1u);
  ASSERT_EQ(bob_.media.size(), before + 1);
  const auto repaired = View(bob_.media.back());
  EXPECT_EQ(repaired.sequence_number(),
            static_cast<uint16_t>(View(bob_.media[0]).sequence_number() + 4));
  EXPECT_EQ(Vp8Of(bob_.media.back()).picture_id, Vp8Of(bob_.media[3]).picture_id)
      << "rewritten like its frame";
  EXPECT_TRUE(std::equal(orig.payload().begin() + 4, orig.payload().end(),
                         repaired.payload().begin() + 4, repaired.payload().end()));
  // RTX padding (the publisher probing its uplink) and strangers go nowhere.
  std::vector<uint8_t> padding(12 + 4);
  w.SetSequenceNumber(10);
  w.WriteTo(padding);
  padding[0] |= 0x20;  // P: the last byte counts the padding
  padding.back() = 4;
  Send(padding);
  Vp8Source stranger{0xBAD, 1};
  Send(stranger.Frame(true, 1));
  EXPECT_EQ(bob_.media.size(), before + 1);
  EXPECT_EQ(stats().video_unknown.load(), 1u);
}

TEST_F(MeetingVideoTest, SimulcastSsrcsAreLearnedFromTheRidAndBitratesReported) {
  Publish({{kLow, "low", 0, 0}, {kHigh, "hi", 0, 0}}, -1, kRidExtId);
  Subscribe(bob_, {Section(kLow, false)});
  Vp8Source low{0x2001, 1, 1000, 1, 0x11, "low"};
  Vp8Source high{0x2003, 1, 1000, 1, 0x33, "hi"};
  Send(low.Frame(true, 2));
  Send(high.Frame(true, 2));
  low.rid = high.rid = nullptr;  // once learned, the SSRC alone names the layer
  Send(high.Frame(false, 2));
  Send(low.Frame(false, 2));
  ASSERT_EQ(bob_.media.size(), 4u);
  for (const auto& p : bob_.media) {
    EXPECT_EQ(View(p).payload()[10], 0x11);
    EXPECT_FALSE(View(p).has_extension()) << "header extensions are not forwarded";
  }
  EXPECT_EQ(alice_.Plis(0x2001), 0) << "the subscription came before the layer's SSRC was known";
  video_->OnKeyframeRequest(&bob_, kSectionSsrc);
  EXPECT_EQ(alice_.Plis(0x2001), 1) << "bob's PLI goes to the learned SSRC";
  Advance(2100);
  ASSERT_FALSE(bob_.bitrates.empty());
  ASSERT_EQ(bob_.bitrates.back().size(), 2u) << "both layers arrived in the window";
  ASSERT_FALSE(alice_.bitrates.empty());
}

TEST_F(MeetingVideoTest, GoesAwayCleanly) {
  Publish({{kCamera, "", 0xA11CE, 0}});
  Subscribe(bob_, {Section(kCamera, false)});
  EXPECT_FALSE(video_->finished());
  video_->Remove(&bob_);
  EXPECT_FALSE(video_->finished());
  video_.reset();
  EXPECT_TRUE(alice_.detached) << "participants left when the meeting's video goes are told";
  EXPECT_FALSE(bob_.detached);
}

}  // namespace
}  // namespace sfu

namespace sfu {
namespace {

// MeetingFeatures.Video.MaxResolution (docs/PROTOCOL.md, "Attendee capabilities"): a layer whose
// key frames are larger than the limit is never forwarded (counted); with simulcast, a
// subscriber asking for that layer gets the largest one within the limit.
TEST_F(MeetingVideoTest, LayersAboveTheMeetingsMaxResolutionAreNotForwarded) {
  constexpr uint32_t kHd = 1280 * 720;
  Publish({{kCamera, "", 0xA11CE, 0}}, -1, 0, kHd);
  Subscribe(bob_, {Section(kCamera, false)});
  Vp8Source cam{0xA11CE, 100};
  cam.width = 1920;
  cam.height = 1080;
  Send(cam.Frame(true, 3));
  Send(cam.Frame(false, 3));
  EXPECT_TRUE(bob_.media.empty()) << "1920x1080 in an HD meeting";
  EXPECT_EQ(stats().video_over_resolution.load(), 6u);
  // The encoder drops to 1280x720: forwarded from that key frame on.
  cam.width = 1280;
  cam.height = 720;
  Send(cam.Frame(true, 3));
  EXPECT_EQ(bob_.media.size(), 3u);
}

TEST_F(MeetingVideoTest, SimulcastSubscriberGetsTheLargestLayerWithinMaxResolution) {
  Publish({{kLow, "low", 0x1001, 0}, {kHigh, "hi", 0x1003, 0}}, -1, 0, 1280 * 720);
  Subscribe(bob_, {Section(kHigh, false)});
  Vp8Source low{0x1001, 1000, 5000, 10, 0x11};
  Vp8Source high{0x1003, 3000, 7000, 20, 0x33};
  low.width = 640;
  low.height = 360;
  high.width = 1920;
  high.height = 1080;
  for (int i = 0; i < 10; ++i) {
    Send(high.Frame(i == 0, 2));
    Send(low.Frame(i == 0, 1));
    Advance(40);
  }
  ASSERT_FALSE(bob_.media.empty());
  for (const auto& p : bob_.media) EXPECT_EQ(View(p).payload()[14], 0x11) << "only the low layer";
  EXPECT_GT(stats().video_over_resolution.load(), 0u);
}

}  // namespace
}  // namespace sfu

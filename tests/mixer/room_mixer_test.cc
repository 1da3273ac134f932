#include "mixer/room_mixer.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "codec/audio_level.h"
#include "codec/tone.h"
#include "transport/wire/red_payload.h"

namespace sfu::mixer {
namespace {

using codec::GoertzelDb;
using codec::kMaxOpusPacket;
using codec::kOpusFrameSamples;

// One simulated attendee: sends a sine (or silence) as 20 ms Opus packets with an RFC 6464
// level, and decodes what the mixer sends back.
struct Attendee {
  Attendee(uint32_t i, double f, double amp, bool voice_like)
      : id(i), freq(f), sine(f, amp), voice(f, amp, 0.08, i), voice_like(voice_like) {}
  void Fill(std::span<int16_t> pcm) {
    if (voice_like)
      voice.Fill(pcm);
    else
      sine.Fill(pcm);
  }
  uint32_t id;
  double freq;
  codec::SineGenerator sine;
  codec::VoiceLikeTone voice;
  bool voice_like;
  OpusFrameEncoder enc{codec::EncoderSettings{32000, 5, true, 10}};
  OpusFrameDecoder dec;
  uint16_t seq = 1000;
  uint32_t ts = 0;
  std::vector<int16_t> heard;  // decoded downlink, after warm-up
};

class Room {
 public:
  explicit Room(RoomMixerConfig c = {}) : mixer(c) {}
  Attendee& Add(double freq, double amp, bool voice_like = false) {
    people.push_back(std::make_unique<Attendee>(static_cast<uint32_t>(people.size() + 1), freq, amp,
                                                voice_like));
    mixer.AddParticipant(people.back()->id);
    return *people.back();
  }
  // Runs `ticks` ticks; from tick `record_from` on, listeners record what they decode.
  // drop(attendee, tick) says whether the uplink packet is lost; with_level: send RFC 6464.
  template <typename Drop>
  void Run(int ticks, int record_from, bool with_level, Drop drop) {
    std::vector<int16_t> pcm(kOpusFrameSamples), out(kOpusFrameSamples);
    std::vector<uint8_t> pkt(kMaxOpusPacket);
    for (int t = 0; t < ticks; ++t, now += 20) {
      for (auto& a : people) {
        a->Fill(pcm);
        const size_t n = a->enc.Encode(pcm, pkt);
        const int level = codec::LevelDbov(pcm);
        if (!drop(*a, t))
          mixer.PushOpus(a->id, a->seq, a->ts, std::span(pkt.data(), n), with_level ? level : -1,
                         now);
        ++a->seq;
        a->ts += 960;
      }
      for (const auto& o : mixer.Tick(now)) {
        Attendee& l = *people[o.id - 1];
        ASSERT_TRUE(l.dec.Decode(o.opus, out)) << "listener " << o.id << " tick " << t;
        if (t >= record_from) l.heard.insert(l.heard.end(), out.begin(), out.end());
      }
      encodes_per_tick.push_back(mixer.stats().encodes - last_encodes);
      last_encodes = mixer.stats().encodes;
    }
  }
  void Run(int ticks, int record_from, bool with_level = true) {
    Run(ticks, record_from, with_level, [](const Attendee&, int) { return false; });
  }

  RoomMixer mixer;
  std::vector<std::unique_ptr<Attendee>> people;
  std::vector<uint64_t> encodes_per_tick;
  uint64_t last_encodes = 0;
  int64_t now = 0;
};

// The margin used throughout: a heard tone is at least -30 dB (a 0.2-0.3 full-scale sine is
// about -10..-14 dB), an absent one below -50 dB.
constexpr double kHeardDb = -30;
constexpr double kAbsentDb = -50;

TEST(RoomMixerTest, EachTalkerHearsTheOthersNotItselfListenersHearAll) {
  Room room;
  Attendee& a = room.Add(440, 0.25);
  Attendee& b = room.Add(700, 0.25);
  Attendee& c = room.Add(1100, 0.25);
  Attendee& quiet1 = room.Add(1700, 0.0);
  Attendee& quiet2 = room.Add(2300, 0.0);
  room.Run(100, 50);
  for (Attendee* talker : {&a, &b, &c}) {
    for (Attendee* other : {&a, &b, &c}) {
      const double db = GoertzelDb(talker->heard, other->freq);
      if (other == talker) {
        EXPECT_LT(db, kAbsentDb) << talker->freq << " hears itself";
      } else {
        EXPECT_GT(db, kHeardDb) << talker->freq << " misses " << other->freq;
      }
    }
  }
  for (Attendee* l : {&quiet1, &quiet2})
    for (Attendee* t : {&a, &b, &c}) EXPECT_GT(GoertzelDb(l->heard, t->freq), kHeardDb);
  // K+1 encodes per tick once everyone talks: the shared mix and three own mixes.
  EXPECT_EQ(room.encodes_per_tick.back(), 4u);
  EXPECT_EQ(room.mixer.talkers().size(), 3u);
}

TEST(RoomMixerTest, OnlyTheKLoudestAreMixed) {
  RoomMixerConfig cfg;
  cfg.max_talkers = 3;
  Room room(cfg);
  const double amps[] = {0.30, 0.25, 0.20, 0.03, 0.02};
  const double freqs[] = {440, 700, 1100, 1700, 2300};
  for (int i = 0; i < 5; ++i) room.Add(freqs[i], amps[i]);
  Attendee& listener = room.Add(3100, 0.0);
  room.Run(100, 50);
  for (int i = 0; i < 3; ++i) EXPECT_GT(GoertzelDb(listener.heard, freqs[i]), kHeardDb) << freqs[i];
  for (int i = 3; i < 5; ++i)
    EXPECT_LT(GoertzelDb(listener.heard, freqs[i]), kAbsentDb) << freqs[i];
  EXPECT_EQ(room.encodes_per_tick.back(), 4u);
}

TEST(RoomMixerTest, WithoutTheLevelExtensionLevelsAreMeasured) {
  Room room;
  Attendee& a = room.Add(440, 0.25);
  Attendee& b = room.Add(700, 0.25);
  room.Run(60, 30, /*with_level=*/false);
  EXPECT_GT(GoertzelDb(a.heard, 700), kHeardDb);
  EXPECT_LT(GoertzelDb(a.heard, 440), kAbsentDb);
  EXPECT_GT(GoertzelDb(b.heard, 440), kHeardDb);
}

TEST(RoomMixerTest, SilenceIsNotEncodedAndStaysSilent) {
  Room room;
  for (int i = 0; i < 4; ++i) room.Add(500 + 300 * i, 0.0);
  room.Run(50, 10);
  EXPECT_EQ(room.mixer.stats().encodes, 0u);
  EXPECT_EQ(room.mixer.stats().decodes, 0u) << "silent senders (level gate) are not decoded";
  for (auto& p : room.people) EXPECT_EQ(codec::LevelDbov(p->heard), 127);
}

TEST(RoomMixerTest, ALoneTalkerHearsSilenceAndCostsOneEncode) {
  Room room;
  Attendee& a = room.Add(440, 0.25);
  Attendee& l = room.Add(700, 0.0);
  room.Run(50, 20);
  EXPECT_EQ(codec::LevelDbov(a.heard), 127);
  EXPECT_GT(GoertzelDb(l.heard, 440), kHeardDb);
  EXPECT_EQ(room.encodes_per_tick.back(), 1u);
}

TEST(RoomMixerTest, MutedAttendeesAreNotMixed) {
  Room room;
  Attendee& a = room.Add(440, 0.25);
  Attendee& b = room.Add(700, 0.25);
  Attendee& l = room.Add(1100, 0.0);
  room.mixer.SetMuted(b.id, true);
  room.Run(60, 30);
  EXPECT_GT(GoertzelDb(l.heard, 440), kHeardDb);
  EXPECT_LT(GoertzelDb(l.heard, 700), kAbsentDb);
  EXPECT_LT(GoertzelDb(a.heard, 700), kAbsentDb);
}

// 10% random loss on a talker's uplink (seeded). Returns the longest run of 20 ms frames in
// which the listener does not have the talker, and the number of such frames. A frame "has" the
// talker when its tone is within 20 dB of its clean level (about -14 dB for 0.2 full scale).
// A voice-like signal: Opus stops sending FEC for a steady pure tone.
struct LossResult {
  int dropped = 0, longest_gap = 0, missing = 0, longest_drop_run = 0;
  RoomMixerStats stats;
};
LossResult RunWithLoss(bool red) {
  Room room;
  Attendee& a = room.Add(440, 0.2, /*voice_like=*/true);
  Attendee& l = room.Add(1100, 0.0);
  std::mt19937 rng(7);
  std::bernoulli_distribution lose(0.10);
  LossResult r;
  int run = 0;
  std::vector<std::vector<uint8_t>> sent;  // a's packets, for RED copies
  std::vector<int16_t> pcm(kOpusFrameSamples), out(kOpusFrameSamples);
  std::vector<uint8_t> pkt(kMaxOpusPacket);
  int64_t now = 0;
  for (int t = 0; t < 500; ++t, now += 20) {
    a.Fill(pcm);
    pkt.resize(kMaxOpusPacket);
    pkt.resize(a.enc.Encode(pcm, pkt));
    sent.push_back(pkt);
    const bool drop = t > 10 && lose(rng);
    r.dropped += drop;
    run = drop ? run + 1 : 0;
    r.longest_drop_run = std::max(r.longest_drop_run, run);
    if (!drop && !red) room.mixer.PushOpus(a.id, static_cast<uint16_t>(t), t * 960u, pkt, 14, now);
    if (!drop && red) {  // distance 2, as Chrome sends
      wire::RedBlock blocks[3];
      size_t n = 0;
      for (int back = 2; back >= 1; --back)
        if (t >= back) blocks[n++] = {111, static_cast<uint32_t>(back * 960), sent[t - back]};
      blocks[n++] = {111, 0, pkt};
      std::vector<uint8_t> payload(4096);
      payload.resize(wire::WriteRedPayload(std::span(blocks, n), payload));
      room.mixer.PushRed(a.id, static_cast<uint16_t>(t), t * 960u, payload, 111, 14, now);
    }
    for (const auto& o : room.mixer.Tick(now)) {
      if (o.id != l.id) continue;
      EXPECT_TRUE(l.dec.Decode(o.opus, out));
      if (t >= 20) l.heard.insert(l.heard.end(), out.begin(), out.end());
    }
  }
  int gap = 0;
  for (size_t i = 0; i + kOpusFrameSamples <= l.heard.size(); i += kOpusFrameSamples) {
    const bool has = GoertzelDb(std::span(l.heard.data() + i, kOpusFrameSamples), 440) > -34;
    gap = has ? 0 : gap + 1;
    r.missing += !has;
    r.longest_gap = std::max(r.longest_gap, gap);
  }
  r.stats = room.mixer.stats();
  return r;
}

// In-band FEC and concealment: a single lost packet never costs more than one frame, most
// losses are rebuilt invisibly; two lost in a row may cost two (Opus concealment fades within
// two frames and FEC reaches back only one).
TEST(RoomMixerTest, LossIsRepairedByFecAndConcealment) {
  const LossResult r = RunWithLoss(/*red=*/false);
  EXPECT_GT(r.dropped, 30);
  EXPECT_GT(r.stats.fec_recovered, static_cast<uint64_t>(r.dropped) / 2)
      << "most losses come back from FEC";
  EXPECT_LE(r.longest_gap, std::max(1, r.longest_drop_run))
      << r.missing << " frames without the talker";
  EXPECT_LT(r.missing, r.dropped / 2);
}

// With RED (distance 2) on top, 10% loss leaves no gap longer than one frame.
TEST(RoomMixerTest, LossWithRedLeavesNoGapLongerThanAFrame) {
  const LossResult r = RunWithLoss(/*red=*/true);
  EXPECT_GT(r.dropped, 30);
  EXPECT_GT(r.stats.red_recovered, static_cast<uint64_t>(r.dropped) / 2);
  EXPECT_LE(r.longest_gap, 1) << r.missing << " frames without the talker";
}

TEST(RoomMixerTest, LevelsAndDelaysAreReported) {
  Room room;
  Attendee& a = room.Add(440, 0.25);
  room.Add(700, 0.0);
  room.Run(20, 0);
  const auto levels = room.mixer.TakeLevels();
  ASSERT_FALSE(levels.empty());
  bool found = false;
  for (const auto& l : levels) {
    if (l.id != a.id) continue;
    found = true;
    EXPECT_NEAR(l.level_dbov, 15, 3);  // 0.25 full-scale sine: rms -15 dBov
    EXPECT_EQ(l.signal_strength, 2);
  }
  EXPECT_TRUE(found);
  const auto delays = room.mixer.TakeDelaySamples();
  EXPECT_FALSE(delays.empty());
  for (int d : delays) EXPECT_GE(d, 0);
  EXPECT_TRUE(room.mixer.TakeDelaySamples().empty());
}

TEST(RoomMixerTest, RedCopiesFillLostPrimaries) {
  RoomMixer mixer;
  mixer.AddParticipant(1);
  mixer.AddParticipant(2);
  OpusFrameEncoder enc(codec::EncoderSettings{});
  codec::SineGenerator sine(440, 0.25);
  std::vector<int16_t> pcm(kOpusFrameSamples);
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < 40; ++i) {
    sine.Fill(pcm);
    std::vector<uint8_t> p(kMaxOpusPacket);
    p.resize(enc.Encode(pcm, p));
    packets.push_back(p);
  }
  int64_t now = 0;
  for (int i = 0; i < 40; ++i, now += 20) {
    if (i % 5 != 3) {  // every fifth packet lost, but the next one carries it as a RED copy
      wire::RedBlock blocks[2];
      size_t count = 0;
      if (i > 0) blocks[count++] = {111, 960, packets[i - 1]};
      blocks[count++] = {111, 0, packets[i]};
      std::vector<uint8_t> red(4096);
      red.resize(wire::WriteRedPayload(std::span(blocks, count), red));
      ASSERT_TRUE(mixer.PushRed(1, static_cast<uint16_t>(i), i * 960u, red, 111, 15, now));
    }
    mixer.Tick(now);
  }
  EXPECT_GE(mixer.stats().red_recovered, 6u);
  // Only the first loss is concealed: it finds the buffer at its minimum depth (one frame),
  // before any loss was seen; after it the buffer holds enough for the RED copy to arrive.
  EXPECT_LE(mixer.stats().concealed, 1u);
  const uint8_t junk[] = {0xef, 0x0f};
  EXPECT_FALSE(mixer.PushRed(1, 99, 0, junk, 111, 15, now));
}

// A talker who falls silent is no longer decoded; when it talks again its decoder starts from a
// clean state (reset), and it is heard again at once.
TEST(RoomMixerTest, ASilentSenderIsNotDecodedAndComesBackCleanly) {
  RoomMixerConfig cfg;
  cfg.hangover_ticks = 2;
  Room room(cfg);
  Attendee& a = room.Add(440, 0.25);
  Attendee& l = room.Add(1100, 0.0);
  room.Run(30, 100);
  const uint64_t decodes_talking = room.mixer.stats().decodes;
  a.sine.set_amplitude(0.0);
  room.Run(30, 100);
  const uint64_t decodes_silent = room.mixer.stats().decodes - decodes_talking;
  EXPECT_LE(decodes_silent, 4u) << "only the hangover ticks are decoded";
  a.sine.set_amplitude(0.25);
  l.heard.clear();
  room.Run(20, 1);
  EXPECT_GE(room.mixer.stats().decoder_resets, 1u);
  EXPECT_GT(GoertzelDb(l.heard, 440), kHeardDb);
}

TEST(RoomMixerTest, ParticipantsComeAndGo) {
  Room room;
  Attendee& a = room.Add(440, 0.25);
  Attendee& b = room.Add(700, 0.25);
  room.Add(1100, 0.25);
  room.Run(20, 100);
  room.mixer.RemoveParticipant(3);
  EXPECT_FALSE(room.mixer.Has(3));
  EXPECT_EQ(room.mixer.size(), 2u);
  // Keep running with the remaining two (the removed one's packets are ignored).
  room.Run(40, 20);
  EXPECT_GT(GoertzelDb(a.heard, 700), kHeardDb);
  EXPECT_LT(GoertzelDb(a.heard, 1100), kAbsentDb);
  EXPECT_GT(GoertzelDb(b.heard, 440), kHeardDb);
}

}  // namespace
}  // namespace sfu::mixer

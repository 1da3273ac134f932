#include "codec/opus_codec.h"

#include <gtest/gtest.h>

#include <vector>

#include "codec/audio_level.h"
#include "codec/tone.h"

namespace sfu::codec {
namespace {

TEST(OpusCodecTest, RoundTripKeepsTheTone) {
  OpusFrameEncoder enc(EncoderSettings{});
  OpusFrameDecoder dec;
  ASSERT_TRUE(enc.ok());
  ASSERT_TRUE(dec.ok());
  SineGenerator sine(700, 0.3);
  std::vector<int16_t> pcm(kOpusFrameSamples), out(kOpusFrameSamples);
  std::vector<uint8_t> packet(kMaxOpusPacket);
  for (int i = 0; i < 20; ++i) {
    sine.Fill(pcm);
    const size_t n = enc.Encode(pcm, packet);
    ASSERT_GT(n, 0u);
    EXPECT_EQ(OpusPacketSamples(std::span(packet.data(), n)), kOpusFrameSamples);
    ASSERT_TRUE(dec.Decode(std::span(packet.data(), n), out));
  }
  EXPECT_GT(GoertzelDb(out, 700), -20);  // 0.3 full scale is about -10.5 dB
  EXPECT_LT(GoertzelDb(out, 1500), -40);
}

TEST(OpusCodecTest, FecFlagFollowsTheEncoderSetting) {
  for (bool fec : {false, true}) {
    EncoderSettings s;
    s.inband_fec = fec;
    s.expected_loss_percent = 10;
    OpusFrameEncoder enc(s);
    VoiceLikeTone voice(300, 0.2);
    std::vector<int16_t> pcm(kOpusFrameSamples);
    std::vector<uint8_t> packet(kMaxOpusPacket);
    int with_fec = 0;
    for (int i = 0; i < 50; ++i) {
      voice.Fill(pcm);
      const size_t n = enc.Encode(pcm, packet);
      ASSERT_GT(n, 0u);
      if (OpusPacketHasFec(std::span(packet.data(), n))) ++with_fec;
    }
    if (fec) {
      // Opus sends LBRR only for frames its voice-activity detector calls speech: most of a
      // voice-like signal (measured: about 80%), none of a steady tone after ~0.6 s.
      EXPECT_GT(with_fec, 30);
    } else {
      EXPECT_EQ(with_fec, 0);
    }
  }
}

TEST(OpusCodecTest, FecRebuildsALostFrame) {
  EncoderSettings s;
  s.expected_loss_percent = 10;
  OpusFrameEncoder enc(s);
  OpusFrameDecoder dec;
  SineGenerator sine(300, 0.3);
  std::vector<int16_t> pcm(kOpusFrameSamples), out(kOpusFrameSamples);
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < 30; ++i) {
    sine.Fill(pcm);
    std::vector<uint8_t> p(kMaxOpusPacket);
    p.resize(enc.Encode(pcm, p));
    packets.push_back(p);
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(dec.Decode(packets[i], out));
  // Packet 20 lost: recovered from 21's FEC, then 21 itself.
  ASSERT_TRUE(dec.DecodeFec(packets[21], out));
  EXPECT_GT(GoertzelDb(out, 300), -25);
  ASSERT_TRUE(dec.Decode(packets[21], out));
}

TEST(OpusCodecTest, GarbageIsConcealedNotTrusted) {
  OpusFrameDecoder dec;
  std::vector<int16_t> out(kOpusFrameSamples, 123);
  const std::vector<uint8_t> garbage = {0xff, 0xff, 0xff};  // code 3 with an impossible count
  EXPECT_FALSE(dec.Decode(garbage, out));
  EXPECT_FALSE(dec.Decode({}, out));
  EXPECT_EQ(OpusPacketSamples(garbage), -1);
  const std::vector<uint8_t> ten_ms = {0xf0, 0xff, 0xfe};  // config 30: CELT 10 ms
  EXPECT_EQ(OpusPacketSamples(ten_ms), 480);
  EXPECT_FALSE(dec.Decode(ten_ms, out));  // only 20 ms frames are mixed
  EXPECT_EQ(OpusPacketSamples(kOpusSilenceFrame), kOpusFrameSamples);
  EXPECT_TRUE(dec.Decode(kOpusSilenceFrame, out));
  EXPECT_EQ(LevelDbov(out), 127);
}

TEST(AudioLevelTest, Rfc6464Scale) {
  std::vector<int16_t> pcm(kOpusFrameSamples, 0);
  EXPECT_EQ(LevelDbov(pcm), 127);
  std::fill(pcm.begin(), pcm.end(), int16_t{32767});
  EXPECT_EQ(LevelDbov(pcm), 0);
  SineGenerator sine(1000, 0.1);  // rms 0.0707 full scale: -23 dBov
  sine.Fill(pcm);
  EXPECT_NEAR(LevelDbov(pcm), 23, 1);
}

}  // namespace
}  // namespace sfu::codec

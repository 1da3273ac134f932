#include "loadtest/signal_bank.h"

#include "codec/audio_level.h"
#include "codec/opus_codec.h"
#include "codec/tone.h"

namespace sfu::loadtest {

const std::vector<double>& SignalBank::Frequencies() {
  static const std::vector<double> f = {350, 520, 770, 1130, 1690, 2450, 610, 910, 1370, 2030};
  return f;
}

SignalBank::SignalBank() {
  std::vector<int16_t> pcm(codec::kOpusFrameSamples);
  std::vector<uint8_t> buf(codec::kMaxOpusPacket);
  for (size_t t = 0; t < Frequencies().size(); ++t) {
    codec::OpusFrameEncoder enc(codec::EncoderSettings{32000, 5, true, 10});
    codec::VoiceLikeTone voice(Frequencies()[t], 0.2, 0.06, static_cast<uint32_t>(t + 1));
    std::vector<Packet> loop;
    // Encode two loops and keep the second, so the loop's first frame follows its last.
    for (int pass = 0; pass < 2; ++pass) {
      loop.clear();
      for (int f = 0; f < kLoopFrames; ++f) {
        if (f < kTalkFrames)
          voice.Fill(pcm);
        else
          std::fill(pcm.begin(), pcm.end(), int16_t{0});
        buf.resize(codec::kMaxOpusPacket);
        buf.resize(enc.Encode(pcm, buf));
        loop.push_back({buf, static_cast<uint8_t>(codec::LevelDbov(pcm))});
      }
    }
    talk_.push_back(std::move(loop));
  }
  codec::OpusFrameEncoder enc(codec::EncoderSettings{32000, 5, true, 10});
  std::fill(pcm.begin(), pcm.end(), int16_t{0});
  for (int i = 0; i < 10; ++i) {
    buf.resize(codec::kMaxOpusPacket);
    buf.resize(enc.Encode(pcm, buf));
  }
  silence_ = {buf, 127};
}

const SignalBank::Packet& SignalBank::Talk(int index, uint64_t frame) const {
  const auto& loop = talk_[static_cast<size_t>(index) % talk_.size()];
  return loop[frame % loop.size()];
}

double SignalBank::Frequency(int index) const {
  return Frequencies()[static_cast<size_t>(index) % Frequencies().size()];
}

}  // namespace sfu::loadtest

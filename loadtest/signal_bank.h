#pragma once
// Pre-encoded audio for simulated attendees, encoded once and looped (the client must not be the
// bottleneck): per talker frequency a 2 s loop of 20 ms Opus packets - 1.2 s of a voice-like
// tone (its onset at frame 0 is the mouth-to-ear marker), then 0.8 s of silence - with each
// packet's RFC 6464 level; and one packet of Opus-coded silence for everyone else.
// Immutable after construction; shared by all worker threads.

#include <cstdint>
#include <vector>

namespace sfu::loadtest {

class SignalBank {
 public:
  static constexpr int kLoopFrames = 100;  // 2 s
  static constexpr int kTalkFrames = 60;   // 1.2 s on, then silence
  // Distinct, non-harmonic frequencies for up to this many talkers per meeting.
  static const std::vector<double>& Frequencies();

  SignalBank();
  struct Packet {
    std::vector<uint8_t> opus;
    uint8_t level = 127;  // RFC 6464 -dBov
  };
  // Talker `index` (0-based, wraps), loop frame `frame` (any value; taken modulo the loop).
  const Packet& Talk(int index, uint64_t frame) const;
  const Packet& Silence() const { return silence_; }
  double Frequency(int index) const;

 private:
  std::vector<std::vector<Packet>> talk_;  // [talker][frame]
  Packet silence_;
};

}  // namespace sfu::loadtest

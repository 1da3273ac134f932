#pragma once
// Mixes one 20 ms tick (docs/DESIGN.md, "Audio mixer": cost must not grow with listeners): the
// selected talkers' decoded frames are summed once into the shared mix that every non-talker hears,
// and each talker gets the same sum minus its own voice (mix-minus by subtraction, O(K) per
// sample). A limiter then brings each output into 16-bit range with a smooth gain (instant attack,
// slow release) instead of wrapping or hard clipping; silence stays exactly silent. Pure;
// preallocated (no allocation per tick after construction). One owner.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace sfu::mixer {

inline constexpr int kFrameSamples = 960;  // 20 ms at 48 kHz, mono

struct TalkerFrame {
  uint32_t id = 0;
  std::span<const int16_t> samples;  // kFrameSamples
};

// Smooth gain limiter on int32 sums; one per output stream (gain state carries across ticks).
class Limiter {
 public:
  // release_per_frame: how much the gain may rise back toward 1 per 20 ms frame.
  explicit Limiter(double release_per_frame = 0.05) : release_(release_per_frame) {}
  void Process(std::span<const int32_t> in, std::span<int16_t> out);
  double gain() const { return gain_; }
  void Reset() { gain_ = 1.0; }

 private:
  double gain_ = 1.0;
  double release_;
};

class FrameCombiner {
 public:
  explicit FrameCombiner(int max_talkers);

  // shared: the mix of all talkers; per_talker[i]: the mix without talkers[i]. Limiter state is
  // kept per talker id slot and for the shared stream.
  void Mix(std::span<const TalkerFrame> talkers, std::span<int16_t> shared,
           std::span<const std::span<int16_t>> per_talker);

 private:
  int max_talkers_;
  std::vector<int32_t> sum_;
  std::vector<int32_t> minus_;
  Limiter shared_limiter_;
  std::vector<std::pair<uint32_t, Limiter>> talker_limiters_;  // by talker id
  Limiter& LimiterFor(uint32_t id);
};

}  // namespace sfu::mixer

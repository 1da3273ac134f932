#include "mixer/frame_combiner.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace sfu::mixer {

void Limiter::Process(std::span<const int32_t> in, std::span<int16_t> out) {
  int32_t peak = 0;
  for (int32_t v : in) peak = std::max(peak, std::abs(v));
  // The gain that would just fit this frame; attack at once, release gradually.
  const double needed = peak > 32767 ? 32767.0 / static_cast<double>(peak) : 1.0;
  gain_ = needed < gain_ ? needed : std::min(needed, gain_ + release_);
  for (size_t i = 0; i < in.size() && i < out.size(); ++i) {
    const double v = std::round(static_cast<double>(in[i]) * gain_);
    out[i] = static_cast<int16_t>(std::clamp(v, -32768.0, 32767.0));
  }
}

FrameCombiner::FrameCombiner(int max_talkers)
    : max_talkers_(max_talkers), sum_(kFrameSamples), minus_(kFrameSamples) {
  talker_limiters_.reserve(static_cast<size_t>(max_talkers) * 2);
}

Limiter& FrameCombiner::LimiterFor(uint32_t id) {
  for (auto& [tid, l] : talker_limiters_)
    if (tid == id) return l;
  if (static_cast<int>(talker_limiters_.size()) >= max_talkers_ * 2)
    talker_limiters_.erase(talker_limiters_.begin());
  talker_limiters_.emplace_back(id, Limiter());
  return talker_limiters_.back().second;
}

void FrameCombiner::Mix(std::span<const TalkerFrame> talkers, std::span<int16_t> shared,
                        std::span<const std::span<int16_t>> per_talker) {
  std::fill(sum_.begin(), sum_.end(), 0);
  for (const TalkerFrame& t : talkers) {
    for (int i = 0; i < kFrameSamples && i < static_cast<int>(t.samples.size()); ++i)
      sum_[i] += t.samples[i];
  }
  shared_limiter_.Process(sum_, shared);
  for (size_t k = 0; k < talkers.size() && k < per_talker.size(); ++k) {
    const TalkerFrame& t = talkers[k];
    for (int i = 0; i < kFrameSamples; ++i)
      minus_[i] = sum_[i] - (i < static_cast<int>(t.samples.size()) ? t.samples[i] : 0);
    LimiterFor(t.id).Process(minus_, per_talker[k]);
  }
}

}  // namespace sfu::mixer

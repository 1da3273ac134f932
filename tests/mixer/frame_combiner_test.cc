#include "mixer/frame_combiner.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sfu::mixer {
namespace {

std::vector<int16_t> Tone(double freq, double amplitude) {
  std::vector<int16_t> v(kFrameSamples);
  for (int i = 0; i < kFrameSamples; ++i)
    v[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(2 * M_PI * freq * i / 48000.0)));
  return v;
}

// Energy of `freq` in a frame (Goertzel-like correlation).
double EnergyAt(const std::vector<int16_t>& x, double freq) {
  double re = 0, im = 0;
  for (int i = 0; i < kFrameSamples; ++i) {
    re += x[i] * std::cos(2 * M_PI * freq * i / 48000.0);
    im += x[i] * std::sin(2 * M_PI * freq * i / 48000.0);
  }
  return std::sqrt(re * re + im * im) / kFrameSamples;
}

TEST(FrameCombinerTest, SharedMixHasEveryoneAndEachTalkerMissesOnlyItself) {
  FrameCombiner c(3);
  const auto a = Tone(400, 3000), b = Tone(700, 3000), d = Tone(1100, 3000);
  std::vector<TalkerFrame> t = {{1, a}, {2, b}, {3, d}};
  std::vector<int16_t> shared(kFrameSamples), ma(kFrameSamples), mb(kFrameSamples),
      md(kFrameSamples);
  std::vector<std::span<int16_t>> outs = {ma, mb, md};
  c.Mix(t, shared, outs);
  for (double f : {400.0, 700.0, 1100.0}) EXPECT_GT(EnergyAt(shared, f), 1000) << f;
  EXPECT_LT(EnergyAt(ma, 400), 10);
  EXPECT_GT(EnergyAt(ma, 700), 1000);
  EXPECT_GT(EnergyAt(ma, 1100), 1000);
  EXPECT_LT(EnergyAt(mb, 700), 10);
  EXPECT_GT(EnergyAt(mb, 400), 1000);
  EXPECT_LT(EnergyAt(md, 1100), 10);
  // Without limiting, mix-minus is exact: a's output is b + d sample for sample.
  for (int i = 0; i < kFrameSamples; ++i) EXPECT_EQ(ma[i], b[i] + d[i]);
}

TEST(FrameCombinerTest, LoudSumsAreLimitedNeverWrapped) {
  FrameCombiner c(3);
  const auto a = Tone(300, 30000), b = Tone(300, 30000), d = Tone(300, 30000);
  std::vector<TalkerFrame> t = {{1, a}, {2, b}, {3, d}};
  std::vector<int16_t> shared(kFrameSamples), m1(kFrameSamples), m2(kFrameSamples),
      m3(kFrameSamples);
  std::vector<std::span<int16_t>> outs = {m1, m2, m3};
  c.Mix(t, shared, outs);
  // Same sign as the unclipped sum everywhere (no wraparound), and within range.
  for (int i = 0; i < kFrameSamples; ++i) {
    const int sum = a[i] + b[i] + d[i];
    if (sum > 100) {
      EXPECT_GT(shared[i], 0) << i;
    }
    if (sum < -100) {
      EXPECT_LT(shared[i], 0) << i;
    }
  }
  EXPECT_GT(EnergyAt(shared, 300), 10000) << "limited, not silenced";
}

TEST(FrameCombinerTest, SilenceStaysSilent) {
  FrameCombiner c(3);
  const std::vector<int16_t> zero(kFrameSamples, 0);
  std::vector<TalkerFrame> t = {{1, zero}, {2, zero}};
  std::vector<int16_t> shared(kFrameSamples, 123), m1(kFrameSamples, 5), m2(kFrameSamples, 5);
  std::vector<std::span<int16_t>> outs = {m1, m2};
  c.Mix(t, shared, outs);
  for (int i = 0; i < kFrameSamples; ++i) {
    EXPECT_EQ(shared[i], 0);
    EXPECT_EQ(m1[i], 0);
  }
  // No talkers at all: the shared mix is silence too.
  std::vector<int16_t> none(kFrameSamples, 9);
  c.Mix({}, none, {});
  for (int16_t v : none) EXPECT_EQ(v, 0);
}

TEST(LimiterTest, AttackIsInstantAndReleaseGradual) {
  Limiter l(0.1);
  std::vector<int32_t> loud(kFrameSamples, 65534), quiet(kFrameSamples, 1000);
  std::vector<int16_t> out(kFrameSamples);
  l.Process(loud, out);
  EXPECT_NEAR(l.gain(), 0.5, 0.001);
  EXPECT_LE(out[0], 32767);
  l.Process(quiet, out);
  EXPECT_NEAR(l.gain(), 0.6, 0.001);  // rises by the release step, not at once
  for (int i = 0; i < 10; ++i) l.Process(quiet, out);
  EXPECT_DOUBLE_EQ(l.gain(), 1.0);
  EXPECT_EQ(out[0], 1000);
}

}  // namespace
}  // namespace sfu::mixer

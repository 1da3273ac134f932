#include "sfu/downlink_estimator.h"

#include <gtest/gtest.h>

namespace sfu {
namespace {

// Sends `bps` for one second in 20 ms steps starting at t, returns the end time.
int64_t Send(DownlinkEstimator& e, uint64_t bps, int64_t t) {
  for (int i = 0; i < 50; ++i, t += 20) e.OnSent(bps / 8 / 50, t);
  return t;
}

TEST(DownlinkEstimatorTest, HeavyLossDropsToWhatWasSentMinusHalfTheLoss) {
  DownlinkEstimator e;
  EXPECT_EQ(e.estimate_bps(), 2'500'000u);
  int64_t t = Send(e, 1'000'000, 0);
  t = Send(e, 1'000'000, t);
  EXPECT_TRUE(e.OnLoss(40, 100, t));  // 40% lost
  EXPECT_NEAR(static_cast<double>(e.estimate_bps()), 800'000.0, 1'000.0)
      << "1 Mb/s sent x (1 - 0.2)";
  EXPECT_FALSE(e.OnLoss(5, 100, t + 1)) << "5% holds";
}

TEST(DownlinkEstimatorTest, GrowsOnlyWithEvidence) {
  DownlinkEstimator e;
  int64_t t = Send(e, 1'000'000, 0);
  t = Send(e, 1'000'000, t);
  e.OnLoss(40, 100, t);  // -> 800 kb/s
  const uint64_t low = e.estimate_bps();
  // Application-limited (sending 300 kb/s, no loss): nothing learned.
  t = Send(e, 300'000, t);
  t = Send(e, 300'000, t);
  EXPECT_FALSE(e.OnLoss(0, 100, t));
  EXPECT_EQ(e.estimate_bps(), low);
  // Sending at the estimate without loss: +8%.
  t = Send(e, low, t);
  t = Send(e, low, t);
  EXPECT_TRUE(e.OnLoss(0, 100, t));
  EXPECT_EQ(e.estimate_bps(), low * 108 / 100);
  EXPECT_FALSE(e.OnLoss(0, 5, t)) << "too few packets to judge";
}

TEST(DownlinkEstimatorTest, RembBelowWhatWeSendIsCongestion) {
  DownlinkEstimator e;
  int64_t t = Send(e, 1'000'000, 0);
  t = Send(e, 1'000'000, t);
  EXPECT_FALSE(e.OnRemb(1'400'000, t)) << "above what we send: ignored";
  EXPECT_FALSE(e.OnRemb(900'000, t)) << "within 85%: ignored";
  EXPECT_TRUE(e.OnRemb(500'000, t)) << "fell below 85%: congestion";
  EXPECT_EQ(e.estimate_bps(), 500'000u);
  EXPECT_FALSE(e.OnRemb(540'000, t)) << "climbing slowly again: not a signal";
  EXPECT_FALSE(e.OnRemb(530'000, t)) << "less than 5% down: noise";
  EXPECT_EQ(e.estimate_bps(), 500'000u);
}

TEST(DownlinkEstimatorTest, ProbeSuccessRaisesFailureBacksOff) {
  DownlinkEstimator e;
  int64_t t = Send(e, 1'000'000, 0);
  t = Send(e, 1'000'000, t);
  e.OnLoss(60, 100, t);  // -> 700 kb/s
  EXPECT_FALSE(e.MayProbe(t)) << "no probe right after a drop";
  t += DownlinkEstimator::kFirstBackoffMs;
  ASSERT_TRUE(e.MayProbe(t));
  e.StartProbe(1'200'000, t);
  EXPECT_TRUE(e.probing());
  EXPECT_FALSE(e.MayProbe(t));
  t = Send(e, 1'200'000, t);
  t = Send(e, 1'200'000, t);
  e.OnLoss(0, 100, t - 500);  // a report before two full probe seconds: the probe goes on
  EXPECT_TRUE(e.probing());
  e.OnLoss(1, 100, t);
  EXPECT_FALSE(e.probing());
  EXPECT_EQ(e.estimate_bps(), 1'200'000u);
  EXPECT_EQ(e.probes_succeeded(), 1u);
  // A failed probe: loss, and the next one waits twice as long.
  t += DownlinkEstimator::kFirstBackoffMs;
  ASSERT_TRUE(e.MayProbe(t));
  e.StartProbe(2'000'000, t);
  t = Send(e, 2'000'000, t);
  t = Send(e, 2'000'000, t);
  e.OnLoss(30, 100, t);
  EXPECT_FALSE(e.probing());
  EXPECT_EQ(e.probes_failed(), 1u);
  EXPECT_LT(e.estimate_bps(), 1'200'000u);
  EXPECT_FALSE(e.MayProbe(t + DownlinkEstimator::kFirstBackoffMs));
  EXPECT_TRUE(e.MayProbe(t + 2 * DownlinkEstimator::kFirstBackoffMs));
}

TEST(DownlinkEstimatorTest, CongestionDuringAProbeFailsIt) {
  DownlinkEstimator e;
  e.StartProbe(3'000'000, 0);
  int64_t t = Send(e, 2'000'000, 0);
  t = Send(e, 2'000'000, t);
  EXPECT_FALSE(e.OnRemb(2'500'000, t));
  EXPECT_TRUE(e.OnRemb(1'000'000, t));
  EXPECT_FALSE(e.probing());
  EXPECT_EQ(e.probes_failed(), 1u);
  EXPECT_EQ(e.estimate_bps(), 1'000'000u);
}

TEST(DownlinkEstimatorTest, AProbeWithoutReportsExpires) {
  DownlinkEstimator e;
  e.StartProbe(3'000'000, 0);
  e.ExpireProbe(4000);
  EXPECT_TRUE(e.probing());
  e.ExpireProbe(6000);
  EXPECT_FALSE(e.probing());
  EXPECT_EQ(e.probes_failed(), 1u);
}

TEST(DownlinkEstimatorTest, StaysWithinBounds) {
  DownlinkEstimator e({.initial_bps = 200'000, .min_bps = 100'000, .max_bps = 300'000});
  int64_t t = Send(e, 200'000, 0);
  t = Send(e, 200'000, t);
  for (int i = 0; i < 5; ++i) e.OnLoss(90, 100, t);
  EXPECT_EQ(e.estimate_bps(), 100'000u);
}

}  // namespace
}  // namespace sfu

#include "signaling/api/replay_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace sfu::api {
namespace {

TEST(ReplayCacheTest, SecondUseWithinTheWindowIsAReplay) {
  ReplayCache c;
  EXPECT_FALSE(c.SeenOrRecord("sig1", 1000, 0));
  EXPECT_TRUE(c.SeenOrRecord("sig1", 1000, 500));
  EXPECT_FALSE(c.SeenOrRecord("sig2", 1000, 500));
  // Expired: forgotten (and a signature that old no longer verifies anyway).
  EXPECT_FALSE(c.SeenOrRecord("sig1", 3000, 1000));
  EXPECT_EQ(c.size(), 1u);
}

TEST(ReplayCacheTest, BoundedOldestForgottenFirstAndCounted) {
  ReplayCache c(3);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(c.SeenOrRecord("s" + std::to_string(i), 10'000, 0));
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.evicted_early(), 2u);
  EXPECT_TRUE(c.SeenOrRecord("s4", 10'000, 1));
  EXPECT_FALSE(c.SeenOrRecord("s0", 10'000, 1));  // forgotten early: the cost of a bound
}

}  // namespace
}  // namespace sfu::api

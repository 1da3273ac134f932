#include "base/rate_limited.h"

#include <gtest/gtest.h>

namespace sfu::base {
namespace {

TEST(RateLimitedEventTest, OnePerIntervalAndCountsHeldBack) {
  RateLimitedEvent e(1000);
  uint64_t held = 99;
  EXPECT_TRUE(e.Allow(0, &held));
  EXPECT_EQ(held, 0u);
  for (int i = 1; i <= 5; ++i) EXPECT_FALSE(e.Allow(i * 100, &held));
  EXPECT_TRUE(e.Allow(1000, &held));
  EXPECT_EQ(held, 5u);
  EXPECT_FALSE(e.Allow(1999, &held));
  EXPECT_TRUE(e.Allow(5000, &held));
  EXPECT_EQ(held, 1u);
}

}  // namespace
}  // namespace sfu::base

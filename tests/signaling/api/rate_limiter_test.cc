#include "signaling/api/rate_limiter.h"

#include <gtest/gtest.h>

namespace sfu::api {
namespace {

TEST(TokenBucketLimiterTest, BurstThenRate) {
  TokenBucketLimiter l(10, 20);
  int allowed = 0;
  for (int i = 0; i < 30; ++i) allowed += l.Allow("k", 1000);
  EXPECT_EQ(allowed, 20);
  EXPECT_FALSE(l.Allow("k", 1000));
  EXPECT_TRUE(l.Allow("k", 1100));  // 100 ms at 10/s refills one token
  EXPECT_FALSE(l.Allow("k", 1100));
}

TEST(TokenBucketLimiterTest, KeysAreIndependent) {
  TokenBucketLimiter l(1, 1);
  EXPECT_TRUE(l.Allow("a", 0));
  EXPECT_FALSE(l.Allow("a", 0));
  EXPECT_TRUE(l.Allow("b", 0));
}

TEST(TokenBucketLimiterTest, RefillCapsAtBurst) {
  TokenBucketLimiter l(10, 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.Allow("k", 0));
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += l.Allow("k", 1'000'000);
  EXPECT_EQ(allowed, 3);
}

TEST(TokenBucketLimiterTest, ZeroRateDisables) {
  TokenBucketLimiter l(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(l.Allow("k", 0));
}

TEST(TokenBucketLimiterTest, BoundedKeys) {
  TokenBucketLimiter l(1, 1, 4);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(l.Allow("k" + std::to_string(i), i));
}

}  // namespace
}  // namespace sfu::api

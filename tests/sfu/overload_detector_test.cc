#include "sfu/overload_detector.h"

#include <gtest/gtest.h>

namespace sfu {
namespace {

TEST(OverloadDetectorTest, AStallIsNotOverloadPersistentLatenessIs) {
  OverloadDetector d(10);
  for (int i = 0; i < 500; ++i) EXPECT_FALSE(d.OnTick(false));
  // One stall: five late ticks in a row.
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(d.OnTick(true));
  for (int i = 0; i < 200; ++i) EXPECT_FALSE(d.OnTick(false));
  // Every fifth tick late (20 %): overloaded within the window.
  bool over = false;
  for (int i = 0; i < 100 && !over; ++i) over = d.OnTick(i % 5 == 0);
  EXPECT_TRUE(over);
}

TEST(OverloadDetectorTest, LeavesOnlyAfterTenCalmSeconds) {
  OverloadDetector d(10);
  for (int i = 0; i < 100; ++i) d.OnTick(i % 4 == 0);  // 25 late of 100
  ASSERT_TRUE(d.overloaded());
  // 5 % late still counts as overloaded (hysteresis between 2 and 10 late per window).
  for (int i = 0; i < 100; ++i) d.OnTick(i % 20 == 0);
  EXPECT_TRUE(d.overloaded());
  // A clean window is not enough: 10 s (500 ticks) of at most 2 late per window are.
  for (int i = 0; i < 100; ++i) d.OnTick(false);
  EXPECT_TRUE(d.overloaded());
  EXPECT_EQ(d.late_in_window(), 0u);
  for (int i = 0; i < 300; ++i) d.OnTick(false);
  d.OnTick(true);  // a lone late tick is calm enough
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(d.OnTick(false));
  // A relapse (10 late) restarts the count.
  for (int i = 0; i < 10; ++i) d.OnTick(true);
  int ticks = 0;
  while (d.OnTick(false)) ++ticks;
  EXPECT_GE(ticks, 500 - 1);
  EXPECT_LE(ticks, 600);
}

TEST(OverloadDetectorTest, ZeroTurnsItOff) {
  OverloadDetector d(0);
  for (int i = 0; i < 300; ++i) EXPECT_FALSE(d.OnTick(true));
}

}  // namespace
}  // namespace sfu

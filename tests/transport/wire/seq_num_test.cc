// Wraparound comparison and unwrapping, table-driven around 0, the half-way point and the top.
#include "transport/wire/seq_num.h"

#include <gtest/gtest.h>

#include <vector>

namespace sfu::wire {
namespace {

TEST(SeqNumTest, NewerTable) {
  struct Case {
    uint16_t a, b;
    bool newer;
    int16_t diff;
  };
  const Case cases[] = {
      {1, 0, true, 1},
      {0, 1, false, -1},
      {0, 0xFFFF, true, 1},  // wrap forward
      {0xFFFF, 0, false, -1},
      {5, 0xFFF0, true, 21},
      {0xFFF0, 5, false, -21},
      {0x7FFF, 0, true, 0x7FFF},  // just under half: newer
      {0, 0x7FFF, false, -0x7FFF},
      {0x8000, 0, true, -32768},  // exactly half: the larger value wins the tie
      {0, 0x8000, false, -32768},
      {0x8001, 0, false, -0x7FFF},  // just over half: older
      {100, 100, false, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SeqNewer(c.a, c.b), c.newer) << c.a << " vs " << c.b;
    EXPECT_EQ(SeqDiff(c.a, c.b), c.diff) << c.a << " - " << c.b;
  }
}

TEST(SeqNumTest, ExactlyOneIsNewerForDistinctValues) {
  for (uint32_t a = 0; a < 65536; a += 251) {
    for (uint16_t d :
         {uint16_t{1}, uint16_t{0x7FFF}, uint16_t{0x8000}, uint16_t{0x8001}, uint16_t{0xFFFF}}) {
      const uint16_t b = static_cast<uint16_t>(a + d);
      EXPECT_NE(SeqNewer(static_cast<uint16_t>(a), b), SeqNewer(b, static_cast<uint16_t>(a)));
    }
  }
}

TEST(SeqNumTest, MaxAcrossWrap) {
  EXPECT_EQ(SeqMax(0xFFFE, 3), 3);
  EXPECT_EQ(SeqMax(3, 0xFFFE), 3);
  EXPECT_EQ(SeqMax(10, 20), 20);
}

TEST(SeqNumTest, TimestampTable) {
  struct Case {
    uint32_t a, b;
    bool newer;
    int32_t diff;
  };
  const Case cases[] = {
      {960, 0, true, 960},
      {0, 0xFFFFFC40u, true, 960},  // 20 ms of Opus across the wrap
      {0xFFFFFC40u, 0, false, -960},
      {0x80000000u, 0, true, INT32_MIN},
      {0, 0x80000000u, false, INT32_MIN},
      {7, 7, false, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TimestampNewer(c.a, c.b), c.newer) << c.a << " vs " << c.b;
    EXPECT_EQ(TimestampDiff(c.a, c.b), c.diff);
  }
}

TEST(SeqNumTest, UnwrapperTable) {
  struct Case {
    std::vector<uint16_t> in;
    std::vector<int64_t> out;
  };
  const Case cases[] = {
      {{0, 1, 2}, {0, 1, 2}},
      {{65534, 65535, 0, 1}, {65534, 65535, 65536, 65537}},  // forward across the wrap
      {{65535, 0, 65535, 1}, {65535, 65536, 65535, 65537}},  // reordering across the wrap
      {{1, 0, 65535, 65534}, {1, 0, -1, -2}},                // backwards below zero
      {{0, 0x8000, 0}, {0, 0x8000, 0}},                      // half-way steps
      {{0x8000, 0}, {0x8000, 0}},                            // 0 is older than 0x8000 (tie rule)
      {{0, 30000, 60000, 24464, 54464}, {0, 30000, 60000, 90000, 120000}},
  };
  for (const Case& c : cases) {
    SeqUnwrapper u;
    std::vector<int64_t> got;
    for (uint16_t v : c.in) got.push_back(u.Unwrap(v));
    EXPECT_EQ(got, c.out);
  }
}

TEST(SeqNumTest, UnwrapperPeekDoesNotAdvance) {
  SeqUnwrapper u;
  EXPECT_FALSE(u.last().has_value());
  EXPECT_EQ(u.PeekUnwrap(65535), 65535);
  EXPECT_FALSE(u.last().has_value());
  u.Unwrap(65535);
  EXPECT_EQ(u.PeekUnwrap(2), 65538);
  EXPECT_EQ(u.last(), 65535);
  u.Reset();
  EXPECT_EQ(u.Unwrap(2), 2);
}

TEST(SeqNumTest, UnwrapsManyWraps) {
  SeqUnwrapper u;
  int64_t expected = 0;
  for (int i = 0; i < 5 * 65536; i += 1000) {
    expected = i;
    EXPECT_EQ(u.Unwrap(static_cast<uint16_t>(i)), expected);
  }
}

TEST(SeqNumTest, TimestampUnwrapper) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.Unwrap(0xFFFFFF00u), 0xFFFFFF00ll);
  EXPECT_EQ(u.Unwrap(0x100), 0x100000100ll);
  EXPECT_EQ(u.Unwrap(0xFFFFFFF0u), 0xFFFFFFF0ll);  // reordered, before the wrap
  EXPECT_EQ(u.Unwrap(0x70000000u), 0x170000000ll);
  EXPECT_EQ(u.Unwrap(0x10u), 0x100000010ll);  // more than half ahead reads as behind
}

}  // namespace
}  // namespace sfu::wire

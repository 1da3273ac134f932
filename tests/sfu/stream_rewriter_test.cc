#include "sfu/stream_rewriter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sfu {
namespace {

// Table: a sequence of input packets (from sources that switch) and the output each must give.
struct Step {
  const char* what;
  bool switch_before;
  StreamRewriter::In in;
  bool forwarded;
  uint16_t seq;
  uint32_t ts;
  int pid;  // -1: none
};

void RunTable(StreamRewriter r, const std::vector<Step>& steps) {
  for (const Step& s : steps) {
    if (s.switch_before) r.Switch();
    auto o = r.Rewrite(s.in);
    ASSERT_EQ(o.has_value(), s.forwarded) << s.what;
    if (!o) continue;
    EXPECT_EQ(o->seq, s.seq) << s.what;
    EXPECT_EQ(o->timestamp, s.ts) << s.what;
    EXPECT_EQ(o->picture_id ? *o->picture_id : -1, s.pid) << s.what;
  }
}

TEST(StreamRewriterTest, StartsAtAKeyFrameAndContinuesAcrossSwitches) {
  using In = StreamRewriter::In;
  RunTable(
      StreamRewriter(1000, 50000),
      {
          {"delta before any key frame: dropped", false, In{7, 900, false, 40, std::nullopt}, false,
           0, 0, -1},
          {"key frame starts the output", false, In{8, 1000, true, 41, std::nullopt}, true, 1000,
           50000, 0},
          {"next packet", false, In{9, 1000, false, 41, std::nullopt}, true, 1001, 50000, 0},
          {"next frame", false, In{10, 4000, false, 42, std::nullopt}, true, 1002, 53000, 1},
          {"older than the start: dropped", false, In{5, 100, false, 39, std::nullopt}, false, 0, 0,
           -1},
          {"reordered within the stream keeps its place", false,
           In{11, 4000, false, 42, std::nullopt}, true, 1003, 53000, 1},
          // Another source (another layer or another publisher), far away in every number space.
          {"switch: its delta frames wait", true, In{60000, 7000000, false, 30000, std::nullopt},
           false, 0, 0, -1},
          {"switch: its key frame continues +1 seq, +1 frame, +1 picture", false,
           In{60001, 7003000, true, 30001, std::nullopt}, true, 1004, 56000, 2},
          {"then follows the new source", false, In{60002, 7006000, false, 30002, std::nullopt},
           true, 1005, 59000, 3},
      });
}

TEST(StreamRewriterTest, WrapsSequenceTimestampAndPictureId) {
  using In = StreamRewriter::In;
  RunTable(
      StreamRewriter(65534, 0xffffe000u),
      {
          {"key frame at the edge", false, In{100, 0, true, 0x7ffe, std::nullopt}, true, 65534,
           0xffffe000u, 0},
          {"seq wraps", false, In{101, 3000, false, 0x7fff, std::nullopt}, true, 65535, 0xffffebb8u,
           1},
          {"seq, ts wrap", false, In{102, 6000, false, 0, std::nullopt}, true, 0, 0xfffff770u, 2},
          {"input wraps too", false, In{103, 9000, false, 1, std::nullopt}, true, 1, 0x00000328u,
           3},
      });
}

TEST(StreamRewriterTest, PictureIdAndTl0ContinueAcrossASwitch) {
  StreamRewriter r(1, 1);
  auto a = r.Rewrite({10, 0, true, 500, 7});
  ASSERT_TRUE(a);
  EXPECT_EQ(*a->tl0picidx, 0);
  auto b = r.Rewrite({11, 3000, false, 501, 8});
  ASSERT_TRUE(b);
  EXPECT_EQ(*b->picture_id, 1);
  EXPECT_EQ(*b->tl0picidx, 1);
  r.Switch();
  auto c = r.Rewrite({9000, 123456, true, 20000, 200});
  ASSERT_TRUE(c);
  EXPECT_EQ(*c->picture_id, 2);
  EXPECT_EQ(*c->tl0picidx, 2);
  EXPECT_EQ(c->seq, 3);
  EXPECT_EQ(c->timestamp, b->timestamp + StreamRewriter::kFrameTicks);
}

TEST(StreamRewriterTest, MapsNackedOutputBackToTheCurrentSourceOnly) {
  StreamRewriter r(500, 0);
  EXPECT_FALSE(r.InputSeq(500)) << "nothing forwarded yet";
  ASSERT_TRUE(r.Rewrite({40, 0, true, std::nullopt, std::nullopt}));
  ASSERT_TRUE(r.Rewrite({41, 0, false, std::nullopt, std::nullopt}));
  EXPECT_EQ(r.InputSeq(501), 41);
  auto again = r.Peek({41, 0, false, std::nullopt, std::nullopt});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->seq, 501);
  EXPECT_FALSE(r.InputSeq(499)) << "before the start";
  r.Switch();
  EXPECT_FALSE(r.InputSeq(501)) << "a switch forgets the old source";
}

}  // namespace
}  // namespace sfu

#include "mixer/talker_selector.h"

#include <gtest/gtest.h>

namespace sfu::mixer {
namespace {

using V = std::vector<uint32_t>;

TEST(TalkerSelectorTest, PicksTheKLoudestUnmutedAudible) {
  TalkerSelector s(3, 0);
  const std::vector<Candidate> c = {{1, 30, false}, {2, 10, false}, {3, 50, false},
                                    {4, 5, true},   {5, 20, false}, {6, 127, false}};
  EXPECT_EQ(s.Select(c), (V{2, 5, 1}));  // 4 is muted, 6 silent, 3 is the 4th loudest
}

TEST(TalkerSelectorTest, SilenceSelectsNobody) {
  TalkerSelector s(3, 10);
  EXPECT_TRUE(s.Select(std::vector<Candidate>{{1, 127, false}, {2, 90, false}}).empty());
}

TEST(TalkerSelectorTest, HangoverKeepsATalkerThroughAPause) {
  TalkerSelector s(2, 2);
  EXPECT_EQ(s.Select(std::vector<Candidate>{{1, 20, false}, {2, 30, false}}), (V{1, 2}));
  // 2 pauses: kept for two more ticks, then dropped.
  EXPECT_EQ(s.Select(std::vector<Candidate>{{1, 20, false}, {2, 127, false}}), (V{1, 2}));
  EXPECT_EQ(s.Select(std::vector<Candidate>{{1, 20, false}, {2, 127, false}}), (V{1, 2}));
  EXPECT_EQ(s.Select(std::vector<Candidate>{{1, 20, false}, {2, 127, false}}), (V{1}));
}

TEST(TalkerSelectorTest, ALouderNewcomerTakesTheSeatOfAHeldTalker) {
  TalkerSelector s(2, 5);
  s.Select(std::vector<Candidate>{{1, 20, false}, {2, 30, false}});
  EXPECT_EQ(s.Select(std::vector<Candidate>{{1, 20, false}, {2, 127, false}, {3, 25, false}}), (V{1, 3}));
}

TEST(TalkerSelectorTest, MutingDropsAtOnceDespiteHangover) {
  TalkerSelector s(2, 5);
  s.Select(std::vector<Candidate>{{1, 20, false}, {2, 30, false}});
  EXPECT_EQ(s.Select(std::vector<Candidate>{{1, 20, false}, {2, 30, true}}), (V{1}));
}

}  // namespace
}  // namespace sfu::mixer

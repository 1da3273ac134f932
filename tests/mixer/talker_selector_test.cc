#include "mixer/talker_selector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

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
  EXPECT_EQ(s.Select(std::vector<Candidate>{{1, 20, false}, {2, 127, false}, {3, 25, false}}),
            (V{1, 3}));
}

TEST(TalkerSelectorTest, MutingDropsAtOnceDespiteHangover) {
  TalkerSelector s(2, 5);
  s.Select(std::vector<Candidate>{{1, 20, false}, {2, 30, false}});
  EXPECT_EQ(s.Select(std::vector<Candidate>{{1, 20, false}, {2, 30, true}}), (V{1}));
}

// The selector as it was written before it kept its buffers (sort every audible candidate,
// build fresh vectors each tick): the allocation-free one must choose exactly the same.
class ReferenceSelector {
 public:
  ReferenceSelector(int k, int hangover, int audible)
      : k_(k), hangover_(hangover), audible_(audible) {}
  V Select(const std::vector<Candidate>& candidates) {
    std::vector<Candidate> audible;
    for (const Candidate& c : candidates)
      if (!c.muted && c.level_dbov < audible_) audible.push_back(c);
    std::sort(audible.begin(), audible.end(), [](const Candidate& a, const Candidate& b) {
      return a.level_dbov != b.level_dbov ? a.level_dbov < b.level_dbov : a.id < b.id;
    });
    auto present = [&candidates](uint32_t id) {
      for (const Candidate& c : candidates)
        if (c.id == id && !c.muted) return true;
      return false;
    };
    std::vector<std::pair<uint32_t, int>> next;
    V out;
    for (const Candidate& c : audible) {
      if (static_cast<int>(out.size()) == k_) break;
      out.push_back(c.id);
      next.push_back({c.id, hangover_});
    }
    for (const auto& [id, left] : held_) {
      if (std::find(out.begin(), out.end(), id) != out.end()) continue;
      if (left <= 0 || !present(id) || static_cast<int>(out.size()) == k_) continue;
      out.push_back(id);
      next.push_back({id, left - 1});
    }
    held_ = std::move(next);
    return out;
  }

 private:
  int k_, hangover_, audible_;
  std::vector<std::pair<uint32_t, int>> held_;
};

TEST(TalkerSelectorTest, SameChoicesAsSortingEveryCandidate) {
  std::mt19937 rng(7);
  for (int k : {1, 2, 3, 5}) {
    for (int hangover : {0, 3, 15}) {
      TalkerSelector s(k, hangover);
      ReferenceSelector ref(k, hangover, 60);
      for (int tick = 0; tick < 2000; ++tick) {
        std::vector<Candidate> c;
        const int n = static_cast<int>(rng() % 9);  // including fewer candidates than seats
        for (int i = 0; i < n; ++i) {
          // Few ids and levels, so that ties, absences and comebacks are common.
          c.push_back({static_cast<uint32_t>(rng() % 10), static_cast<int>(rng() % 8) * 12,
                       rng() % 6 == 0});
        }
        std::shuffle(c.begin(), c.end(), rng);
        ASSERT_EQ(s.Select(c), ref.Select(c))
            << "k " << k << " hangover " << hangover << " tick " << tick;
      }
    }
  }
}

}  // namespace
}  // namespace sfu::mixer

#include "transport/udp/gso_plan.h"

#include <gtest/gtest.h>

namespace sfu::transport {
namespace {

struct Q {
  int dest;
  size_t size;
};

// Runs PlanGso on a queue and renders each message as "dest:idx,idx,...".
std::vector<std::string> Plan(const std::vector<Q>& q) {
  GsoPlan plan;
  PlanGso(
      q.size(), [&](size_t i) { return q[i].size; },
      [&](size_t i) { return static_cast<size_t>(q[i].dest) * 7; },
      [&](size_t a, size_t b) { return q[a].dest == q[b].dest; }, &plan);
  std::vector<std::string> out;
  for (const GsoMessage& m : plan.messages) {
    std::string s = std::to_string(q[plan.order[m.first]].dest) + ":";
    for (size_t k = 0; k < m.count; ++k) {
      const size_t i = plan.order[m.first + k];
      EXPECT_EQ(q[i].dest, q[plan.order[m.first]].dest);
      s += (k ? "," : "") + std::to_string(i);
    }
    out.push_back(s);
  }
  return out;
}

TEST(GsoPlanTest, SameDestinationSameSizeBecomesOneMessage) {
  // Three packets of a frame forwarded to two subscribers: interleaved in the queue.
  const std::vector<Q> q = {{1, 1000}, {2, 1000}, {1, 1000}, {2, 1000}, {1, 1000}, {2, 1000}};
  EXPECT_EQ(Plan(q), (std::vector<std::string>{"1:0,2,4", "2:1,3,5"}));
}

TEST(GsoPlanTest, ASmallerDatagramEndsTheMessageALargerOneStartsANewOne) {
  const std::vector<Q> q = {{1, 1000}, {1, 1000}, {1, 700}, {1, 1000}, {1, 1200}, {1, 1200}};
  EXPECT_EQ(Plan(q), (std::vector<std::string>{"1:0,1,2", "1:3", "1:4,5"}));
}

TEST(GsoPlanTest, SegmentAndByteLimits) {
  std::vector<Q> q(70, {3, 100});
  auto p = Plan(q);
  ASSERT_EQ(p.size(), 2u) << "64 segments at most";
  std::vector<Q> big(60, {4, 1400});
  p = Plan(big);
  EXPECT_EQ(p.size(), 2u) << "65,000 bytes at most (46 x 1,400)";
}

TEST(GsoPlanTest, HashCollisionsDoNotMixDestinations) {
  // Every destination hashes alike: same() keeps them apart.
  const std::vector<Q> q = {{1, 500}, {2, 500}, {1, 500}, {3, 500}, {2, 500}};
  GsoPlan plan;
  PlanGso(
      q.size(), [&](size_t i) { return q[i].size; }, [](size_t) { return size_t{42}; },
      [&](size_t a, size_t b) { return q[a].dest == q[b].dest; }, &plan);
  ASSERT_EQ(plan.messages.size(), 3u);
  EXPECT_EQ(plan.messages[0].count, 2u);
  EXPECT_EQ(plan.messages[1].count, 2u);
  EXPECT_EQ(plan.messages[2].count, 1u);
  EXPECT_EQ(plan.order, (std::vector<size_t>{0, 2, 1, 4, 3}));
}

TEST(GsoPlanTest, EmptyQueue) { EXPECT_TRUE(Plan({}).empty()); }

}  // namespace
}  // namespace sfu::transport

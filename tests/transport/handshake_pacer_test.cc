// HandshakePacer: handshake work beyond the tick's CPU budget waits for later ticks, in order,
// within a bound; forgotten owners' work never runs. The clock is simulated: each run costs a
// fixed number of microseconds.
#include "transport/handshake_pacer.h"

#include <gtest/gtest.h>

#include <vector>

namespace sfu::transport {
namespace {

class HandshakePacerTest : public ::testing::Test {
 protected:
  HandshakePacer Make(int64_t budget_us, size_t max_deferred) {
    return HandshakePacer({budget_us, max_deferred}, [this] { return now_us_; });
  }
  HandshakePacer::Run Recorder() {
    return [this](void* owner, const Route&, std::span<const uint8_t> bytes) {
      ran_.push_back({static_cast<int*>(owner), bytes.empty() ? uint8_t{0} : bytes[0]});
      now_us_ += cost_us_;  // the work takes this long
    };
  }
  struct Ran {
    int* owner;
    uint8_t first;
  };
  int64_t now_us_ = 1000;
  int64_t cost_us_ = 500;
  std::vector<Ran> ran_;
  Route from_{};
  int a_ = 0, b_ = 0;
};

TEST_F(HandshakePacerTest, WorkBeyondTheBudgetWaitsForTheNextTicksInOrder) {
  auto pacer = Make(/*budget_us=*/1000, /*max_deferred=*/16);
  auto run = Recorder();
  for (uint8_t i = 0; i < 6; ++i) {
    const uint8_t bytes[] = {i};
    EXPECT_TRUE(pacer.Submit(&a_, from_, bytes, run));
  }
  // 2 runs of 500 us spend the 1000 us budget; the other 4 wait.
  ASSERT_EQ(ran_.size(), 2u);
  EXPECT_EQ(pacer.deferred(), 4u);
  EXPECT_EQ(pacer.total_deferred(), 4u);
  pacer.OnTick();
  EXPECT_EQ(ran_.size(), 4u);
  pacer.OnTick();
  ASSERT_EQ(ran_.size(), 6u);
  for (uint8_t i = 0; i < 6; ++i) EXPECT_EQ(ran_[i].first, i);  // arrival order kept
  EXPECT_EQ(pacer.deferred(), 0u);
}

TEST_F(HandshakePacerTest, OverspendingIsPaidBackFromTheNextTick) {
  auto pacer = Make(1000, 16);
  auto run = Recorder();
  cost_us_ = 1500;  // one step overspends the whole budget
  const uint8_t first[] = {1}, second[] = {2}, third[] = {3};
  pacer.Submit(&a_, from_, first, run);
  pacer.Submit(&a_, from_, second, run);
  ASSERT_EQ(ran_.size(), 1u);
  // The overspend (-500) is paid back: the next tick has 500 us, runs one and overspends again.
  pacer.OnTick();
  ASSERT_EQ(ran_.size(), 2u);
  // -1000 + 1000 = 0 left after the next tick: new work still waits.
  cost_us_ = 10;
  pacer.OnTick();
  pacer.Submit(&a_, from_, third, run);
  EXPECT_EQ(ran_.size(), 2u);
  EXPECT_EQ(pacer.deferred(), 1u);
  pacer.OnTick();
  ASSERT_EQ(ran_.size(), 3u);
  EXPECT_EQ(ran_.back().first, 3);
}

TEST_F(HandshakePacerTest, AFullQueueRefusesAndForgottenOwnersNeverRun) {
  auto pacer = Make(500, 3);
  auto run = Recorder();
  const uint8_t x[] = {9};
  EXPECT_TRUE(pacer.Submit(&a_, from_, x, run));  // runs, spends the budget
  EXPECT_TRUE(pacer.Submit(&a_, from_, x, run));
  EXPECT_TRUE(pacer.Submit(&b_, from_, x, run));
  EXPECT_TRUE(pacer.Submit(&a_, from_, x, run));
  EXPECT_FALSE(pacer.Submit(&b_, from_, x, run));  // 3 waiting: full
  pacer.Forget(&a_);
  EXPECT_EQ(pacer.deferred(), 1u);
  cost_us_ = 1;
  pacer.OnTick();
  pacer.OnTick();
  ASSERT_EQ(ran_.size(), 2u);
  EXPECT_EQ(ran_[1].owner, &b_);
}

}  // namespace
}  // namespace sfu::transport

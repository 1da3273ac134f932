#include "sfu/layer_allocator.h"

#include <gtest/gtest.h>

namespace sfu {
namespace {

// Three simulcast cameras at 150/300/600 kb/s, each wanted at "hi".
std::vector<LayerChoiceInput> ThreeCameras() {
  std::vector<LayerChoiceInput> in(3);
  for (auto& c : in) {
    c.layer_bps = {150'000, 300'000, 600'000};
    c.wanted = 2;
  }
  return in;
}

TEST(LayerAllocatorTest, LayersFollowTheEstimateDownAndUp) {
  const auto in = ThreeCameras();
  struct Row {
    uint64_t budget;
    std::vector<int> layers;
    uint64_t total;
  };
  // A table of estimates as a link degrades and recovers.
  const Row rows[] = {
      {5'000'000, {2, 2, 2}, 1'800'000},  // plenty: everyone at hi
      {1'500'000, {2, 2, 1}, 1'500'000},  // raised in turn: the third stays at mid
      {1'000'000, {1, 1, 1}, 900'000},
      {700'000, {1, 0, 0}, 600'000},
      {450'000, {0, 0, 0}, 450'000},
      {100'000, {0, 0, 0}, 450'000},      // over budget: the lowest layers are still shown
      {2'000'000, {2, 2, 2}, 1'800'000},  // recovered
  };
  for (const Row& r : rows) {
    const LayerAllocation a = AllocateLayers(in, r.budget);
    EXPECT_EQ(a.layer, r.layers) << "budget " << r.budget;
    EXPECT_EQ(a.desired_bps, 1'800'000u);
    uint64_t total = 0;
    for (size_t i = 0; i < in.size(); ++i)
      total += in[i].layer_bps[static_cast<size_t>(a.layer[i])];
    EXPECT_EQ(a.total_bps, total);
    if (r.budget >= 450'000) {
      EXPECT_LE(a.total_bps, r.budget);
    }
  }
}

TEST(LayerAllocatorTest, NextStepIsTheCheapestUpgradeLeft) {
  const auto in = ThreeCameras();
  EXPECT_EQ(AllocateLayers(in, 450'000).next_step_bps, 600'000u);  // one camera low -> mid
  EXPECT_EQ(AllocateLayers(in, 1'500'000).next_step_bps, 1'800'000u);
  EXPECT_EQ(AllocateLayers(in, 5'000'000).next_step_bps, 0u) << "nothing left to upgrade";
}

TEST(LayerAllocatorTest, NeverAboveTheWantedLayer) {
  auto in = ThreeCameras();
  in[0].wanted = 0;
  in[1].wanted = 1;
  const LayerAllocation a = AllocateLayers(in, 10'000'000);
  EXPECT_EQ(a.layer, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(a.desired_bps, 150'000u + 300'000u + 600'000u);
}

TEST(LayerAllocatorTest, LayersNotArrivingAreSkipped) {
  auto in = ThreeCameras();
  in[0].layer_bps = {150'000, 0, 600'000};  // mid is off
  in[1].layer_bps = {0, 0, 0};              // camera silent
  in[2].layer_bps = {0, 0, 500'000};        // only hi arrives, the subscriber wants low
  in[2].wanted = 0;
  const LayerAllocation a = AllocateLayers(in, 700'000);
  EXPECT_EQ(a.layer, (std::vector<int>{0, -1, 2}))
      << "hi stands in for a wanted layer that is not arriving";
  const LayerAllocation b = AllocateLayers(in, 1'200'000);
  EXPECT_EQ(b.layer, (std::vector<int>{2, -1, 2})) << "low -> hi directly, skipping mid";
}

TEST(LayerAllocatorTest, CurrentLayersAreKeptWhileTheyFit) {
  auto in = ThreeCameras();
  // Last time: the third camera at hi, the others at low. Without stickiness 1 Mb/s would give
  // mid, mid, mid (900 kb/s); with it the third keeps hi (150 + 150 + 600).
  in[0].current = 0;
  in[1].current = 0;
  in[2].current = 2;
  const LayerAllocation a = AllocateLayers(in, 1'000'000);
  EXPECT_EQ(a.layer, (std::vector<int>{0, 0, 2})) << "hi stays";
  EXPECT_LE(a.total_bps, 1'000'000u);
  // A smaller budget: the current layer no longer fits and goes.
  const LayerAllocation b = AllocateLayers(in, 700'000);
  EXPECT_EQ(b.layer, (std::vector<int>{0, 0, 1}));
}

TEST(LayerAllocatorTest, SingleLayerCamerasAreAlwaysSent) {
  std::vector<LayerChoiceInput> in(2);
  in[0].layer_bps = {800'000};
  in[1].layer_bps = {800'000};
  const LayerAllocation a = AllocateLayers(in, 200'000);
  EXPECT_EQ(a.layer, (std::vector<int>{0, 0}));
  EXPECT_EQ(a.next_step_bps, 0u);
}

}  // namespace
}  // namespace sfu

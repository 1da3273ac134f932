#include "base/random.h"

#include <gtest/gtest.h>

#include <set>

namespace sfu::base {
namespace {

TEST(RandomTest, NonZeroAndVaried) {
  std::set<uint32_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const uint32_t v = RandomNonZeroU32();
    EXPECT_NE(v, 0u);
    seen.insert(v);
  }
  EXPECT_GT(seen.size(), 990u);  // 1000 draws of 32 bits: a collision is a 1e-4 event
}

TEST(RandomTest, FillsWholeBuffers) {
  // A buffer larger than any internal chunk: every byte position takes more than one value.
  std::string a = RandomBytes(4096), b = RandomBytes(4096);
  ASSERT_EQ(a.size(), 4096u);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  EXPECT_LT(same, 64u);  // about 16 expected
}

}  // namespace
}  // namespace sfu::base

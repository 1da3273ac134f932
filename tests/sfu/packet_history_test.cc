#include "sfu/packet_history.h"

#include <gtest/gtest.h>

namespace sfu {
namespace {

TEST(PacketHistoryTest, KeepsTheLastCapacityPacketsAcrossWraparound) {
  PacketHistory h(4);
  const uint8_t a[] = {1, 2, 3};
  for (uint16_t s = 65533; s != 3; ++s) {
    uint8_t p[2] = {static_cast<uint8_t>(s >> 8), static_cast<uint8_t>(s)};
    h.Store(s, p);
  }
  EXPECT_TRUE(h.Find(65534).empty()) << "overwritten";
  ASSERT_EQ(h.Find(65535).size(), 2u);
  EXPECT_EQ(h.Find(65535)[1], 0xff);
  EXPECT_EQ(h.Find(2)[1], 2);
  EXPECT_TRUE(h.Find(3).empty()) << "never stored";
  std::vector<uint8_t> big(PacketHistory::kMaxPacket + 1, 0);
  h.Store(7, big);
  EXPECT_TRUE(h.Find(7).empty()) << "oversize packets are not kept";
  h.Store(7, a);
  EXPECT_EQ(h.Find(7).size(), 3u);
}

TEST(NackGeneratorTest, GapsAreNackedTwiceThenGivenUp) {
  NackGenerator g(100, 2);
  g.OnPacket(10, 0);
  g.OnPacket(11, 0);
  g.OnPacket(14, 5);  // 12 and 13 missing
  EXPECT_EQ(g.Due(5), (std::vector<uint16_t>{12, 13}));
  EXPECT_TRUE(g.Due(50).empty()) << "not before retry_ms";
  g.OnPacket(12, 60);  // a retransmission arrives
  EXPECT_EQ(g.Due(110), (std::vector<uint16_t>{13}));
  EXPECT_TRUE(g.Due(300).empty()) << "two attempts, then given up";
  EXPECT_EQ(g.missing(), 0u);
}

TEST(NackGeneratorTest, WrapsAndIgnoresHugeJumpsAndReordering) {
  NackGenerator g;
  g.OnPacket(65534, 0);
  g.OnPacket(1, 0);  // 65535 and 0 missing
  EXPECT_EQ(g.Due(0), (std::vector<uint16_t>{65535, 0}));
  NackGenerator j;
  j.OnPacket(100, 0);
  j.OnPacket(5000, 0);  // a restart, not 4,899 losses
  EXPECT_TRUE(j.Due(0).empty());
  j.OnPacket(4999, 0);  // late: nothing to do
  EXPECT_TRUE(j.Due(1000).empty());
}

}  // namespace
}  // namespace sfu

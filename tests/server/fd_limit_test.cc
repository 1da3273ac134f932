#include "server/fd_limit.h"

#include <gtest/gtest.h>

namespace sfu::server {
namespace {

TEST(FdLimitTest, HttpCapStaysWellBelowTheDescriptorLimit) {
  EXPECT_EQ(HttpConnectionCap(1024, 1'048'576), 1024u);  // plenty: as asked
  EXPECT_EQ(HttpConnectionCap(1024, 1024), 192u);        // (1024 - 256) / 4
  EXPECT_EQ(HttpConnectionCap(1024, 128), 16u);          // tiny limits keep a floor
  EXPECT_EQ(HttpConnectionCap(100, 4096), 100u);
}

TEST(FdLimitTest, RaiseReportsAUsableLimit) {
  const FdLimit l = RaiseFdLimit();
  EXPECT_GT(l.soft, 0u);
  EXPECT_LE(l.soft, l.hard);
}

}  // namespace
}  // namespace sfu::server

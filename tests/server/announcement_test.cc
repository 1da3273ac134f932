#include "server/announcement.h"

#include <gtest/gtest.h>

namespace sfu::server {
namespace {

TEST(AnnouncementTest, SaysWhatIsAnnouncedAndOnWhichPorts) {
  EXPECT_EQ(DescribeAnnouncement({{"10.0.0.5", "192.168.1.2"}, false, {3478, 3479}}),
            "announcing 10.0.0.5, 192.168.1.2 (udp ports 3478-3479)");
  EXPECT_EQ(DescribeAnnouncement({{"127.0.0.1"}, false, {3478}}),
            "announcing 127.0.0.1 (udp port 3478)");
  EXPECT_EQ(DescribeAnnouncement({{"192.0.2.10", "2001:db8::10"}, true, {3478, 3479, 3480}}),
            "announcing 192.0.2.10, 2001:db8::10 (udp ports 3478-3480; chosen by --announce-ip "
            "auto)");
}

TEST(AnnouncementTest, EphemeralPortsAreListed) {
  // --media-port 0: each shard gets whatever port the kernel picks.
  EXPECT_EQ(DescribeAnnouncement({{"127.0.0.1"}, false, {41002, 38811, 38812}}),
            "announcing 127.0.0.1 (udp ports 41002, 38811-38812)");
}

TEST(AnnouncementTest, EmptyPartsAreSaid) {
  EXPECT_EQ(DescribeAnnouncement({}), "announcing no address (udp ports none)");
}

}  // namespace
}  // namespace sfu::server

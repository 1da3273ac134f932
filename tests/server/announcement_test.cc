#include "server/announcement.h"

#include <gtest/gtest.h>

namespace sfu::server {
namespace {

Announcement Udp(std::vector<std::string> ips, bool automatic, std::vector<uint16_t> ports) {
  Announcement a;
  a.ips = std::move(ips);
  a.automatic = automatic;
  a.udp_ports = std::move(ports);
  return a;
}

TEST(AnnouncementTest, SaysWhatIsAnnouncedAndOnWhichPorts) {
  EXPECT_EQ(DescribeAnnouncement(Udp({"10.0.0.5", "192.168.1.2"}, false, {3478, 3479})),
            "announcing 10.0.0.5, 192.168.1.2 (udp ports 3478-3479)");
  EXPECT_EQ(DescribeAnnouncement(Udp({"127.0.0.1"}, false, {3478})),
            "announcing 127.0.0.1 (udp port 3478)");
  EXPECT_EQ(DescribeAnnouncement(Udp({"192.0.2.10", "2001:db8::10"}, true, {3478, 3479, 3480})),
            "announcing 192.0.2.10, 2001:db8::10 (udp ports 3478-3480; chosen by --announce-ip "
            "auto)");
}

TEST(AnnouncementTest, EphemeralPortsAreListed) {
  // --media-port 0: each shard gets whatever port the kernel picks.
  EXPECT_EQ(DescribeAnnouncement(Udp({"127.0.0.1"}, false, {41002, 38811, 38812})),
            "announcing 127.0.0.1 (udp ports 41002, 38811-38812)");
}

TEST(AnnouncementTest, TcpAndTurnPortsJoinTheLine) {
  Announcement a = Udp({"127.0.0.1"}, false, {3478, 3479});
  a.tcp_ports = {3478, 3479};
  a.turn_ports = {5349, 5350};
  a.turn_tls = true;
  a.turn_policy = "auto";
  EXPECT_EQ(DescribeAnnouncement(a),
            "announcing 127.0.0.1 (udp ports 3478-3479; ice-tcp ports 3478-3479; turn tcp+tls "
            "ports 5349-5350, turn policy auto)");
  Announcement b = Udp({"127.0.0.1"}, false, {3478});
  b.external_turn_uris = 2;
  b.turn_policy = "always";
  EXPECT_EQ(DescribeAnnouncement(b),
            "announcing 127.0.0.1 (udp port 3478; external turn (2 uris), turn policy always)");
}

TEST(AnnouncementTest, EmptyPartsAreSaid) {
  EXPECT_EQ(DescribeAnnouncement({}), "announcing no address (udp ports none)");
}

}  // namespace
}  // namespace sfu::server

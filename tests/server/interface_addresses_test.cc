#include "server/interface_addresses.h"

#include <gtest/gtest.h>

// Fake interface tables only: ReadInterfaceAddresses is never called here (tests announce and
// contact nothing but loopback). The addresses are documentation ranges (RFC 5737, RFC 3849)
// and private ones.
namespace sfu::server {
namespace {

using Strings = std::vector<std::string>;

InterfaceAddress Up(std::string name, std::string ip) { return {name, ip, true, false}; }

TEST(InterfaceAddressesTest, ExcludeReasonTable) {
  struct Case {
    InterfaceAddress a;
    std::string_view bind;
    std::string_view reason;  // empty: announced
  } cases[] = {
      {Up("eth0", "192.0.2.10"), "0.0.0.0", ""},
      {Up("eth0", "10.1.2.3"), "0.0.0.0", ""},    // private: what LAN clients reach
      {Up("br0", "192.168.1.2"), "0.0.0.0", ""},  // a host bridge carries the host's address
      {Up("wg0", "10.8.0.1"), "0.0.0.0", ""},     // VPN peers reach it
      {{"lo", "127.0.0.1", true, true}, "0.0.0.0", "loopback"},
      {Up("eth9", "127.0.1.1"), "0.0.0.0", "loopback"},  // loopback address, any interface
      {{"lo", "::1", true, true}, "::", "loopback"},
      {Up("eth1", "::1"), "::", "loopback"},
      {{"eth2", "192.0.2.11", false, false}, "0.0.0.0", "down"},
      {Up("eth0", "169.254.7.7"), "0.0.0.0", "link-local"},
      {Up("eth0", "fe80::1"), "::", "link-local"},
      {Up("eth0", "febf::1"), "::", "link-local"},  // still fe80::/10
      {Up("eth0", "0.0.0.0"), "0.0.0.0", "unspecified"},
      {Up("eth0", "::"), "::", "unspecified"},
      {Up("eth0", "224.0.0.251"), "0.0.0.0", "multicast"},
      {Up("eth0", "ff02::fb"), "::", "multicast"},
      {Up("eth0", "255.255.255.255"), "0.0.0.0", "reserved"},
      {Up("eth0", "::ffff:192.0.2.10"), "::", "IPv4-mapped"},
      {Up("eth0", "not-an-ip"), "0.0.0.0", "not an IP address"},
      {Up("eth0", "fe80::1%eth0"), "::", "not an IP address"},
      {Up("docker0", "172.17.0.1"), "0.0.0.0", "container or VM bridge"},
      {Up("br-3f2a9c81d7e4", "172.18.0.1"), "0.0.0.0", "container or VM bridge"},
      {Up("veth12ab", "172.17.0.5"), "0.0.0.0", "container or VM bridge"},
      {Up("virbr0", "192.168.122.1"), "0.0.0.0", "container or VM bridge"},
      {Up("cni0", "10.244.0.1"), "0.0.0.0", "container or VM bridge"},
      {Up("docker0", "2001:db8:d::1"), "::", "container or VM bridge"},
      // The shards bind the --listen host: 0.0.0.0 receives no IPv6, "::" receives both, a
      // specific address only itself.
      {Up("eth0", "2001:db8::5"), "0.0.0.0", "IPv6, but media binds 0.0.0.0 (IPv4 only)"},
      {Up("eth0", "2001:db8::5"), "::", ""},
      {Up("eth0", "192.0.2.10"), "::", ""},
      {Up("eth0", "192.0.2.10"), "192.0.2.10", ""},
      {Up("eth1", "198.51.100.7"), "192.0.2.10", "not the media bind address"},
      {Up("eth0", "2001:db8::5"), "2001:DB8:0::5", ""},  // compared in canonical form
      {Up("eth0", "192.0.2.10"), "localhost", "not the media bind address"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ExcludeReason(c.a, c.bind), c.reason)
        << c.a.name << " " << c.a.ip << " bind " << c.bind;
  }
}

TEST(InterfaceAddressesTest, PicksIpv4ThenIpv6InOrderEachOnce) {
  const std::vector<InterfaceAddress> host = {
      {"lo", "127.0.0.1", true, true},
      {"lo", "::1", true, true},
      Up("eth0", "2001:db8::10"),
      Up("eth0", "fe80::a00:27ff:fe4e:66a1"),
      Up("eth0", "192.0.2.10"),
      {"eth1", "198.51.100.9", false, false},  // down
      Up("eth2", "169.254.10.20"),
      Up("docker0", "172.17.0.1"),
      Up("br-3f2a9c81d7e4", "172.18.0.1"),
      Up("wlan0", "192.168.1.2"),
      Up("wlan0", "2001:DB8:0::20"),  // written differently, announced canonically
      Up("eth3", "192.0.2.10"),       // the same address on a second interface: once
      Up("eth0", "2001:db8::10"),     // listed twice by the system: once
  };
  EXPECT_EQ(PickAnnounceAddresses(host, "::"),
            (Strings{"192.0.2.10", "192.168.1.2", "2001:db8::10", "2001:db8::20"}));
  // The default listen address binds IPv4 only.
  EXPECT_EQ(PickAnnounceAddresses(host, "0.0.0.0"), (Strings{"192.0.2.10", "192.168.1.2"}));
  // A specific bind address: only it, whatever else the host has.
  EXPECT_EQ(PickAnnounceAddresses(host, "192.168.1.2"), (Strings{"192.168.1.2"}));
}

TEST(InterfaceAddressesTest, NothingUsableGivesNoneAndSaysWhy) {
  const std::vector<InterfaceAddress> host = {
      {"lo", "127.0.0.1", true, true},
      Up("eth0", "fe80::1"),
      Up("docker0", "172.17.0.1"),
      Up("eth0", "2001:db8::1"),
  };
  EXPECT_TRUE(PickAnnounceAddresses(host, "0.0.0.0").empty());
  EXPECT_EQ(DescribeExcluded(host, "0.0.0.0"),
            "lo 127.0.0.1 (loopback), eth0 fe80::1 (link-local), docker0 172.17.0.1 (container "
            "or VM bridge), eth0 2001:db8::1 (IPv6, but media binds 0.0.0.0 (IPv4 only))");
  EXPECT_TRUE(PickAnnounceAddresses({}, "::").empty());
  EXPECT_EQ(DescribeExcluded({}, "::"), "no interface addresses");
  // A loopback listen address leaves auto nothing to announce.
  EXPECT_TRUE(PickAnnounceAddresses({Up("eth0", "192.0.2.10")}, "127.0.0.1").empty());
}

}  // namespace
}  // namespace sfu::server

#include "server/interface_addresses.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

namespace sfu::server {
namespace {

// Interface name prefixes of container and VM networks (the header says why each is there).
constexpr std::array<std::string_view, 12> kBridgePrefixes = {
    "docker", "br-",    "veth", "virbr",   "vnet", "lxcbr",
    "lxdbr",  "podman", "cni",  "flannel", "cali", "kube-bridge"};

struct ParsedIp {
  bool v6 = false;
  in_addr v4{};
  in6_addr v6_addr{};
  std::string text;  // canonical (inet_ntop) form
};

std::optional<ParsedIp> ParseIp(std::string_view s) {
  const std::string str(s);
  ParsedIp p;
  char buf[INET6_ADDRSTRLEN] = {};
  if (::inet_pton(AF_INET, str.c_str(), &p.v4) == 1) {
    if (!::inet_ntop(AF_INET, &p.v4, buf, sizeof buf)) return std::nullopt;
  } else if (::inet_pton(AF_INET6, str.c_str(), &p.v6_addr) == 1) {
    p.v6 = true;
    if (!::inet_ntop(AF_INET6, &p.v6_addr, buf, sizeof buf)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  p.text = buf;
  return p;
}

// The address class that keeps an address out, or empty for a unicast address a remote host
// can route to.
std::string_view AddressClassReason(const ParsedIp& p) {
  if (!p.v6) {
    const uint32_t a = ntohl(p.v4.s_addr);
    if ((a >> 24) == 0) return "unspecified";
    if ((a >> 24) == 127) return "loopback";
    if ((a >> 16) == 0xA9FE) return "link-local";  // 169.254.0.0/16
    if ((a >> 28) == 0xE) return "multicast";      // 224.0.0.0/4
    if ((a >> 28) == 0xF) return "reserved";       // 240.0.0.0/4 and 255.255.255.255
    return {};
  }
  if (IN6_IS_ADDR_UNSPECIFIED(&p.v6_addr)) return "unspecified";
  if (IN6_IS_ADDR_LOOPBACK(&p.v6_addr)) return "loopback";
  if (IN6_IS_ADDR_LINKLOCAL(&p.v6_addr)) return "link-local";
  if (IN6_IS_ADDR_MULTICAST(&p.v6_addr)) return "multicast";
  if (IN6_IS_ADDR_V4MAPPED(&p.v6_addr)) return "IPv4-mapped";
  return {};
}

bool IsBridgeName(std::string_view name) {
  for (std::string_view prefix : kBridgePrefixes)
    if (name.substr(0, prefix.size()) == prefix) return true;
  return false;
}

// Whether the shards' sockets, bound to media_bind_ip, receive datagrams sent to p.
std::string_view BindReason(const ParsedIp& p, std::string_view media_bind_ip) {
  const std::optional<ParsedIp> bind = ParseIp(media_bind_ip);
  if (!bind) return "not the media bind address";
  if (!bind->v6 && bind->v4.s_addr == htonl(INADDR_ANY))
    return p.v6 ? "IPv6, but media binds 0.0.0.0 (IPv4 only)" : std::string_view();
  // "::" with IPV6_V6ONLY off (transport/udp/udp_endpoint.cc) receives IPv4 as well.
  if (bind->v6 && IN6_IS_ADDR_UNSPECIFIED(&bind->v6_addr)) return {};
  return bind->text == p.text ? std::string_view() : "not the media bind address";
}

}  // namespace

std::string_view ExcludeReason(const InterfaceAddress& a, std::string_view media_bind_ip) {
  const std::optional<ParsedIp> p = ParseIp(a.ip);
  if (!p) return "not an IP address";
  if (!a.up) return "down";
  if (a.loopback) return "loopback";
  if (std::string_view why = AddressClassReason(*p); !why.empty()) return why;
  if (IsBridgeName(a.name)) return "container or VM bridge";
  return BindReason(*p, media_bind_ip);
}

std::vector<std::string> PickAnnounceAddresses(const std::vector<InterfaceAddress>& interfaces,
                                               std::string_view media_bind_ip) {
  std::vector<std::string> v4, v6;
  for (const InterfaceAddress& a : interfaces) {
    if (!ExcludeReason(a, media_bind_ip).empty()) continue;
    const ParsedIp p = *ParseIp(a.ip);  // ExcludeReason refuses what does not parse
    std::vector<std::string>& out = p.v6 ? v6 : v4;
    if (std::find(out.begin(), out.end(), p.text) == out.end()) out.push_back(p.text);
  }
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

std::string DescribeExcluded(const std::vector<InterfaceAddress>& interfaces,
                             std::string_view media_bind_ip) {
  std::string out;
  for (const InterfaceAddress& a : interfaces) {
    const std::string_view why = ExcludeReason(a, media_bind_ip);
    if (why.empty()) continue;
    if (!out.empty()) out += ", ";
    out += a.name + " " + a.ip + " (" + std::string(why) + ")";
  }
  return out.empty() ? "no interface addresses" : out;
}

std::vector<InterfaceAddress> ReadInterfaceAddresses(std::string* error) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    *error = std::string("getifaddrs: ") + std::strerror(errno);
    return {};
  }
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owned(list, &::freeifaddrs);
  std::vector<InterfaceAddress> out;
  for (const ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || !i->ifa_name) continue;
    const int family = i->ifa_addr->sa_family;
    const void* addr = nullptr;
    if (family == AF_INET) {
      addr = &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr;
    } else if (family == AF_INET6) {
      addr = &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr;
    } else {
      continue;  // AF_PACKET and the like: no IP address
    }
    char buf[INET6_ADDRSTRLEN] = {};
    if (!::inet_ntop(family, addr, buf, sizeof buf)) continue;
    InterfaceAddress a;
    a.name = i->ifa_name;
    a.ip = buf;
    a.up = (i->ifa_flags & IFF_UP) && (i->ifa_flags & IFF_RUNNING);
    a.loopback = (i->ifa_flags & IFF_LOOPBACK) != 0;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace sfu::server

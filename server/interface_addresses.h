#pragma once
// --announce-ip auto: which of this host's interface addresses go into ICE candidates.
//
// The choice is a pure function over interface records (unit-tested with fake tables); only
// ReadInterfaceAddresses touches the system, and it only reads (getifaddrs): it sends nothing.
// The server calls it once at start, before any socket is opened; tests never call it.
//
// Kept: addresses of interfaces that are up and running (IFF_UP and IFF_RUNNING: a cable that is
// unplugged, or a container bridge with no container, reports no carrier), IPv4 first, then
// IPv6, each in the order the system lists them, each address once.
// Excluded, with the reason ExcludeReason gives:
//   - loopback interfaces and addresses (127.0.0.0/8, ::1): only this host reaches them;
//   - link-local addresses (169.254.0.0/16, fe80::/10): not routed, and an IPv6 one is
//     meaningless without its interface's scope, which an ICE candidate cannot carry;
//   - unspecified (0.0.0.0/8, ::), multicast (224.0.0.0/4, ff00::/8), the reserved
//     240.0.0.0/4 (with the broadcast address) and IPv4-mapped IPv6 (::ffff:0:0/96): not
//     addresses a client can send to;
//   - container and VM bridges, by interface name: docker*, br-* (Docker's user networks;
//     a host bridge such as br0, which carries the host's own address, is kept), veth*,
//     virbr* and vnet* (libvirt), lxcbr* and lxdbr* (LXC/LXD), podman*, and cni*, flannel*,
//     cali* and kube-bridge (Kubernetes networking). Their addresses are reachable only from
//     guests on this host, so remote clients would spend ICE checks on them; a client inside
//     such a guest can be served by naming the address with an explicit --announce-ip. VPN
//     interfaces (wg*, tun*, tailscale*) are kept: peers on the VPN reach them.
//   - addresses the media sockets cannot receive on: the shards bind the --listen host, and
//     0.0.0.0 binds IPv4 only, so IPv6 addresses are kept only for a "::" (dual-stack) bind; a
//     specific bind address keeps only itself.
// Private addresses (10/8, 172.16/12, 192.168/16, fc00::/7) are kept: on a LAN they are what
// clients reach. A server behind NAT needs its public address named with --announce-ip.

#include <string>
#include <string_view>
#include <vector>

namespace sfu::server {

// One address of one network interface (getifaddrs lists an interface once per address).
struct InterfaceAddress {
  std::string name;       // e.g. "eth0"
  std::string ip;         // numeric, e.g. "192.0.2.10" or "2001:db8::1" (no scope suffix)
  bool up = false;        // IFF_UP and IFF_RUNNING
  bool loopback = false;  // IFF_LOOPBACK
};

// Why --announce-ip auto does not announce this address (a few words, for logs and errors), or
// an empty view when it does. media_bind_ip: the address the shards' UDP sockets bind (the
// --listen host): "0.0.0.0" (IPv4 only), "::" (IPv4 and IPv6) or one specific address.
std::string_view ExcludeReason(const InterfaceAddress& a, std::string_view media_bind_ip);

// The addresses to announce: those ExcludeReason keeps, in canonical text form, IPv4 first then
// IPv6, in the order given, each once. Empty when nothing qualifies (the caller must then refuse
// to start: announcing nothing gives clients no candidate at all).
std::vector<std::string> PickAnnounceAddresses(const std::vector<InterfaceAddress>& interfaces,
                                               std::string_view media_bind_ip);

// "lo 127.0.0.1 (loopback), eth0 fe80::1 (link-local)": every address not picked and why, for
// the error when PickAnnounceAddresses finds none. "no interface addresses" when the list is
// empty.
std::string DescribeExcluded(const std::vector<InterfaceAddress>& interfaces,
                             std::string_view media_bind_ip);

// This host's IPv4 and IPv6 interface addresses (getifaddrs; read only, nothing is sent). On
// failure returns an empty list and sets *error.
std::vector<InterfaceAddress> ReadInterfaceAddresses(std::string* error);

}  // namespace sfu::server

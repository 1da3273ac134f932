#pragma once
// The startup log line that says what the server puts in its ICE candidates, e.g.
//   announcing 10.0.0.5, 192.168.1.2 (udp ports 3478-3479)
// so an operator sees at once whether clients can reach it. One function, so transports added
// later (TCP, TURN) join the same line.

#include <cstdint>
#include <string>
#include <vector>

namespace sfu::server {

struct Announcement {
  std::vector<std::string> ips;      // the --announce-ip addresses, in candidate order
  bool automatic = false;            // chosen by --announce-ip auto
  std::vector<uint16_t> udp_ports;   // the shards' bound media ports, in shard order
  std::vector<uint16_t> tcp_ports;   // ICE-TCP (passive candidates); empty: off
  std::vector<uint16_t> turn_ports;  // the embedded TURN server (TCP and TLS); empty: off
  bool turn_tls = false;             // the embedded TURN server also speaks TLS
  std::string turn_policy;           // who gets TURN credentials (auto, always, never)
  size_t external_turn_uris = 0;     // --turn-uri servers handed out instead
};

// "announcing A, B (udp ports P-Q; ice-tcp ports P-Q; turn tcp+tls ports T-U, policy auto)";
// a single port is "udp port P", ports that do not follow
// each other (ephemeral ports, --media-port 0) are listed as "P, Q"; "; chosen by --announce-ip
// auto" is added inside the parentheses when automatic. Pure.
std::string DescribeAnnouncement(const Announcement& a);

}  // namespace sfu::server

#include "server/announcement.h"

namespace sfu::server {
namespace {

// "3478-3480, 40000": runs of consecutive ports collapsed, in the order given.
std::string DescribePorts(const std::vector<uint16_t>& ports) {
  std::string out;
  for (size_t i = 0; i < ports.size();) {
    size_t end = i + 1;
    while (end < ports.size() && ports[end] == ports[end - 1] + 1) ++end;
    if (!out.empty()) out += ", ";
    out += std::to_string(ports[i]);
    if (end - i > 1) out += "-" + std::to_string(ports[end - 1]);
    i = end;
  }
  return out;
}

}  // namespace

std::string DescribeAnnouncement(const Announcement& a) {
  std::string out = "announcing ";
  for (size_t i = 0; i < a.ips.size(); ++i) out += (i ? ", " : "") + a.ips[i];
  if (a.ips.empty()) out += "no address";
  out += " (udp port";
  if (a.udp_ports.size() != 1) out += "s";
  out += " " + (a.udp_ports.empty() ? std::string("none") : DescribePorts(a.udp_ports));
  if (!a.tcp_ports.empty()) {
    out += std::string("; ice-tcp port") + (a.tcp_ports.size() == 1 ? " " : "s ") +
           DescribePorts(a.tcp_ports);
  }
  if (!a.turn_ports.empty()) {
    out += std::string("; turn ") + (a.turn_tls ? "tcp+tls" : "tcp") + " port" +
           (a.turn_ports.size() == 1 ? " " : "s ") + DescribePorts(a.turn_ports);
  }
  if (a.external_turn_uris > 0) {
    out += "; external turn (" + std::to_string(a.external_turn_uris) + " uri" +
           (a.external_turn_uris == 1 ? ")" : "s)");
  }
  if (!a.turn_policy.empty() && (!a.turn_ports.empty() || a.external_turn_uris > 0))
    out += ", turn policy " + a.turn_policy;
  if (a.automatic) out += "; chosen by --announce-ip auto";
  out += ")";
  return out;
}

}  // namespace sfu::server

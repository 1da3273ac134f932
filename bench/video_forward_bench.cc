// Video forwarding cost: server CPU per forwarded video packet. One publisher sends synthetic VP8
// (1,000-byte payloads, a key frame every 30 frames) at a fixed packet rate to an in-process
// server (real signaling, ICE/DTLS/SRTP on loopback, one shard); N subscribers receive it. The
// shard's own CPU time (CLOCK_THREAD_CPUTIME_ID, read on the shard) is divided by the packets
// forwarded: receive + unprotect once, then per subscriber rewrite + SRTP protect + sendmmsg.
// Each configuration runs twice, side by side: plain sendmmsg (one message per datagram) and UDP
// GSO (the shard's default: a subscriber's same-sized packets of a receive batch in one message).
//   video_forward_bench [seconds] [packets-per-second-in] (defaults 4, 2000; multiples of 1000)
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/log.h"
#include "bench/forward_load.h"
#include "transport/udp/udp_endpoint.h"

using namespace sfu;

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 4;
  // 2,000 packets per second by default: 30 fps frames of ~67 packets, a key frame every 30
  // frames.
  const int rate = argc > 2 ? std::max(1000, std::atoi(argv[2]) / 1000 * 1000) : 2000;
  base::SetLogLevel(base::LogLevel::kWarn);
  std::printf("%-6s %-12s %10s %12s %12s %12s %16s\n", "send", "subscribers", "in pps", "forwarded",
              "received", "shard CPU %", "CPU us / fwd pkt");
  for (int subscribers : {1, 4, 10})
    for (bool gso : {false, true}) {
      transport::UdpEndpoint::SetGsoDefault(gso);
      bench::InprocServer server({});
      std::string error;
      if (!server.Start(&error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
      }
      bench::ForwardLoad load(server);
      if (!load.Connect(loadtest::MediaPath::kUdp, subscribers)) return 1;
      const bench::ForwardMeasurement m = load.Drive(rate, seconds);
      std::printf("%-6s %-12d %10d %12llu %12llu %11.1f%% %16.2f\n", gso ? "gso" : "plain",
                  subscribers, rate, static_cast<unsigned long long>(m.forwarded),
                  static_cast<unsigned long long>(m.received), m.cpu_pct, m.us_per_packet);
    }
  return 0;
}

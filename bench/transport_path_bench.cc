// Media over TCP and TLS: server CPU per forwarded video packet when the subscribers' media
// takes UDP, ICE-TCP (RFC 6544, RFC 4571 framing), or the shard's TURN server over TLS or TCP
// (RFC 8656, ChannelData), side by side in one run. The load is video_forward_bench's
// (bench/forward_load.h): an in-process server (real signaling, ICE/DTLS/SRTP on loopback, one
// shard, TURN on as with `--turn-policy always`), one publisher over UDP sending synthetic VP8
// (1,000-byte payloads, 67 packets per frame, a key frame every 30 frames) at a fixed packet rate,
// N subscribers all on one path. The shard's own CPU time (CLOCK_THREAD_CPUTIME_ID, read on the
// shard) is divided by the packets forwarded. The paths alternate within each round (a fresh server
// for each run); the summary gives each path's median over the rounds and its ratio to UDP's, and
// the median of the per-round ratios (each against the UDP run of the same round).
//   transport_path_bench [seconds] [packets-per-second-in] [subscribers] [rounds] [paths]
//   (defaults 4, 2000, 10, 3, udp,tcp,turn-tls,turn-tcp; the rate in multiples of 1000; one
//   path alone is for profiling)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "bench/forward_load.h"

using namespace sfu;
using namespace std::chrono_literals;
using loadtest::MediaPath;

namespace {

// One run: a fresh server (TURN on), the publisher on UDP, `subscribers` on `path`.
bool RunOnce(MediaPath path, int subscribers, int seconds, int rate,
             bench::ForwardMeasurement* out) {
  bench::InprocServer::Options options;
  options.turn = true;
  bench::InprocServer server(options);
  std::string error;
  if (!server.Start(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return false;
  }
  bench::ForwardLoad load(server);
  if (!load.Connect(path, subscribers)) return false;
  // Let the subscriptions settle (key frame requests, the first probes) before measuring.
  std::this_thread::sleep_for(200ms);
  *out = load.Drive(rate, seconds);
  return true;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty()      ? 0
         : v.size() % 2 ? v[v.size() / 2]
                        : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 4;
  const int rate = argc > 2 ? std::max(1000, std::atoi(argv[2]) / 1000 * 1000) : 2000;
  const int subscribers = argc > 3 ? std::max(1, std::atoi(argv[3])) : 10;
  const int rounds = argc > 4 ? std::max(1, std::atoi(argv[4])) : 3;
  base::SetLogLevel(base::LogLevel::kWarn);
  std::vector<MediaPath> paths;
  const std::string names = argc > 5 ? argv[5] : "udp,tcp,turn-tls,turn-tcp";
  for (size_t at = 0; at <= names.size();) {
    const size_t comma = std::min(names.find(',', at), names.size());
    const auto path = loadtest::ParseMediaPath(names.substr(at, comma - at));
    if (!path) {
      std::fprintf(stderr, "paths: a comma-separated list of udp, tcp, turn-tls, turn-tcp\n");
      return 2;
    }
    paths.push_back(*path);
    at = comma + 1;
  }
  std::printf("%d subscribers, publisher on UDP at %d packets/s, %d s per run, %d rounds\n",
              subscribers, rate, seconds, rounds);
  std::printf("%-6s %-9s %12s %12s %10s %12s %16s\n", "round", "path", "forwarded", "received",
              "dropped", "shard CPU %", "CPU us / fwd pkt");
  std::map<MediaPath, std::vector<double>> per_packet, ratio;
  for (int r = 1; r <= rounds; ++r) {
    double udp = 0;
    for (MediaPath path : paths) {
      bench::ForwardMeasurement run;
      if (!RunOnce(path, subscribers, seconds, rate, &run)) return 1;
      std::printf("%-6d %-9s %12llu %12llu %10llu %11.1f%% %16.2f\n", r,
                  loadtest::MediaPathName(path), static_cast<unsigned long long>(run.forwarded),
                  static_cast<unsigned long long>(run.received),
                  static_cast<unsigned long long>(run.dropped), run.cpu_pct, run.us_per_packet);
      std::fflush(stdout);
      if (path == MediaPath::kUdp) udp = run.us_per_packet;
      per_packet[path].push_back(run.us_per_packet);
      if (udp > 0) ratio[path].push_back(run.us_per_packet / udp);
    }
  }
  const double udp = Median(per_packet[MediaPath::kUdp]);
  std::printf("\n%-9s %22s %16s %26s\n", "path", "median CPU us / pkt", "ratio to UDP",
              "median of per-round ratios");
  for (MediaPath path : paths) {
    const double m = Median(per_packet[path]);
    std::printf("%-9s %22.2f %15.2fx %25.2fx\n", loadtest::MediaPathName(path), m,
                udp > 0 ? m / udp : 0.0, Median(ratio[path]));
  }
  return 0;
}

#pragma once
// Runs a load-test scenario against a server's control API and signaling/media endpoints:
// creates the meetings and attendees (or joins an existing meeting), spreads simulated attendees
// over one worker thread per core (each an io_context with a 20 ms media tick), joins them at the
// asked rate, drives churn, mute toggles and data messages, prints progress once a second, and
// fills a LoadReport (client-side measurements plus the server's cost read from /metrics).
// Every wait is bounded; the run ends by itself after --duration, on Ctrl-C (stop flag), or when
// the server ends a meeting.

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>

#include "loadtest/client_transport.h"
#include "loadtest/load_report.h"
#include "loadtest/sim_attendee.h"
#include "loadtest/slo.h"

namespace sfu::loadtest {

struct LoadOptions {
  std::string endpoint = "http://127.0.0.1:8080";
  // More nodes of a cluster (sfu-server --redis): meeting m is created through node m % n, its
  // attendees through the next node, and the server's cost is the sum of every node's /metrics.
  std::vector<std::string> more_endpoints;
  std::string api_key;  // KEYID:SECRET, empty: unsigned
  std::string region = "us-east-1";
  std::string meeting_id;  // join this existing meeting instead of creating meetings
  int meetings = 1;
  int attendees = 5;  // per meeting
  int talkers = 1;    // per meeting (the first attendees)
  double duration_s = 10;
  double join_rate = 50;  // joins per second, all meetings together
  double churn = 0;       // leave+rejoin events per second
  double loss_pct = 0;    // impairment on every attendee: uplink and downlink random loss
  double burst_loss_pct = 0;
  int delay_ms = 0;
  int jitter_ms = 0;
  int impaired_attendees = -1;  // per meeting, the first N attendees are impaired; -1: all
  int downlink_kbps = 0;  // a downlink bottleneck on the last limited_attendees of each meeting
  double downlink_from_s = 0;   // ... from this many seconds after the run started
  double downlink_until_s = 0;  // ... until then (0: to the end)
  double delay_from_s = 0;      // --delay/--jitter only from this many seconds after the start
  double delay_until_s = 0;     // ... until then (0: the whole run)
  int limited_attendees = 1;
  double mute_toggle = 0;       // mute/unmute toggles per second
  double data_rate = 0;         // data messages per second per meeting
  int threads = 0;              // 0: one per core
  int analyse_per_meeting = 2;  // attendees per meeting that decode what they hear
  int mixed_talkers = 3;        // the server's --mixer-talkers (for the presence check)
  bool red = false;
  int video_senders = 0;  // camera senders per meeting (the first attendees)
  bool simulcast = false;
  MediaPath media_path = MediaPath::kUdp;  // every attendee's (turn-*: --turn-policy always)
  bool progress = true;
  std::vector<SloObjective> objectives = DefaultObjectives();  // the verdict (--slo)
  Target target = Target::kChime;                              // the server under test (--target)
  int server_pid = 0;      // its process, for CPU and memory from /proc (--server-pid); 0: none
  std::string trace_file;  // --trace: the first attendee's signaling and transport events
};

// Returns 0 when the run passed (every objective met), 1 when it ran but failed (an objective
// missed, no join attempted, a meeting ended), 2 when it could not start (bad options, unreachable
// server, refused key); the reason is in *error for 2 and in the report otherwise.
int RunLoad(const LoadOptions& options, const std::atomic<bool>& stop, std::ostream& progress,
            LoadReport* report, std::string* error);

}  // namespace sfu::loadtest

#pragma once
// What the load runner does before the run: checks that the target can do what was asked, makes
// the meetings (Chime: through the control API, with attendees and their join tokens; Janus: a
// room per meeting), and reads the server's cost (its /metrics, and /proc/<pid>) at the start,
// every second and at the end. Blocking; the runner's thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loadtest/control_client.h"
#include "loadtest/load_runner.h"
#include "loadtest/sim_attendee.h"

namespace sfu::loadtest {

struct ServerSample {
  bool ok = false;       // cpu is known
  bool metrics = false;  // the rest too (/metrics)
  double cpu = 0, in = 0, out = 0, mixing = 0;
  double rss_mib = 0, rss_peak_mib = 0;
};

// The server's cost so far: from its /metrics (sfu-server; api may be null), and its CPU and
// memory from /proc/<pid> when pid > 0 (any server; the only source for Janus). /proc wins for
// CPU: the whole process, whatever its metrics say.
ServerSample Scrape(ControlClient* api, int pid);
// The same over several nodes of a cluster (every node's /metrics added up; pid as above).
ServerSample Scrape(const std::vector<ControlClient*>& apis, int pid);

// Meetings and attendees through the control API: their shared state and join tokens. With
// several nodes (apis[0] is --endpoint), meeting m is created through apis[m % n] and its
// attendees through apis[(m + 1) % n].
bool CreateChimeMeetings(const LoadOptions& o, const std::vector<ControlClient*>& apis,
                         std::vector<std::shared_ptr<MeetingShared>>* meetings,
                         std::vector<std::vector<std::string>>* tokens, std::string* error);

// A room per meeting on Janus (their numbers into *rooms); attendees need no tokens there.
bool CreateJanusMeetings(const LoadOptions& o, const HttpUrl& url,
                         std::vector<std::shared_ptr<MeetingShared>>* meetings,
                         std::vector<std::vector<std::string>>* tokens,
                         std::vector<uint64_t>* rooms, std::string* error);

// Why the target cannot run these options (empty: it can).
std::string TargetRefusal(const LoadOptions& o);

}  // namespace sfu::loadtest

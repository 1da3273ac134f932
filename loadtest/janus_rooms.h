#pragma once
// Makes and removes the rooms of a load test on Janus (one per meeting) through its WebSocket
// API, blocking the caller (the load runner, before and after the run) with a bounded wait per
// request. Each call opens its own session and closes it: the rooms outlive the session
// (they are not permanent: Janus forgets them when it stops).
// AudioBridge rooms mix at 48 kHz mono with sfu-server's Opus settings as room defaults (32 kb/s,
// 5 % expected loss for FEC) and the RFC 6464 level extension; VideoRoom rooms take VP8 and Opus,
// as many publishers as the meeting has attendees, and cap publishers at 2.5 Mb/s by REMB (what
// sfu-server sends its publishers).

#include <cstdint>
#include <string>
#include <vector>

#include "loadtest/sim_attendee.h"

namespace sfu::loadtest {

// Creates rooms ids[i] for `target`; false with *error naming the first failure.
bool CreateJanusRooms(const std::string& host, uint16_t port, Target target,
                      const std::vector<uint64_t>& ids, int publishers, std::string* error);

// Destroys them (best effort).
void DestroyJanusRooms(const std::string& host, uint16_t port, Target target,
                       const std::vector<uint64_t>& ids);

}  // namespace sfu::loadtest

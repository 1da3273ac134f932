#pragma once
// --trace FILE: what one attendee (the first of the first meeting) says and hears, as JSON
// lines, so the Chime protocol and Janus's can be read side by side. One line per event:
//   {"t_us": 12345, "kind": "signaling", "dir": "out"|"in", "protocol": "chime"|"janus",
//    "frame": {...}}                      every field of the frame (Chime: the protobuf as JSON,
//                                         SDP kept as text; Janus: the JSON message itself)
//   {"t_us": ..., "kind": "transport", "transport": "media"|"subscription", "event": ...}
//                                         ice_connected (local port, remote address, who chose
//                                         the pair), dtls_connected (role, version, cipher, SRTP
//                                         profile), first_rtp (direction, SSRC, payload type)
// t_us: microseconds from the run's start. Thread: any (one mutex; only one attendee writes).

#include <boost/json/object.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

namespace sfu::loadtest {

class TraceSink {
 public:
  // Opens (truncates) path; nullptr with *error when it cannot.
  static std::shared_ptr<TraceSink> Open(const std::string& path, std::string* error);

  // Adds "t_us" and writes the object as one line.
  void Write(boost::json::object line);
  uint64_t lines() const;

 private:
  TraceSink() = default;
  mutable std::mutex mu_;
  std::ofstream out_;
  std::chrono::steady_clock::time_point t0_;
  uint64_t lines_ = 0;
};

}  // namespace sfu::loadtest

#pragma once
// The signaling floor's Prometheus families: control API requests and latency, signaling frames
// and refusals, and the store's meeting/attendee gauges, registered in the server's registry
// (metrics::ServerMetrics). Label sets are bound at first use and cached, so recording a request
// is a map lookup and an increment.
// Thread: the control thread records; the registry renders on the same thread.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <cstdint>
#include <map>
#include <string>

#include "metrics/server_metrics.h"

namespace sfu::signaling {

// Every reason SignalingFront counts (signaling/signaling_front.cc). Their series, and those of
// JOIN in and JOIN_ACK out, are exposed at zero from the start, so a dashboard or an alert
// (deploy/grafana/sfu-server.json) sees 0 rather than no data before the first join.
inline constexpr const char* kRefusalReasons[] = {
    "no_token",         "bad_token",         "content_share_limit", "meeting_ended",
    "attendee_removed", "server_overloaded", "internal_error",      "bad_path",
    "superseded",       "wrong_node"};

class SignalingMetrics {
 public:
  // Borrowed: exposition outlives this object.
  explicit SignalingMetrics(metrics::ServerMetrics& exposition);

  void ObserveApiRequest(const std::string& operation, int status, double seconds);
  // Signaling frames by direction ("in"/"out") and type name (or "malformed", "rate_limited").
  void CountSignalingFrame(const std::string& direction, const std::string& type);
  // WebSocket upgrades refused or sessions closed by a limit, by reason ("bad_token", ...).
  void CountSignalingRefusal(const std::string& reason);
  void SetMeetings(int64_t n);
  void SetAttendees(int64_t n);
  void SetConnectedAttendees(int64_t n);

  // The whole server's exposition (every layer's families), for GET /metrics.
  std::string RenderText() const { return exposition_.RenderText(); }

 private:
  prometheus::Counter& FrameCounter(const std::string& direction, const std::string& type);
  prometheus::Counter& RefusalCounter(const std::string& reason);

  metrics::ServerMetrics& exposition_;
  prometheus::Family<prometheus::Counter>* api_requests_;
  prometheus::Family<prometheus::Histogram>* api_latency_;
  prometheus::Family<prometheus::Counter>* signaling_frames_;
  prometheus::Family<prometheus::Counter>* signaling_refusals_;
  prometheus::Gauge* meetings_;
  prometheus::Gauge* attendees_;
  prometheus::Gauge* connected_;
  std::map<std::pair<std::string, int>, prometheus::Counter*> request_counters_;
  std::map<std::string, prometheus::Histogram*> latency_histograms_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> frame_counters_;
  std::map<std::string, prometheus::Counter*> refusal_counters_;
};

}  // namespace sfu::signaling

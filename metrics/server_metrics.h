#pragma once
// The server's Prometheus metrics, rendered by GET /metrics on the main listener.
// Families are built once; label sets are bound at creation (operation x status) and cached,
// so recording a request is a map lookup and an increment.
// Thread: the control thread records and renders. Layers above register their own collectors
// (sfu/shard_metrics.h reads each shard's relaxed atomics); metrics/ knows no layer's counters.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>


namespace sfu::metrics {

struct BuildInfo {
  std::string version;
  std::string git_commit;
  std::string srtp;  // e.g. "libsrtp2 2.5.0 crypto=openssl"
};

class ServerMetrics {
 public:
  explicit ServerMetrics(const BuildInfo& build);
  ~ServerMetrics();

  void ObserveApiRequest(const std::string& operation, int status, double seconds);
  // Signaling frames by direction ("in"/"out") and type name (or "malformed", "rate_limited").
  void CountSignalingFrame(const std::string& direction, const std::string& type);
  // WebSocket upgrades refused, by reason ("bad_token", "meeting_ended", ...).
  void CountSignalingRefusal(const std::string& reason);
  void SetMeetings(int64_t n);
  void SetAttendees(int64_t n);
  void SetConnectedAttendees(int64_t n);
  // A collector rendered after the registry's families (e.g. the shards' counters).
  void AddCollectable(std::shared_ptr<prometheus::Collectable> c);

  // Prometheus text exposition format 0.0.4.
  std::string RenderText() const;

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> process_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  prometheus::Family<prometheus::Counter>* api_requests_;
  prometheus::Family<prometheus::Histogram>* api_latency_;
  prometheus::Gauge* meetings_;
  prometheus::Gauge* attendees_;
  prometheus::Gauge* connected_;
  std::map<std::pair<std::string, int>, prometheus::Counter*> request_counters_;
  std::map<std::string, prometheus::Histogram*> latency_histograms_;
  prometheus::Family<prometheus::Counter>* signaling_frames_;
  prometheus::Family<prometheus::Counter>* signaling_refusals_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> frame_counters_;
  std::map<std::string, prometheus::Counter*> refusal_counters_;
};

}  // namespace sfu::metrics

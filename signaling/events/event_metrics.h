#pragma once
// Prometheus families of the application-event webhooks (docs/EVENTS.md), registered in the
// server's registry like signaling/signaling_metrics.h: per destination URL, events delivered,
// failed attempts (each is retried), events dropped by the queue bound, and the queue depth; per
// AWS event type, events emitted.
// Thread: the control thread records; the registry renders on the same thread.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <cstdint>
#include <map>
#include <string>

#include "metrics/server_metrics.h"

namespace sfu::signaling {

class EventMetrics {
 public:
  // Borrowed: exposition outlives this object.
  explicit EventMetrics(metrics::ServerMetrics& exposition);

  // Creates the destination's series at zero, so they are scraped before the first event.
  void AddDestination(const std::string& destination);
  void CountEmitted(const std::string& event_type);
  void CountDelivered(const std::string& destination);
  void CountRetried(const std::string& destination);
  void CountDropped(const std::string& destination, int64_t n);
  void SetQueueDepth(const std::string& destination, int64_t depth);

 private:
  prometheus::Counter& Child(prometheus::Family<prometheus::Counter>* family,
                             std::map<std::string, prometheus::Counter*>& cache,
                             const std::string& label, const std::string& value);
  prometheus::Family<prometheus::Counter>* emitted_;
  prometheus::Family<prometheus::Counter>* delivered_;
  prometheus::Family<prometheus::Counter>* retried_;
  prometheus::Family<prometheus::Counter>* dropped_;
  prometheus::Family<prometheus::Gauge>* depth_;
  std::map<std::string, prometheus::Counter*> emitted_by_type_;
  std::map<std::string, prometheus::Counter*> delivered_by_dest_;
  std::map<std::string, prometheus::Counter*> retried_by_dest_;
  std::map<std::string, prometheus::Counter*> dropped_by_dest_;
  std::map<std::string, prometheus::Gauge*> depth_by_dest_;
};

}  // namespace sfu::signaling

#include "signaling/events/event_metrics.h"

namespace sfu::signaling {

EventMetrics::EventMetrics(metrics::ServerMetrics& exposition) {
  prometheus::Registry& registry = exposition.registry();
  emitted_ = &prometheus::BuildCounter()
                  .Name("sfu_events_emitted_total")
                  .Help("Meeting events queued for the webhooks, by AWS event type.")
                  .Register(registry);
  delivered_ = &prometheus::BuildCounter()
                    .Name("sfu_events_delivered_total")
                    .Help("Meeting events a webhook acknowledged (2xx), by destination.")
                    .Register(registry);
  retried_ = &prometheus::BuildCounter()
                  .Name("sfu_events_retries_total")
                  .Help(
                      "Failed webhook deliveries (network error, timeout or non-2xx), each "
                      "retried with backoff, by destination.")
                  .Register(registry);
  dropped_ = &prometheus::BuildCounter()
                  .Name("sfu_events_dropped_total")
                  .Help(
                      "Undelivered meeting events dropped (oldest first) because the "
                      "destination's queue was full, by destination.")
                  .Register(registry);
  depth_ = &prometheus::BuildGauge()
                .Name("sfu_events_queue_depth")
                .Help("Meeting events stored and not yet delivered, by destination.")
                .Register(registry);
}

prometheus::Counter& EventMetrics::Child(prometheus::Family<prometheus::Counter>* family,
                                         std::map<std::string, prometheus::Counter*>& cache,
                                         const std::string& label, const std::string& value) {
  auto it = cache.find(value);
  if (it == cache.end()) it = cache.emplace(value, &family->Add({{label, value}})).first;
  return *it->second;
}

void EventMetrics::AddDestination(const std::string& destination) {
  Child(delivered_, delivered_by_dest_, "destination", destination);
  Child(retried_, retried_by_dest_, "destination", destination);
  Child(dropped_, dropped_by_dest_, "destination", destination);
  SetQueueDepth(destination, 0);
}

void EventMetrics::CountEmitted(const std::string& event_type) {
  Child(emitted_, emitted_by_type_, "type", event_type).Increment();
}
void EventMetrics::CountDelivered(const std::string& destination) {
  Child(delivered_, delivered_by_dest_, "destination", destination).Increment();
}
void EventMetrics::CountRetried(const std::string& destination) {
  Child(retried_, retried_by_dest_, "destination", destination).Increment();
}
void EventMetrics::CountDropped(const std::string& destination, int64_t n) {
  Child(dropped_, dropped_by_dest_, "destination", destination).Increment(static_cast<double>(n));
}
void EventMetrics::SetQueueDepth(const std::string& destination, int64_t depth) {
  auto it = depth_by_dest_.find(destination);
  if (it == depth_by_dest_.end())
    it = depth_by_dest_.emplace(destination, &depth_->Add({{"destination", destination}})).first;
  it->second->Set(static_cast<double>(depth));
}

}  // namespace sfu::signaling

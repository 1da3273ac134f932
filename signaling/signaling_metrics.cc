#include "signaling/signaling_metrics.h"

namespace sfu::signaling {

SignalingMetrics::SignalingMetrics(metrics::ServerMetrics& exposition) : exposition_(exposition) {
  prometheus::Registry& registry = exposition.registry();
  api_requests_ = &prometheus::BuildCounter()
                       .Name("sfu_api_requests_total")
                       .Help("Control API requests by operation and HTTP status.")
                       .Register(registry);
  api_latency_ = &prometheus::BuildHistogram()
                      .Name("sfu_api_request_duration_seconds")
                      .Help("Control API request handling time by operation.")
                      .Register(registry);
  signaling_frames_ = &prometheus::BuildCounter()
                           .Name("sfu_signaling_frames_total")
                           .Help("Signaling WebSocket frames by direction and type.")
                           .Register(registry);
  signaling_refusals_ = &prometheus::BuildCounter()
                             .Name("sfu_signaling_refusals_total")
                             .Help("Signaling connections refused, by reason.")
                             .Register(registry);
  meetings_ = &prometheus::BuildGauge()
                   .Name("sfu_meetings")
                   .Help("Meetings in the store.")
                   .Register(registry)
                   .Add({});
  attendees_ = &prometheus::BuildGauge()
                    .Name("sfu_attendees")
                    .Help("Attendees in the store.")
                    .Register(registry)
                    .Add({});
  connected_ = &prometheus::BuildGauge()
                    .Name("sfu_connected_attendees")
                    .Help("Attendees with a live signaling session.")
                    .Register(registry)
                    .Add({});
  FrameCounter("in", "JOIN");
  FrameCounter("out", "JOIN_ACK");
  for (const char* reason : kRefusalReasons) RefusalCounter(reason);
}

void SignalingMetrics::ObserveApiRequest(const std::string& operation, int status, double seconds) {
  auto key = std::make_pair(operation, status);
  auto it = request_counters_.find(key);
  if (it == request_counters_.end()) {
    it = request_counters_
             .emplace(key, &api_requests_->Add(
                               {{"operation", operation}, {"status", std::to_string(status)}}))
             .first;
  }
  it->second->Increment();
  auto h = latency_histograms_.find(operation);
  if (h == latency_histograms_.end()) {
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
    h = latency_histograms_
            .emplace(operation, &api_latency_->Add({{"operation", operation}}, kBuckets))
            .first;
  }
  h->second->Observe(seconds);
}

void SignalingMetrics::CountSignalingFrame(const std::string& direction, const std::string& type) {
  FrameCounter(direction, type).Increment();
}

void SignalingMetrics::CountSignalingRefusal(const std::string& reason) {
  RefusalCounter(reason).Increment();
}

prometheus::Counter& SignalingMetrics::FrameCounter(const std::string& direction,
                                                    const std::string& type) {
  auto key = std::make_pair(direction, type);
  auto it = frame_counters_.find(key);
  if (it == frame_counters_.end()) {
    it = frame_counters_
             .emplace(key, &signaling_frames_->Add({{"direction", direction}, {"type", type}}))
             .first;
  }
  return *it->second;
}

prometheus::Counter& SignalingMetrics::RefusalCounter(const std::string& reason) {
  auto it = refusal_counters_.find(reason);
  if (it == refusal_counters_.end()) {
    it = refusal_counters_.emplace(reason, &signaling_refusals_->Add({{"reason", reason}})).first;
  }
  return *it->second;
}

void SignalingMetrics::SetMeetings(int64_t n) { meetings_->Set(static_cast<double>(n)); }
void SignalingMetrics::SetAttendees(int64_t n) { attendees_->Set(static_cast<double>(n)); }
void SignalingMetrics::SetConnectedAttendees(int64_t n) { connected_->Set(static_cast<double>(n)); }

}  // namespace sfu::signaling

#include "metrics/server_metrics.h"

#include <prometheus/text_serializer.h>

#include "metrics/process_collector.h"

namespace sfu::metrics {
ServerMetrics::ServerMetrics(const BuildInfo& build)
    : registry_(std::make_shared<prometheus::Registry>()),
      process_(std::make_shared<ProcessCollector>()) {
  prometheus::BuildGauge()
      .Name("sfu_build_info")
      .Help("Build information; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", build.version}, {"git_commit", build.git_commit}, {"srtp", build.srtp}})
      .Set(1);
  api_requests_ = &prometheus::BuildCounter()
                       .Name("sfu_api_requests_total")
                       .Help("Control API requests by operation and HTTP status.")
                       .Register(*registry_);
  api_latency_ = &prometheus::BuildHistogram()
                      .Name("sfu_api_request_duration_seconds")
                      .Help("Control API request handling time by operation.")
                      .Register(*registry_);
  signaling_frames_ = &prometheus::BuildCounter()
                          .Name("sfu_signaling_frames_total")
                          .Help("Signaling WebSocket frames by direction and type.")
                          .Register(*registry_);
  signaling_refusals_ = &prometheus::BuildCounter()
                            .Name("sfu_signaling_refusals_total")
                            .Help("Signaling connections refused, by reason.")
                            .Register(*registry_);
  meetings_ = &prometheus::BuildGauge().Name("sfu_meetings").Help("Meetings in the store.")
                   .Register(*registry_).Add({});
  attendees_ = &prometheus::BuildGauge().Name("sfu_attendees").Help("Attendees in the store.")
                    .Register(*registry_).Add({});
  connected_ = &prometheus::BuildGauge()
                    .Name("sfu_connected_attendees")
                    .Help("Attendees with a live signaling session.")
                    .Register(*registry_)
                    .Add({});
}

ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::ObserveApiRequest(const std::string& operation, int status, double seconds) {
  auto key = std::make_pair(operation, status);
  auto it = request_counters_.find(key);
  if (it == request_counters_.end()) {
    it = request_counters_
             .emplace(key, &api_requests_->Add({{"operation", operation}, {"status", std::to_string(status)}}))
             .first;
  }
  it->second->Increment();
  auto h = latency_histograms_.find(operation);
  if (h == latency_histograms_.end()) {
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
    h = latency_histograms_.emplace(operation, &api_latency_->Add({{"operation", operation}}, kBuckets)).first;
  }
  h->second->Observe(seconds);
}

void ServerMetrics::CountSignalingFrame(const std::string& direction, const std::string& type) {
  auto key = std::make_pair(direction, type);
  auto it = frame_counters_.find(key);
  if (it == frame_counters_.end()) {
    it = frame_counters_.emplace(key, &signaling_frames_->Add({{"direction", direction}, {"type", type}})).first;
  }
  it->second->Increment();
}

void ServerMetrics::CountSignalingRefusal(const std::string& reason) {
  auto it = refusal_counters_.find(reason);
  if (it == refusal_counters_.end()) {
    it = refusal_counters_.emplace(reason, &signaling_refusals_->Add({{"reason", reason}})).first;
  }
  it->second->Increment();
}

void ServerMetrics::SetMeetings(int64_t n) { meetings_->Set(static_cast<double>(n)); }
void ServerMetrics::SetAttendees(int64_t n) { attendees_->Set(static_cast<double>(n)); }
void ServerMetrics::SetConnectedAttendees(int64_t n) { connected_->Set(static_cast<double>(n)); }

void ServerMetrics::AddCollectable(std::shared_ptr<prometheus::Collectable> c) {
  collectables_.push_back(std::move(c));
}

std::string ServerMetrics::RenderText() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& f : process_->Collect()) families.push_back(std::move(f));
  for (const auto& c : collectables_) {
    for (auto& f : c->Collect()) families.push_back(std::move(f));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace sfu::metrics

#include "metrics/server_metrics.h"

#include <prometheus/gauge.h>
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
}

ServerMetrics::~ServerMetrics() = default;

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

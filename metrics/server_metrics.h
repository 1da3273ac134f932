#pragma once
// The server's Prometheus registry and its text exposition (GET /metrics): build info and process
// metrics here; every layer registers its own families (signaling/signaling_metrics.h) or
// collectors (sfu/shard_metrics.h). metrics/ knows no layer's counters.
// Thread: the control thread registers and renders.

#include <prometheus/collectable.h>
#include <prometheus/registry.h>

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

  // Layers register their families here (signaling/signaling_metrics.h) or add a collector.
  prometheus::Registry& registry() { return *registry_; }
  // A collector rendered after the registry's families (e.g. the shards' counters).
  void AddCollectable(std::shared_ptr<prometheus::Collectable> c);

  // Prometheus text exposition format 0.0.4: the registry, process metrics, then collectors.
  std::string RenderText() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> process_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
};

}  // namespace sfu::metrics

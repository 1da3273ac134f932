#pragma once
// process_* metrics from /proc/self (the names Prometheus client libraries use):
// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_start_time_seconds, process_threads.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace sfu::metrics {

class ProcessCollector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

// CPU seconds (user + system) this process has used so far; -1 if /proc is unreadable.
double ProcessCpuSeconds();

}  // namespace sfu::metrics

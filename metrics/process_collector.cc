#include "metrics/process_collector.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace sfu::metrics {
namespace {

struct ProcStat {
  double cpu_seconds = -1;
  double start_seconds_since_boot = 0;
  double threads = 0;
  double vsize = 0;
  double rss_bytes = 0;
};

ProcStat ReadStat() {
  ProcStat s;
  std::ifstream f("/proc/self/stat");
  std::string line;
  if (!std::getline(f, line)) return s;
  // The command name may contain spaces; fields resume after the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream in(line.substr(close + 2));
  std::string field;
  // Field 3 (state) is the first after ')'.
  std::vector<std::string> fields;
  while (in >> field) fields.push_back(field);
  auto at = [&](size_t n) { return n - 3 < fields.size() ? std::stod(fields[n - 3]) : 0.0; };
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  s.cpu_seconds = (at(14) + at(15)) / ticks;
  s.threads = at(20);
  s.start_seconds_since_boot = at(22) / ticks;
  s.vsize = at(23);
  s.rss_bytes = at(24) * page;
  return s;
}

double BootTime() {
  std::ifstream f("/proc/stat");
  std::string key;
  double value = 0;
  while (f >> key) {
    if (key == "btime") {
      f >> value;
      return value;
    }
    f.ignore(1 << 16, '\n');
  }
  return 0;
}

double OpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 0;
  double n = 0;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n - 1;  // the directory handle itself
}

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  f.metric.push_back(m);
  return f;
}

}  // namespace

double ProcessCpuSeconds() { return ReadStat().cpu_seconds; }

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  const ProcStat s = ReadStat();
  using prometheus::MetricType;
  return {
      Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             MetricType::Counter, s.cpu_seconds),
      Family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
             s.rss_bytes),
      Family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
             s.vsize),
      Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, OpenFds()),
      Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
             MetricType::Gauge, BootTime() + s.start_seconds_since_boot),
      Family("process_threads", "Number of OS threads in the process.", MetricType::Gauge,
             s.threads),
  };
}

}  // namespace sfu::metrics

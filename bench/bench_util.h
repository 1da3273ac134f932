#pragma once
// A small CPU-time benchmark harness: runs an operation in rounds, measures this thread's CPU
// time (CLOCK_THREAD_CPUTIME_ID, not wall time: these machines are noisy) and reports the median
// round as nanoseconds per operation.

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace sfu::bench {

inline int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct Result {
  std::string name;
  double ns_per_op = 0;
  double min_ns = 0;
  double max_ns = 0;
};

// f(i) performs operation i; ops per round, rounds rounds (median reported).
template <class F>
Result Measure(const std::string& name, int64_t ops, int rounds, F&& f) {
  std::vector<double> per_op;
  for (int64_t i = 0; i < ops / 10; ++i) f(i);  // warm-up
  for (int r = 0; r < rounds; ++r) {
    const int64_t start = ThreadCpuNs();
    for (int64_t i = 0; i < ops; ++i) f(i);
    per_op.push_back(static_cast<double>(ThreadCpuNs() - start) / static_cast<double>(ops));
  }
  std::sort(per_op.begin(), per_op.end());
  Result res{name, per_op[per_op.size() / 2], per_op.front(), per_op.back()};
  std::printf("%-52s %10.1f ns/op  (min %.1f, max %.1f over %d rounds of %lld)\n", name.c_str(),
              res.ns_per_op, res.min_ns, res.max_ns, rounds, static_cast<long long>(ops));
  std::fflush(stdout);
  return res;
}

}  // namespace sfu::bench

#pragma once
// Injectable clocks: code that needs "now" takes a Clock& so tests can use FakeClock.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace sfu::base {

// CPU time of the calling thread in microseconds (clock_gettime, a syscall of ~0.3 us: for
// per-tick accounting, not per packet).
inline int64_t ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// CPU time of the calling thread in nanoseconds (the same syscall).
inline int64_t ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The CPU cost of a per-packet path, timed on one call in kEvery and counted kEvery times (in
// nanoseconds, added to a counter): reading the thread's CPU clock costs ~0.2 us, as much as a
// tenth of what such a path does, so timing every call would weigh on what it measures.
// Use: `CpuSample sample(sampler_, stats.some_cpu_ns);` at the top of the path.
class CpuSampler {
 public:
  static constexpr uint32_t kEvery = 8;
  bool Next() { return ++calls_ % kEvery == 0; }

 private:
  uint32_t calls_ = 0;
};

template <typename Counter>
class CpuSample {
 public:
  CpuSample(CpuSampler& sampler, Counter& counter)
      : counter_(counter), start_(sampler.Next() ? ThreadCpuNanos() : -1) {}
  ~CpuSample() { Stop(); }
  // Ends the timed part early (what follows is not this path's cost).
  void Stop() {
    if (start_ < 0) return;
    counter_.fetch_add(static_cast<uint64_t>(ThreadCpuNanos() - start_) * CpuSampler::kEvery,
                       std::memory_order_relaxed);
    start_ = -1;
  }
  CpuSample(const CpuSample&) = delete;
  CpuSample& operator=(const CpuSample&) = delete;

 private:
  Counter& counter_;
  int64_t start_;
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch (for timestamps that leave the process).
  virtual int64_t NowUnixMs() const = 0;
  // Monotonic milliseconds (for intervals, rate limits, timeouts).
  virtual int64_t NowSteadyMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowUnixMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t NowSteadyMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// A clock the test moves by hand. Not thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_ms = 1'700'000'000'000) : unix_ms_(unix_ms) {}
  int64_t NowUnixMs() const override { return unix_ms_; }
  int64_t NowSteadyMs() const override { return steady_ms_; }
  void AdvanceMs(int64_t ms) {
    unix_ms_ += ms;
    steady_ms_ += ms;
  }

 private:
  int64_t unix_ms_;
  int64_t steady_ms_ = 1'000'000;
};

}  // namespace sfu::base

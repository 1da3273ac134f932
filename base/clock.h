#pragma once
// Injectable clocks: code that needs "now" takes a Clock& so tests can use FakeClock.

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

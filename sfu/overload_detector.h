#pragma once
// Tells whether a shard is running late persistently, from its 20 ms ticks: overloaded once at
// least `enter` of the last kWindow ticks started late (> 5 ms after their deadline), and again
// fine only after the window has held at most a fifth of that for kCalmTicks ticks in a row
// (10 s). The long calm keeps a shard at the edge from flapping: each time refusals stopped
// after 2 s, another 2 s of joins at the storm's rate came in and stayed (docs/PERFORMANCE.md,
// "Overload").
// enter 0 turns detection off (tests on a shared machine, where other processes make ticks late).
// A single stall (a page fault, a burst of handshakes) makes a few late ticks, not ten in two
// seconds. Pure: fed by the shard's tick, read through ShardStats::overloaded by the control
// thread (placement, admission). Thread: the shard's thread only.

#include <bitset>
#include <cstddef>

namespace sfu {

class OverloadDetector {
 public:
  static constexpr size_t kWindow = 100;     // ticks: 2 s
  static constexpr size_t kCalmTicks = 500;  // ticks: 10 s

  explicit OverloadDetector(size_t enter = 25) { set_enter(enter); }
  void set_enter(size_t enter) {
    enter_ = enter;
    leave_ = enter / 5;
    if (enter_ == 0) overloaded_ = false;
  }

  // One tick; returns whether the shard is overloaded after it.
  bool OnTick(bool late) {
    if (late_[next_]) --late_count_;
    late_[next_] = late;
    if (late) ++late_count_;
    next_ = (next_ + 1) % kWindow;
    if (enter_ == 0) return overloaded_ = false;
    if (!overloaded_ && late_count_ >= enter_) {
      overloaded_ = true;
      calm_ = 0;
    } else if (overloaded_) {
      calm_ = late_count_ <= leave_ ? calm_ + 1 : 0;
      if (calm_ >= kCalmTicks) overloaded_ = false;
    }
    return overloaded_;
  }
  bool overloaded() const { return overloaded_; }
  size_t late_in_window() const { return late_count_; }
  size_t enter() const { return enter_; }

 private:
  std::bitset<kWindow> late_;
  size_t next_ = 0;
  size_t late_count_ = 0;
  bool overloaded_ = false;
  size_t calm_ = 0;  // consecutive ticks with at most leave_ late in the window
  size_t enter_ = 25, leave_ = 5;
};

}  // namespace sfu

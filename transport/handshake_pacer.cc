#include "transport/handshake_pacer.h"

#include <algorithm>
#include <chrono>

namespace sfu::transport {

namespace {
int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

HandshakePacer::HandshakePacer(Limits limits, Clock now_us)
    : limits_(limits),
      now_us_(now_us ? std::move(now_us) : Clock(SteadyMicros)),
      budget_us_(limits.budget_us_per_tick) {}

void HandshakePacer::Timed(void* owner, const Route& from, std::span<const uint8_t> bytes,
                           const Run& run) {
  const int64_t start = now_us_();
  run(owner, from, bytes);
  budget_us_ -= std::max<int64_t>(0, now_us_() - start);
}

bool HandshakePacer::Submit(void* owner, const Route& from, std::span<const uint8_t> bytes,
                            const Run& run) {
  if (budget_us_ > 0 && queue_.empty()) {
    Timed(owner, from, bytes, run);
    return true;
  }
  if (queue_.size() >= limits_.max_deferred) return false;
  queue_.push_back(Item{owner, from, std::vector<uint8_t>(bytes.begin(), bytes.end()), run});
  ++total_deferred_;
  return true;
}

void HandshakePacer::OnTick() {
  // Overspending one period (a single handshake step can exceed what was left) is paid back
  // from the next, so the average stays within the budget.
  budget_us_ = std::min(budget_us_, int64_t{0}) + limits_.budget_us_per_tick;
  while (budget_us_ > 0 && !queue_.empty()) {
    Item item = std::move(queue_.front());
    queue_.pop_front();
    Timed(item.owner, item.from, item.bytes, item.run);
  }
}

void HandshakePacer::Forget(const void* owner) {
  std::erase_if(queue_, [owner](const Item& i) { return i.owner == owner; });
}

void HandshakePacer::ForgetLink(const StreamLink* link) {
  std::erase_if(queue_, [link](const Item& i) { return i.from.link == link; });
}

}  // namespace sfu::transport

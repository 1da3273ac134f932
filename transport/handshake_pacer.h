#pragma once
// Spreads DTLS handshake work over the shard's ticks so a storm of joins cannot make the tick
// late (docs/DESIGN.md, "Join storms"). A full server handshake costs ~0.56 ms of CPU with
// OpenSSL 3.0 (docs/PERFORMANCE.md, "DTLS handshakes"): 250 attendees joining within one second
// on one shard would otherwise take ~140 ms of the shard in bursts and delay every meeting's
// mix. Each tick period gets a budget of handshake CPU time; datagrams of transports still
// handshaking that arrive once it is spent wait in a bounded queue (in arrival order) and run
// right after the next tick's own work. Datagrams of connected transports never wait.
// Past the queue's bound the datagram is dropped (the caller counts it) and the peer's DTLS
// retransmission brings it back.
// Thread: the shard's thread only. Owners are opaque pointers the caller must Forget() before
// destroying them.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <vector>

#include "transport/route.h"

namespace sfu::transport {

struct HandshakePacing {
  int64_t budget_us_per_tick = 5000;  // of a 20 ms tick: a quarter of the shard at most
  size_t max_deferred = 1024;         // datagrams waiting (≤ 1.5 MB)
};

class HandshakePacer {
 public:
  using Limits = HandshakePacing;
  // now_us: a monotonic clock in microseconds (injectable for tests).
  using Clock = std::function<int64_t()>;
  explicit HandshakePacer(Limits limits = {}, Clock now_us = {});

  // Runs work now (timed against the budget) if budget is left and nothing waits ahead of it;
  // otherwise queues (owner, from, bytes) for a later tick. Returns false if the queue was full
  // and the datagram dropped.
  using Run = std::function<void(void* owner, const Route& from, std::span<const uint8_t> bytes)>;
  bool Submit(void* owner, const Route& from, std::span<const uint8_t> bytes, const Run& run);
  // A new tick period: refills the budget and runs queued work (each with the Run it was
  // submitted with) while it lasts.
  void OnTick();
  // Drops everything queued for owner (call before destroying it).
  void Forget(const void* owner);
  // Drops everything queued that arrived on link (call before the link goes away).
  void ForgetLink(const StreamLink* link);

  size_t deferred() const { return queue_.size(); }
  uint64_t total_deferred() const { return total_deferred_; }

 private:
  struct Item {
    void* owner;
    Route from;
    std::vector<uint8_t> bytes;
    Run run;
  };
  void Timed(void* owner, const Route& from, std::span<const uint8_t> bytes, const Run& run);

  Limits limits_;
  Clock now_us_;
  int64_t budget_us_;
  std::deque<Item> queue_;
  uint64_t total_deferred_ = 0;
};

}  // namespace sfu::transport

#pragma once
// Groups a send queue into UDP GSO messages (UDP_SEGMENT, Linux >= 4.18): datagrams to the same
// destination, in queue order, become one message whose segments all have the first one's size,
// except a smaller last one; at most kGsoMaxSegments and kGsoMaxBytes per message. An SFU
// forwards each arriving packet to every subscriber, so a receive batch queues several
// same-sized packets (a frame's) for each subscriber: one message per subscriber and run of
// equal sizes instead of one per packet. Order per destination is kept. Pure: no I/O.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sfu::transport {

struct GsoMessage {
  size_t first = 0;         // index into GsoPlan::order where its datagrams start
  size_t count = 0;         // datagrams (segments)
  size_t segment_size = 0;  // the first datagram's size
};

struct GsoPlan {
  std::vector<size_t> order;         // queue indices, each message's datagrams consecutive
  std::vector<GsoMessage> messages;  // in the order of their first datagram
};

inline constexpr size_t kGsoMaxSegments = 64;
inline constexpr size_t kGsoMaxBytes = 65000;

// n datagrams; size(i) their lengths; hash(i) a hash of i's destination and same(i, j) whether i
// and j go to the same destination. Reuses plan's storage.
template <class Size, class Hash, class Same>
void PlanGso(size_t n, Size size, Hash hash, Same same, GsoPlan* plan) {
  struct Open {
    size_t msg;    // its message while it can take more
    size_t total;  // bytes
    bool closed;   // a smaller datagram ended it
  };
  // Messages are built in two passes: assign each datagram a message, then lay them out.
  std::vector<size_t>& order = plan->order;
  std::vector<GsoMessage>& msgs = plan->messages;
  order.assign(n, 0);
  msgs.clear();
  thread_local std::vector<size_t> msg_of;
  thread_local std::vector<Open> open;
  msg_of.assign(n, 0);
  open.clear();
  // Open message per destination: a small hash table of indices into `open` (+1; 0: empty),
  // keyed by the destination's hash, resolving collisions by probing and same().
  constexpr size_t kSlots = 512;
  std::array<uint32_t, kSlots> table{};
  thread_local std::vector<size_t> rep;  // per open entry: a datagram of that destination
  rep.clear();
  for (size_t i = 0; i < n; ++i) {
    size_t slot = hash(i) % kSlots;
    size_t found = SIZE_MAX;
    for (size_t probe = 0; probe < kSlots; ++probe, slot = (slot + 1) % kSlots) {
      if (table[slot] == 0) break;
      const size_t o = table[slot] - 1;
      if (same(rep[o], i)) {
        found = o;
        break;
      }
    }
    const size_t len = size(i);
    if (found != SIZE_MAX) {
      Open& g = open[found];
      GsoMessage& m = msgs[g.msg];
      if (!g.closed && len <= m.segment_size && m.count < kGsoMaxSegments &&
          g.total + len <= kGsoMaxBytes) {
        msg_of[i] = g.msg;
        ++m.count;
        g.total += len;
        if (len < m.segment_size) g.closed = true;
        continue;
      }
      // Start a new message for this destination; it replaces the open one.
      msgs.push_back({0, 1, len});
      msg_of[i] = msgs.size() - 1;
      g = {msgs.size() - 1, len, false};
      continue;
    }
    if (slot >= kSlots || table[slot] != 0) {  // table full (> 512 destinations): no grouping
      msgs.push_back({0, 1, len});
      msg_of[i] = msgs.size() - 1;
      continue;
    }
    msgs.push_back({0, 1, len});
    msg_of[i] = msgs.size() - 1;
    open.push_back({msgs.size() - 1, len, false});
    rep.push_back(i);
    table[slot] = static_cast<uint32_t>(open.size());
  }
  // Lay out: message k's datagrams consecutive from msgs[k].first, in queue order.
  size_t at = 0;
  for (GsoMessage& m : msgs) {
    m.first = at;
    at += m.count;
    m.count = 0;
  }
  for (size_t i = 0; i < n; ++i) {
    GsoMessage& m = msgs[msg_of[i]];
    order[m.first + m.count++] = i;
  }
}

}  // namespace sfu::transport

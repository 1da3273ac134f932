#pragma once
// Cluster mode's node registry and mailboxes, in Redis (docs/DESIGN.md, "Cluster mode").
//
//   sfu:node:<id>     hash: the node's URLs and load, written by its heartbeat; expires after
//                     the node timeout, so a node that stops heartbeating disappears by itself
//   sfu:nodes         set of every node id ever registered and not yet swept
//   sfu:drain:<id>    present: the node was asked to drain (sfu-server --drain)
//   sfu:inbox:<id>    list of control messages for the node ("created <meeting>", ...): the API
//                     node tells the hosting node what changed; drained every 100 ms; expires
//                     kInboxTtlMs after the last message (only a gone node's lasts that long)
//   sfu:sweep:<id>    the lock a live node takes to end a dead node's meetings
//
// Thread: one owner (the control thread). Errors: StoreError / StoreUnavailable from the client.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "signaling/store/redis_client.h"

namespace sfu::store {

struct NodeInfo {
  std::string id;
  std::string http_base;   // the control API and meeting app
  std::string ws_base;     // signaling
  std::string media_host;  // AudioHostUrl: first shard's host:port
  std::string addresses;   // the announced ICE addresses, comma-separated
  int shards = 0;
  int64_t capacity = 0;     // attendees the node takes (--node-capacity)
  int64_t attendees = 0;    // connected now
  int64_t meetings = 0;     // hosted now (from the store, fresher than the heartbeat)
  double cpu = 0;           // shard CPU, fraction of the shards' cores, last second
  int64_t late_ticks = 0;   // mixer ticks late, last heartbeat period
  bool overloaded = false;  // every shard over its late-tick limit
  bool draining = false;
  std::string version;

  // Attendees expected: the connected ones, at least kSeatsPerMeeting per hosted meeting (a
  // meeting just created has nobody connected yet but will), and at least what its shard CPU
  // says (cpu x capacity: a node whose shards are busy with large or video-heavy meetings is
  // fuller than its head count).
  static constexpr int64_t kSeatsPerMeeting = 2;
  int64_t Load() const {
    const auto by_cpu = static_cast<int64_t>(cpu * static_cast<double>(capacity));
    return std::max({attendees, meetings * kSeatsPerMeeting, by_cpu});
  }
  bool TakesMeetings() const { return !draining && !overloaded && Load() < capacity; }
};

// Pure: the node a new meeting goes to: among nodes that take meetings, the lowest load per
// unit of capacity, then fewer meetings, then id. nullopt when none can.
std::optional<NodeInfo> PickNode(const std::vector<NodeInfo>& nodes);

// Where a replica meeting goes (--replica-placement; docs/DESIGN.md, "Replica meetings").
enum class ReplicaPlacement {
  kAuto,     // its primary's node while that node is under half its capacity, else another
  kSpread,   // another node than its primary's whenever one takes meetings
  kPrimary,  // always its primary's node (no cascade)
};

// Pure: the node for a replica of a primary hosted on primary_node. On the primary's node a
// replica costs no link; on another it costs one copy of the primary's streams per node and
// spreads the audience. Falls back to the primary's node when no other takes meetings;
// nullopt when nothing can (a dead primary node under kPrimary, or everyone full).
std::optional<NodeInfo> PickReplicaNode(ReplicaPlacement policy, const std::string& primary_node,
                                        const std::vector<NodeInfo>& nodes);

class NodeRegistry {
 public:
  // client: borrowed. timeout_ms: a node whose heartbeat is older is dead.
  NodeRegistry(RedisClient& client, std::string self_id, int64_t timeout_ms);

  const std::string& self_id() const { return self_id_; }
  int64_t timeout_ms() const { return timeout_ms_; }

  // Writes this node's entry (expiring after the timeout) and returns whether it was asked to
  // drain.
  bool Heartbeat(const NodeInfo& self);
  // Clears a drain request left from before a restart.
  void ClearDrain();
  // The live entry under this node's id, if another process wrote it (its http_base differs
  // from ours): two nodes configured with one --node-id. nullopt when free or our own restart.
  std::optional<NodeInfo> ConflictingEntry(const std::string& our_http_base);
  // The live nodes with their meeting counts read fresh from the store's per-node index.
  std::vector<NodeInfo> LiveNodes();
  // Registered nodes whose entry expired (dead), not this one.
  std::vector<std::string> DeadNodes();
  // Takes the right to end a dead node's meetings for lock_ms; false if another node has it.
  bool ClaimSweep(const std::string& dead_id, int64_t lock_ms);
  // The dead node's meetings are ended: forget it.
  void Forget(const std::string& dead_id);

  // Mailboxes: RPUSH to a node, LPOP (up to max) from ours.
  static constexpr int64_t kInboxTtlMs = 10 * 60 * 1000;
  void Send(const std::string& node_id, const std::string& message);
  std::vector<std::string> Receive(int max);

  // sfu-server --drain: asks the node to drain. True if the node is live.
  static bool RequestDrain(RedisClient& client, const std::string& node_id);

 private:
  RedisClient& client_;
  std::string self_id_;
  int64_t timeout_ms_;
};

}  // namespace sfu::store

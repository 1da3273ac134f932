#pragma once
// Cluster mode (--redis; docs/DESIGN.md, "Cluster mode"): this node's part in a group of
// sfu-server nodes sharing their state in Redis.
//
// - Placement: CreateMeeting on any node puts the meeting on the live node with the most
//   headroom (store::PickNode) and answers with that node's MediaPlacement.
// - Routing: the API node tells the hosting node what changed through its Redis inbox
//   (created, deleted, attendee created/deleted, capabilities); the host applies it to its
//   shards and signaling sessions as if its own API had done it.
// - Heartbeat every second (URLs, load, draining) under a key that expires after --node-timeout.
// - Dead nodes: a node whose key expired is swept by one live node (a lock in Redis): its
//   meetings end (MeetingEnded events) and it is forgotten. A node sweeps only after it has
//   itself reached Redis for a whole timeout, so after a Redis outage nobody mistakes the nodes
//   that have not heartbeated again yet for dead ones.
// - Drain (sfu-server --drain): no new meetings here; the node exits when its last one ends.
// Hot paths never come here: the control thread only, a few Redis round trips per second.
//
// Thread: the control thread.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/cascade_links.h"
#include "sfu/shard_set.h"
#include "signaling/control/control_api.h"
#include "signaling/signaling_hub.h"
#include "signaling/store/node_registry.h"
#include "signaling/store/redis_store.h"

namespace sfu::server {

struct ClusterNodeConfig {
  std::string http_base;
  std::string ws_base;
  std::string media_host;
  std::string addresses;  // announced ICE addresses, comma-separated
  int64_t capacity = 1000;
  int64_t timeout_ms = 10'000;
  std::string version;
  store::ReplicaPlacement replica_placement = store::ReplicaPlacement::kAuto;
  mixer::RoomMixerConfig mixer;  // for the cascade's link ends
};

class ClusterNode final : public api::ControlApiListener {
 public:
  // All borrowed. local: what this node does for a meeting it hosts (shards, sessions, events).
  ClusterNode(store::RedisStore& store, ClusterNodeConfig config, api::ControlApiListener& local,
              ShardSet& shards, signaling::SignalingHub& hub);

  // For ending a dead node's meetings; and the hook that emits their MeetingEnded events (called
  // while the meeting is still in the store).
  void set_api(api::ControlApi* api) { api_ = api; }
  void set_on_swept(std::function<void(const std::string&)> f) { on_swept_ = std::move(f); }

  // Registers this node (clearing a drain request left from before a restart). False with
  // *error when Redis does not answer.
  bool Start(std::string* error);
  // Every 100 ms: the inbox; every second: heartbeat, drain, sweep. False once drained (the
  // server then stops).
  bool Tick(int64_t now_steady_ms);
  // Redis answered the last heartbeat (the /ready check).
  bool store_reachable() const { return reachable_; }
  bool draining() const { return draining_; }
  const std::string& node_id() const { return registry_.self_id(); }

  // The WebSocket bases of this node and every live node, space-separated, for the meeting
  // app's Content-Security-Policy connect-src: a page served here joins meetings placed on any
  // node. Read from Redis at most every 5 s; the last list (or ours alone) when it is away.
  std::string ConnectSources(int64_t now_steady_ms);

  // sfu_cluster_* and sfu_redis_* metrics (README, "Metrics and health"); UpdateMetrics() before
  // each scrape.
  void BindMetrics(prometheus::Registry& registry);
  void UpdateMetrics();

  // api::ControlApiListener
  std::optional<api::ApiError> PlaceMeeting(store::MeetingRecord* meeting) override;
  void OnMeetingCreated(const store::MeetingRecord& meeting) override;
  void OnMeetingDeleted(const std::string& meeting_id, std::string_view reason) override;
  void OnAttendeeCreated(const store::AttendeeRecord& attendee) override;
  void OnAttendeeDeleted(const std::string& meeting_id, const std::string& attendee_id) override;
  void OnAttendeeCapabilitiesChanged(const store::AttendeeRecord& attendee) override;

  // A meeting this node hosts (at start, or created): a replica of a primary on another node
  // gets its primary's media over a cascade link (server/cascade_links.h).
  void NoteHostedMeeting(const store::MeetingRecord& meeting, int64_t now_steady_ms);
  const CascadeLinks& links() const { return links_; }

 private:
  store::NodeInfo SelfInfo(int64_t now_steady_ms);
  void Heartbeat(int64_t now_steady_ms);
  void Sweep(int64_t now_steady_ms);
  // Every 10 s: a meeting this node still runs whose record is gone from Redis (its "deleted"
  // message was lost, e.g. with a Redis restart that kept the record's deletion but not the
  // inbox) is ended here too, so no session outlives its meeting.
  void Reconcile(int64_t now_steady_ms);
  void DrainInbox();
  void Handle(const std::string& message);
  // The node hosting a meeting still in the store ("" if gone).
  std::string HostOf(const std::string& meeting_id);
  // Sends to the host, or applies locally when we are it.
  void Route(const std::string& host, const std::string& message);
  void Broadcast(const std::string& message);

  store::RedisStore& store_;
  ClusterNodeConfig config_;
  api::ControlApiListener& local_;
  ShardSet& shards_;
  signaling::SignalingHub& hub_;
  store::NodeRegistry registry_;
  CascadeLinks links_;
  api::ControlApi* api_ = nullptr;
  std::function<void(const std::string&)> on_swept_;

  bool reachable_ = false;
  int64_t reachable_since_ms_ = 0;  // steady; the start of the current run of good heartbeats
  int64_t next_heartbeat_ms_ = 0;
  int64_t next_reconcile_ms_ = 0;
  std::string connect_sources_;
  int64_t connect_sources_until_ms_ = 0;
  uint64_t reconciled_meetings_ = 0;
  bool draining_ = false;
  uint64_t last_cpu_us_ = 0;
  uint64_t last_late_ticks_ = 0;
  int64_t last_stats_ms_ = 0;
  double cpu_ = 0;
  int64_t late_ticks_ = 0;
  int64_t last_tick_ms_ = 0;

  uint64_t swept_meetings_ = 0;
  uint64_t inbox_messages_ = 0;
  struct Metrics {
    prometheus::Gauge* reachable = nullptr;
    prometheus::Gauge* draining = nullptr;
    prometheus::Counter* commands = nullptr;
    prometheus::Counter* round_trips = nullptr;
    prometheus::Counter* failures = nullptr;
    prometheus::Counter* swept = nullptr;
    prometheus::Counter* inbox = nullptr;
    prometheus::Counter* reconciled = nullptr;
    // what the counters last showed, to add the difference
    uint64_t commands_seen = 0, round_trips_seen = 0, failures_seen = 0, swept_seen = 0,
             inbox_seen = 0, reconciled_seen = 0;
  } metrics_;
};

}  // namespace sfu::server

#include "server/cluster_node.h"

#include <sstream>

#include "base/log.h"

namespace sfu::server {
namespace {

constexpr int64_t kHeartbeatMs = 1000;
constexpr int kInboxBatch = 200;

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

ClusterNode::ClusterNode(store::RedisStore& store, ClusterNodeConfig config,
                         api::ControlApiListener& local, ShardSet& shards,
                         signaling::SignalingHub& hub)
    : store_(store),
      config_(std::move(config)),
      local_(local),
      shards_(shards),
      hub_(hub),
      registry_(store.client(), store.node_id(), config_.timeout_ms),
      links_(CascadeLinksConfig{store.node_id(),
                                config_.addresses.substr(0, config_.addresses.find(',')),
                                config_.mixer},
             shards, hub, [this](const std::string& node, const std::string& message) {
               try {
                 registry_.Send(node, message);
               } catch (const store::StoreError& e) {
                 SFU_LOG(kWarn, "cascade message not sent").Kv("node", node).Kv("error", e.what());
               }
             }) {}

bool ClusterNode::Start(std::string* error) {
  try {
    if (std::optional<store::NodeInfo> other = registry_.ConflictingEntry(config_.http_base)) {
      *error = "another live node uses --node-id " + registry_.self_id() + " (its URL " +
               other->http_base + ", ours " + config_.http_base +
               "): give each node its own id, or wait --node-timeout after stopping the other";
      return false;
    }
    registry_.ClearDrain();
    registry_.Heartbeat(SelfInfo(0));
  } catch (const store::StoreError& e) {
    *error = e.what();
    return false;
  }
  reachable_ = true;
  reachable_since_ms_ = 0;  // set on the first tick
  return true;
}

store::NodeInfo ClusterNode::SelfInfo(int64_t now_ms) {
  store::NodeInfo n;
  n.id = registry_.self_id();
  n.http_base = config_.http_base;
  n.ws_base = config_.ws_base;
  n.media_host = config_.media_host;
  n.addresses = config_.addresses;
  n.shards = static_cast<int>(shards_.size());
  n.capacity = config_.capacity;
  n.attendees = static_cast<int64_t>(hub_.session_count());
  n.overloaded = shards_.AllOverloaded();
  n.draining = draining_;
  n.version = config_.version;
  // Shard CPU and late ticks since the last heartbeat.
  uint64_t cpu_us = 0, late = 0;
  for (const ShardStats* s : shards_.Stats()) {
    cpu_us += s->thread_cpu_us.load(std::memory_order_relaxed);
    late += s->late_ticks.load(std::memory_order_relaxed);
  }
  if (last_stats_ms_ > 0 && now_ms > last_stats_ms_) {
    cpu_ = static_cast<double>(cpu_us - last_cpu_us_) /
           (static_cast<double>(now_ms - last_stats_ms_) * 1000.0 * static_cast<double>(n.shards));
    late_ticks_ = static_cast<int64_t>(late - last_late_ticks_);
  }
  if (now_ms > 0) {
    last_cpu_us_ = cpu_us;
    last_late_ticks_ = late;
    last_stats_ms_ = now_ms;
  }
  n.cpu = cpu_;
  n.late_ticks = late_ticks_;
  return n;
}

bool ClusterNode::Tick(int64_t now_ms) {
  if (reachable_ && reachable_since_ms_ == 0) reachable_since_ms_ = now_ms;
  last_tick_ms_ = now_ms;
  try {
    DrainInbox();
  } catch (const store::StoreError&) {
    // said by the heartbeat
  }
  links_.Tick(now_ms);
  if (now_ms >= next_heartbeat_ms_) {
    next_heartbeat_ms_ = now_ms + kHeartbeatMs;
    Heartbeat(now_ms);
    if (reachable_) Sweep(now_ms);
    if (reachable_) Reconcile(now_ms);
    if (draining_ && reachable_) {
      try {
        if (store_.CountMeetings() == 0) {
          SFU_LOG(kInfo, "drained: no meeting left on this node, stopping")
              .Kv("node", registry_.self_id());
          return false;
        }
      } catch (const store::StoreError&) {
      }
    }
  }
  return true;
}

void ClusterNode::Heartbeat(int64_t now_ms) {
  try {
    const bool drain = registry_.Heartbeat(SelfInfo(now_ms));
    if (!reachable_) {
      SFU_LOG(kInfo, "Redis reachable again: the API answers again").Kv("redis", store_.Describe());
      reachable_ = true;
      reachable_since_ms_ = now_ms;
    }
    if (drain && !draining_) {
      draining_ = true;
      SFU_LOG(kInfo, "draining: no new meetings here; stopping when the last one ends")
          .Kv("node", registry_.self_id())
          .Kv("meetings", store_.CountMeetings());
      registry_.Heartbeat(SelfInfo(now_ms));  // say so at once
    }
  } catch (const store::StoreError& e) {
    if (reachable_) {
      SFU_LOG(kError, "Redis unavailable: the API answers 503, live media continues")
          .Kv("redis", store_.Describe())
          .Kv("error", e.what());
    }
    reachable_ = false;
  }
}

void ClusterNode::Sweep(int64_t now_ms) {
  // Only a node that has reached Redis for a whole timeout judges others dead.
  if (now_ms - reachable_since_ms_ < config_.timeout_ms) return;
  try {
    for (const std::string& dead : registry_.DeadNodes()) {
      if (!registry_.ClaimSweep(dead, 60'000)) continue;
      const std::vector<std::string> meetings = store_.ListMeetingIdsOf(dead);
      SFU_LOG(kWarn, "node lost: no heartbeat for the node timeout; ending its meetings")
          .Kv("node", dead)
          .Kv("meetings", static_cast<uint64_t>(meetings.size()))
          .Kv("timeout_ms", config_.timeout_ms);
      for (const std::string& id : meetings) {
        if (on_swept_) on_swept_(id);
        if (api_ && api_->EndMeeting(id, "node_lost")) ++swept_meetings_;
      }
      registry_.Forget(dead);
    }
  } catch (const store::StoreError& e) {
    SFU_LOG(kWarn, "sweep of dead nodes failed").Kv("error", e.what());
  }
}

std::string ClusterNode::ConnectSources(int64_t now_ms) {
  if (now_ms < connect_sources_until_ms_ && !connect_sources_.empty()) return connect_sources_;
  std::string out = config_.ws_base;
  try {
    for (const store::NodeInfo& n : registry_.LiveNodes())
      if (!n.ws_base.empty() && n.ws_base != config_.ws_base) out += " " + n.ws_base;
    connect_sources_ = out;
    connect_sources_until_ms_ = now_ms + 5000;
  } catch (const store::StoreError&) {
    if (!connect_sources_.empty()) return connect_sources_;
  }
  return out;
}

void ClusterNode::Reconcile(int64_t now_ms) {
  if (now_ms < next_reconcile_ms_) return;
  next_reconcile_ms_ = now_ms + 10'000;
  try {
    const std::vector<std::string> ids = shards_.MeetingIds();
    const std::vector<bool> exist = store_.MeetingsExist(ids);
    for (size_t i = 0; i < ids.size() && i < exist.size(); ++i) {
      if (exist[i]) continue;
      if (links_.IsMirror(ids[i])) {  // a primary elsewhere: its replicas here end with it
        if (api_) api_->EndReplicasOf(ids[i]);
        continue;
      }
      SFU_LOG(kWarn, "meeting gone from Redis without a message here: ending it")
          .Kv("meeting", ids[i]);
      local_.OnMeetingDeleted(ids[i], "gone");
      ++reconciled_meetings_;
    }
  } catch (const store::StoreError& e) {
    SFU_LOG(kWarn, "reconcile with Redis failed").Kv("error", e.what());
  }
}

void ClusterNode::NoteHostedMeeting(const store::MeetingRecord& m, int64_t now_ms) {
  if (!m.primary_meeting_id || m.node_id != registry_.self_id()) return;
  try {
    std::optional<store::MeetingRecord> primary = store_.GetMeeting(*m.primary_meeting_id);
    if (primary) links_.NoteReplica(m.meeting_id, primary->meeting_id, primary->node_id, now_ms);
  } catch (const store::StoreError& e) {
    SFU_LOG(kWarn, "replica's primary not read").Kv("meeting", m.meeting_id).Kv("error", e.what());
  }
}

std::optional<api::ApiError> ClusterNode::PlaceMeeting(store::MeetingRecord* m) {
  std::optional<store::MeetingRecord> primary;
  if (m->primary_meeting_id) {
    primary = store_.GetMeeting(*m->primary_meeting_id);
    if (!primary) {
      return api::BadRequest("The primary meeting " + *m->primary_meeting_id + " was not found");
    }
  }
  std::vector<store::NodeInfo> nodes = registry_.LiveNodes();
  // Our own entry is as fresh as it gets; the others are at most a heartbeat old (their
  // meeting counts are read from the store, so they are current).
  store::NodeInfo self = SelfInfo(0);
  bool found = false;
  for (store::NodeInfo& n : nodes) {
    if (n.id != self.id) continue;
    self.meetings = n.meetings;
    n = self;
    found = true;
  }
  if (!found) {
    self.meetings = store_.CountMeetings();
    nodes.push_back(self);
  }
  const size_t live = nodes.size();
  std::optional<store::NodeInfo> pick =
      primary ? store::PickReplicaNode(config_.replica_placement, primary->node_id, nodes)
              : store::PickNode(nodes);
  if (!pick) {
    return api::ServiceUnavailable("No media node can take a new meeting (" + std::to_string(live) +
                                   " live, each at capacity, overloaded or draining); retry later");
  }
  m->node_id = pick->id;
  m->node_http_base = pick->http_base;
  m->node_ws_base = pick->ws_base;
  m->node_media_host = pick->media_host;
  return std::nullopt;
}

void ClusterNode::Route(const std::string& host, const std::string& message) {
  if (host.empty()) return;
  if (host == registry_.self_id()) {
    Handle(message);
    return;
  }
  registry_.Send(host, message);
}

void ClusterNode::Broadcast(const std::string& message) {
  Handle(message);
  for (const store::NodeInfo& n : registry_.LiveNodes())
    if (n.id != registry_.self_id()) registry_.Send(n.id, message);
}

std::string ClusterNode::HostOf(const std::string& meeting_id) {
  std::optional<store::MeetingRecord> m = store_.GetMeeting(meeting_id);
  return m ? m->node_id : std::string();
}

void ClusterNode::OnMeetingCreated(const store::MeetingRecord& m) {
  Route(m.node_id, "created " + m.meeting_id);
}

void ClusterNode::OnMeetingDeleted(const std::string& meeting_id, std::string_view) {
  // The record is gone: whoever hosts it (if anyone still does) hears it.
  Broadcast("deleted " + meeting_id);
}

void ClusterNode::OnAttendeeCreated(const store::AttendeeRecord& a) {
  Route(HostOf(a.meeting_id), "attendee-created " + a.meeting_id + " " + a.attendee_id);
}

void ClusterNode::OnAttendeeDeleted(const std::string& meeting_id, const std::string& attendee_id) {
  Route(HostOf(meeting_id), "attendee-deleted " + meeting_id + " " + attendee_id);
}

void ClusterNode::OnAttendeeCapabilitiesChanged(const store::AttendeeRecord& a) {
  Route(HostOf(a.meeting_id), "capabilities " + a.meeting_id + " " + a.attendee_id);
}

void ClusterNode::DrainInbox() {
  for (int rounds = 0; rounds < 10; ++rounds) {
    const std::vector<std::string> batch = registry_.Receive(kInboxBatch);
    inbox_messages_ += batch.size();
    for (const std::string& m : batch) Handle(m);
    if (batch.size() < static_cast<size_t>(kInboxBatch)) return;
  }
}

void ClusterNode::Handle(const std::string& message) {
  const std::vector<std::string> w = Words(message);
  if (w.size() < 2) return;
  if (links_.Handle(w[0], std::string_view(message).substr(message.find(w[0]) + w[0].size() + 1),
                    last_tick_ms_))
    return;
  const std::string& what = w[0];
  const std::string& meeting_id = w[1];
  try {
    if (what == "created") {
      if (std::optional<store::MeetingRecord> m = store_.GetMeeting(meeting_id)) {
        if (api_) api_->NoteMeeting(*m);  // a replica hosted here: ends with its primary
        local_.OnMeetingCreated(*m);
        NoteHostedMeeting(*m, last_tick_ms_);
      }
    } else if (what == "deleted") {
      if (!links_.IsMirror(meeting_id) &&
          (shards_.ShardOf(meeting_id) || hub_.HasConnected(meeting_id)))
        local_.OnMeetingDeleted(meeting_id, "deleted");
      // A primary deleted through another node's API: its replicas live here (phase 1).
      if (api_) api_->EndReplicasOf(meeting_id);
    } else if (w.size() == 3 && what == "attendee-created") {
      if (std::optional<store::AttendeeRecord> a = store_.GetAttendee(meeting_id, w[2]))
        local_.OnAttendeeCreated(*a);
    } else if (w.size() == 3 && what == "attendee-deleted") {
      local_.OnAttendeeDeleted(meeting_id, w[2]);
    } else if (w.size() == 3 && what == "capabilities") {
      if (std::optional<store::AttendeeRecord> a = store_.GetAttendee(meeting_id, w[2]))
        local_.OnAttendeeCapabilitiesChanged(*a);
    }
  } catch (const store::StoreError& e) {
    SFU_LOG(kWarn, "cluster message not applied").Kv("message", message).Kv("error", e.what());
  }
}

void ClusterNode::BindMetrics(prometheus::Registry& registry) {
  metrics_.reachable =
      &prometheus::BuildGauge()
           .Name("sfu_cluster_redis_reachable")
           .Help("1 while Redis answered this node's last heartbeat (cluster mode).")
           .Register(registry)
           .Add({});
  metrics_.draining = &prometheus::BuildGauge()
                           .Name("sfu_cluster_draining")
                           .Help("1 once this node was asked to drain (sfu-server --drain).")
                           .Register(registry)
                           .Add({});
  metrics_.commands = &prometheus::BuildCounter()
                           .Name("sfu_redis_commands_total")
                           .Help("Redis commands this node sent (control plane only).")
                           .Register(registry)
                           .Add({});
  metrics_.round_trips = &prometheus::BuildCounter()
                              .Name("sfu_redis_round_trips_total")
                              .Help("Redis round trips (a pipeline or MULTI/EXEC counts one).")
                              .Register(registry)
                              .Add({});
  metrics_.failures = &prometheus::BuildCounter()
                           .Name("sfu_redis_failures_total")
                           .Help("Redis calls that found it unreachable or lost the connection.")
                           .Register(registry)
                           .Add({});
  metrics_.swept = &prometheus::BuildCounter()
                        .Name("sfu_cluster_meetings_swept_total")
                        .Help("Meetings of dead nodes this node ended.")
                        .Register(registry)
                        .Add({});
  metrics_.reconciled = &prometheus::BuildCounter()
                             .Name("sfu_cluster_meetings_reconciled_total")
                             .Help(
                                 "Meetings ended here because their record had left Redis "
                                 "without a message reaching this node.")
                             .Register(registry)
                             .Add({});
  metrics_.inbox = &prometheus::BuildCounter()
                        .Name("sfu_cluster_inbox_messages_total")
                        .Help("Control messages other nodes sent this node through Redis.")
                        .Register(registry)
                        .Add({});
}

void ClusterNode::UpdateMetrics() {
  if (!metrics_.reachable) return;
  metrics_.reachable->Set(reachable_ ? 1 : 0);
  metrics_.draining->Set(draining_ ? 1 : 0);
  auto add = [](prometheus::Counter* c, uint64_t now, uint64_t* seen) {
    if (now > *seen) c->Increment(static_cast<double>(now - *seen));
    *seen = now;
  };
  const store::RedisClient& client = store_.client();
  add(metrics_.commands, client.commands(), &metrics_.commands_seen);
  add(metrics_.round_trips, client.round_trips(), &metrics_.round_trips_seen);
  add(metrics_.failures, client.failures(), &metrics_.failures_seen);
  add(metrics_.swept, swept_meetings_, &metrics_.swept_seen);
  add(metrics_.inbox, inbox_messages_, &metrics_.inbox_seen);
  add(metrics_.reconciled, reconciled_meetings_, &metrics_.reconciled_seen);
}

}  // namespace sfu::server

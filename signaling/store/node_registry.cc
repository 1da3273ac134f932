#include "signaling/store/node_registry.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "signaling/store/redis_keys.h"

namespace sfu::store {
namespace {

double ToDouble(const std::string& s) {
  try {
    return std::stod(s);
  } catch (...) {
    return 0;
  }
}

}  // namespace

std::optional<NodeInfo> PickReplicaNode(ReplicaPlacement policy, const std::string& primary_node,
                                        const std::vector<NodeInfo>& nodes) {
  std::optional<NodeInfo> home;
  std::vector<NodeInfo> others;
  for (const NodeInfo& n : nodes) {
    if (n.id == primary_node)
      home = n;
    else
      others.push_back(n);
  }
  const bool home_takes = home && home->TakesMeetings();
  switch (policy) {
    case ReplicaPlacement::kPrimary:
      return home;
    case ReplicaPlacement::kAuto:
      if (home_takes && home->Load() * 2 < home->capacity) return home;
      break;
    case ReplicaPlacement::kSpread:
      break;
  }
  if (std::optional<NodeInfo> pick = PickNode(others)) return pick;
  if (home_takes) return home;
  return std::nullopt;
}

std::optional<NodeInfo> PickNode(const std::vector<NodeInfo>& nodes) {
  const NodeInfo* best = nullptr;
  auto key = [](const NodeInfo& n) {
    return std::make_tuple(static_cast<double>(n.Load()) / static_cast<double>(n.capacity),
                           n.meetings, n.id);
  };
  for (const NodeInfo& n : nodes) {
    if (!n.TakesMeetings() || n.capacity <= 0) continue;
    if (!best || key(n) < key(*best)) best = &n;
  }
  if (!best) return std::nullopt;
  return *best;
}

NodeRegistry::NodeRegistry(RedisClient& client, std::string self_id, int64_t timeout_ms)
    : client_(client), self_id_(std::move(self_id)), timeout_ms_(timeout_ms) {}

bool NodeRegistry::Heartbeat(const NodeInfo& n) {
  char cpu[32];
  std::snprintf(cpu, sizeof cpu, "%.4f", n.cpu);
  std::vector<RedisReply> r =
      client_.Pipeline({{"HSET",       keys::Node(self_id_),
                         "id",         self_id_,
                         "http_base",  n.http_base,
                         "ws_base",    n.ws_base,
                         "media_host", n.media_host,
                         "addresses",  n.addresses,
                         "shards",     std::to_string(n.shards),
                         "capacity",   std::to_string(n.capacity),
                         "attendees",  std::to_string(n.attendees),
                         "cpu",        cpu,
                         "late_ticks", std::to_string(n.late_ticks),
                         "overloaded", n.overloaded ? "1" : "0",
                         "draining",   n.draining ? "1" : "0",
                         "version",    n.version},
                        {"PEXPIRE", keys::Node(self_id_), std::to_string(timeout_ms_)},
                        {"SADD", keys::kNodes, self_id_},
                        {"EXISTS", keys::Drain(self_id_)}});
  for (const RedisReply& x : r)
    if (x.type == RedisReply::Type::kError) throw StoreError("Redis heartbeat: " + x.str);
  return r[3].AsInt() == 1;
}

std::optional<NodeInfo> NodeRegistry::ConflictingEntry(const std::string& our_http_base) {
  for (NodeInfo& n : LiveNodes()) {
    if (n.id == self_id_ && n.http_base != our_http_base) return std::move(n);
  }
  return std::nullopt;
}

void NodeRegistry::ClearDrain() { client_.Command({"DEL", keys::Drain(self_id_)}); }

std::vector<NodeInfo> NodeRegistry::LiveNodes() {
  RedisReply ids = client_.Command({"SMEMBERS", keys::kNodes});
  std::vector<std::vector<std::string>> c;
  for (const RedisReply& id : ids.elements) {
    c.push_back({"HGETALL", keys::Node(id.str)});
    c.push_back({"ZCARD", keys::NodeMeetings(id.str)});
  }
  std::vector<NodeInfo> out;
  if (c.empty()) return out;
  std::vector<RedisReply> r = client_.Pipeline(c);
  for (size_t i = 0; i + 1 < r.size(); i += 2) {
    const RedisReply& h = r[i];
    if (h.type != RedisReply::Type::kArray || h.elements.empty()) continue;  // expired: dead
    NodeInfo n;
    for (size_t j = 0; j + 1 < h.elements.size(); j += 2) {
      const std::string& k = h.elements[j].str;
      const std::string& v = h.elements[j + 1].str;
      if (k == "id")
        n.id = v;
      else if (k == "http_base")
        n.http_base = v;
      else if (k == "ws_base")
        n.ws_base = v;
      else if (k == "media_host")
        n.media_host = v;
      else if (k == "addresses")
        n.addresses = v;
      else if (k == "shards")
        n.shards = static_cast<int>(ToDouble(v));
      else if (k == "capacity")
        n.capacity = static_cast<int64_t>(ToDouble(v));
      else if (k == "attendees")
        n.attendees = static_cast<int64_t>(ToDouble(v));
      else if (k == "cpu")
        n.cpu = ToDouble(v);
      else if (k == "late_ticks")
        n.late_ticks = static_cast<int64_t>(ToDouble(v));
      else if (k == "overloaded")
        n.overloaded = v == "1";
      else if (k == "draining")
        n.draining = v == "1";
      else if (k == "version")
        n.version = v;
    }
    n.meetings = r[i + 1].AsInt();
    if (!n.id.empty()) out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(),
            [](const NodeInfo& a, const NodeInfo& b) { return a.id < b.id; });
  return out;
}

std::vector<std::string> NodeRegistry::DeadNodes() {
  RedisReply ids = client_.Command({"SMEMBERS", keys::kNodes});
  std::vector<std::vector<std::string>> c;
  std::vector<std::string> others;
  for (const RedisReply& id : ids.elements) {
    if (id.str == self_id_) continue;
    others.push_back(id.str);
    c.push_back({"EXISTS", keys::Node(id.str)});
  }
  std::vector<std::string> dead;
  if (c.empty()) return dead;
  std::vector<RedisReply> r = client_.Pipeline(c);
  for (size_t i = 0; i < others.size(); ++i)
    if (r[i].type == RedisReply::Type::kInteger && r[i].integer == 0) dead.push_back(others[i]);
  return dead;
}

bool NodeRegistry::ClaimSweep(const std::string& dead_id, int64_t lock_ms) {
  return !client_
              .Command({"SET", keys::Sweep(dead_id), self_id_, "NX", "PX", std::to_string(lock_ms)})
              .nil();
}

void NodeRegistry::Forget(const std::string& dead_id) {
  client_.Transaction(
      {{"SREM", keys::kNodes, dead_id}, {"DEL", keys::Inbox(dead_id), keys::Drain(dead_id)}});
}

void NodeRegistry::Send(const std::string& node_id, const std::string& message) {
  // A live node empties its inbox every 100 ms, so the expiry only ever removes the inbox of a
  // node that is gone (what was sent to it after it was swept would otherwise stay forever).
  const std::vector<RedisReply> r =
      client_.Pipeline({{"RPUSH", keys::Inbox(node_id), message},
                        {"PEXPIRE", keys::Inbox(node_id), std::to_string(kInboxTtlMs)}});
  for (const RedisReply& x : r)
    if (x.type == RedisReply::Type::kError) throw StoreError("Redis: " + x.str);
}

std::vector<std::string> NodeRegistry::Receive(int max) {
  RedisReply r = client_.Command({"LPOP", keys::Inbox(self_id_), std::to_string(max)});
  std::vector<std::string> out;
  for (const RedisReply& e : r.elements) out.push_back(e.str);
  return out;
}

bool NodeRegistry::RequestDrain(RedisClient& client, const std::string& node_id) {
  client.Command({"SET", keys::Drain(node_id), "1"});
  return client.Command({"EXISTS", keys::Node(node_id)}).AsInt() == 1;
}

}  // namespace sfu::store

// RedisStore's meeting-event queue (docs/EVENTS.md): one per node, so the node that emitted an
// event delivers it. An event is a hash with a reference count of the deliveries still owing
// it; each destination's deliveries are a sorted set of seqs.
#include <algorithm>
#include <set>

#include "signaling/store/redis_codec.h"
#include "signaling/store/redis_keys.h"
#include "signaling/store/redis_store.h"

namespace sfu::store {
namespace {

// KEYS: deliveries; ARGV: event key prefix ("sfu:event:<node>:"), seq. 1 if it was pending.
constexpr char kAckEvent[] = R"lua(
if redis.call('ZREM', KEYS[1], ARGV[2]) == 0 then return 0 end
local ek = ARGV[1] .. ARGV[2]
if redis.call('HINCRBY', ek, 'refs', -1) <= 0 then redis.call('DEL', ek) end
return 1
)lua";

// KEYS: deliveries; ARGV: event key prefix, n (-1: all). Returns the highest seq removed.
constexpr char kDropOldest[] = R"lua(
local n = tonumber(ARGV[2])
local seqs = redis.call('ZRANGE', KEYS[1], 0, n > 0 and n - 1 or -1)
if #seqs == 0 then return 0 end
local highest = 0
for _, s in ipairs(seqs) do
  redis.call('ZREM', KEYS[1], s)
  local ek = ARGV[1] .. s
  if redis.call('HINCRBY', ek, 'refs', -1) <= 0 then redis.call('DEL', ek) end
  if tonumber(s) > highest then highest = tonumber(s) end
end
return highest
)lua";

}  // namespace

int64_t RedisStore::EnqueueEvent(const std::string& event_id, const std::string& meeting_id,
                                 const std::string& body, int64_t /*now_ms*/,
                                 const std::vector<std::string>& destinations) {
  const int64_t seq = client_->Command({"INCR", keys::EventSeq(node_id_)}).AsInt();
  if (destinations.empty()) return seq;
  Commands c;
  c.push_back({"HSET", keys::Event(node_id_, seq), "event_id", event_id, "meeting_id", meeting_id,
               "body", body, "refs", std::to_string(destinations.size())});
  for (const std::string& d : destinations) {
    c.push_back({"ZADD", keys::Deliveries(node_id_, d), std::to_string(seq), std::to_string(seq)});
    c.push_back({"SADD", keys::Destinations(node_id_), d});
    if (transaction_depth_ > 0) txn_enqueued_[d].push_back(seq);
  }
  Write(std::move(c));
  return seq;
}

std::vector<QueuedEvent> RedisStore::PendingEvents(const std::string& destination,
                                                   int64_t after_seq, int limit) {
  std::vector<QueuedEvent> out;
  if (limit <= 0) return out;
  const std::vector<std::string> seqs =
      client_
          ->Command({"ZRANGEBYSCORE", keys::Deliveries(node_id_, destination),
                     "(" + std::to_string(after_seq), "+inf", "LIMIT", "0", std::to_string(limit)})
          .Strings();
  if (seqs.empty()) return out;
  std::vector<std::vector<std::string>> c;
  for (const std::string& s : seqs)
    c.push_back({"HMGET", keys::Event(node_id_, ParseInt64(s)), "event_id", "meeting_id", "body"});
  std::vector<RedisReply> r = client_->Pipeline(c);
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (r[i].type != RedisReply::Type::kArray || r[i].elements.size() != 3 ||
        r[i].elements[2].nil())
      continue;  // acknowledged or dropped meanwhile
    QueuedEvent e;
    e.seq = ParseInt64(seqs[i]);
    e.event_id = r[i].elements[0].str;
    e.meeting_id = r[i].elements[1].str;
    e.body = r[i].elements[2].str;
    out.push_back(std::move(e));
  }
  return out;
}

bool RedisStore::AckEvent(const std::string& destination, int64_t seq) {
  const std::string deliveries = keys::Deliveries(node_id_, destination);
  const std::vector<std::string> args = {keys::EventPrefix(node_id_), std::to_string(seq)};
  if (transaction_depth_ == 0) return client_->Eval(kAckEvent, {deliveries}, args).AsInt() == 1;
  // In a transaction: queued; the answer from what is stored and what the transaction did.
  std::set<int64_t>& removed = txn_removed_[destination];
  if (removed.count(seq)) return false;
  const std::vector<int64_t>& added = txn_enqueued_[destination];
  if (std::find(added.begin(), added.end(), seq) == added.end() &&
      client_->Command({"ZSCORE", deliveries, std::to_string(seq)}).nil())
    return false;
  removed.insert(seq);
  pending_.push_back(RedisClient::EvalCommand(kAckEvent, {deliveries}, args));
  return true;
}

int64_t RedisStore::DropOldestEvents(const std::string& destination, int64_t n) {
  if (n <= 0) return 0;
  const std::string deliveries = keys::Deliveries(node_id_, destination);
  const std::vector<std::string> args = {keys::EventPrefix(node_id_), std::to_string(n)};
  if (transaction_depth_ == 0) return client_->Eval(kDropOldest, {deliveries}, args).AsInt();
  // In a transaction: queued. The n oldest when it is sent: the stored deliveries the
  // transaction has not removed, then those it enqueued (their seqs are newer).
  std::set<int64_t>& removed = txn_removed_[destination];
  std::vector<int64_t> oldest;
  const std::vector<std::string> stored =
      client_
          ->Command({"ZRANGE", deliveries, "0",
                     std::to_string(n + static_cast<int64_t>(removed.size()) - 1)})
          .Strings();
  for (const std::string& s : stored) {
    if (!removed.count(ParseInt64(s))) oldest.push_back(ParseInt64(s));
  }
  for (int64_t s : txn_enqueued_[destination])
    if (!removed.count(s)) oldest.push_back(s);
  if (static_cast<int64_t>(oldest.size()) > n) oldest.resize(static_cast<size_t>(n));
  if (oldest.empty()) return 0;
  removed.insert(oldest.begin(), oldest.end());
  pending_.push_back(RedisClient::EvalCommand(kDropOldest, {deliveries}, args));
  return oldest.back();
}

int64_t RedisStore::CountPendingEvents(const std::string& destination) {
  return client_->Command({"ZCARD", keys::Deliveries(node_id_, destination)}).AsInt();
}

int64_t RedisStore::ForgetEventDestinationsExcept(const std::vector<std::string>& keep) {
  const std::set<std::string> kept(keep.begin(), keep.end());
  std::vector<std::string> stale;
  for (const std::string& d :
       client_->Command({"SMEMBERS", keys::Destinations(node_id_)}).Strings())
    if (!kept.count(d)) stale.push_back(d);
  // Destinations that only this transaction has enqueued to are not in the set yet.
  for (const auto& [d, seqs] : txn_enqueued_)
    if (!seqs.empty() && !kept.count(d) && std::find(stale.begin(), stale.end(), d) == stale.end())
      stale.push_back(d);
  if (stale.empty()) return 0;
  std::vector<std::vector<std::string>> reads;
  for (const std::string& d : stale)
    reads.push_back({"ZRANGE", keys::Deliveries(node_id_, d), "0", "-1"});
  const std::vector<RedisReply> pending = client_->Pipeline(reads);
  int64_t removed = 0;
  Commands c;
  for (size_t i = 0; i < stale.size(); ++i) {
    const std::string& d = stale[i];
    if (transaction_depth_ > 0) {
      // Counted as SQLite would: what is stored and what the transaction enqueued, less what it
      // already removed.
      std::set<int64_t>& gone = txn_removed_[d];
      for (const RedisReply& s : pending[i].elements)
        if (gone.insert(ParseInt64(s.str)).second) ++removed;
      for (int64_t s : txn_enqueued_[d])
        if (gone.insert(s).second) ++removed;
    } else {
      removed += static_cast<int64_t>(pending[i].elements.size());
    }
    c.push_back(RedisClient::EvalCommand(kDropOldest, {keys::Deliveries(node_id_, d)},
                                         {keys::EventPrefix(node_id_), "-1"}));
    c.push_back({"SREM", keys::Destinations(node_id_), d});
  }
  Write(std::move(c));
  return removed;
}

}  // namespace sfu::store

#include "signaling/store/redis_store.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

#include "base/random.h"
#include "signaling/store/redis_codec.h"
#include "signaling/store/redis_keys.h"

namespace sfu::store {
namespace {

AttendeeRecord DecodeAttendeeOrThrow(const std::string& s) {
  std::optional<AttendeeRecord> a = DecodeAttendeeRecord(s);
  if (!a) throw StoreError("corrupt attendee record in Redis");
  return std::move(*a);
}

// A meeting as a hash, one field per column; optional fields are absent when unset.
std::vector<std::string> MeetingHset(const MeetingRecord& m) {
  std::vector<std::string> c = {"HSET",
                                keys::Meeting(m.meeting_id),
                                "meeting_id",
                                m.meeting_id,
                                "client_request_token",
                                m.client_request_token,
                                "fingerprint",
                                m.fingerprint,
                                "media_region",
                                m.media_region,
                                "features_json",
                                m.meeting_features_json,
                                "tenant_ids_json",
                                m.tenant_ids_json,
                                "notifications_json",
                                m.notifications_json,
                                "max_attendees",
                                std::to_string(m.max_attendees),
                                "created_at_ms",
                                std::to_string(m.created_at_ms),
                                "node_id",
                                m.node_id,
                                "node_http_base",
                                m.node_http_base,
                                "node_ws_base",
                                m.node_ws_base,
                                "node_media_host",
                                m.node_media_host};
  auto opt = [&](const char* name, const std::optional<std::string>& v) {
    if (!v) return;
    c.push_back(name);
    c.push_back(*v);
  };
  opt("external_meeting_id", m.external_meeting_id);
  opt("meeting_host_id", m.meeting_host_id);
  opt("primary_meeting_id", m.primary_meeting_id);
  return c;
}

std::optional<MeetingRecord> ReadMeeting(const RedisReply& r) {
  if (r.type != RedisReply::Type::kArray || r.elements.empty()) return std::nullopt;
  MeetingRecord m;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const std::string& k = r.elements[i].str;
    const std::string& v = r.elements[i + 1].str;
    if (k == "meeting_id")
      m.meeting_id = v;
    else if (k == "client_request_token")
      m.client_request_token = v;
    else if (k == "fingerprint")
      m.fingerprint = v;
    else if (k == "media_region")
      m.media_region = v;
    else if (k == "features_json")
      m.meeting_features_json = v;
    else if (k == "tenant_ids_json")
      m.tenant_ids_json = v;
    else if (k == "notifications_json")
      m.notifications_json = v;
    else if (k == "max_attendees")
      m.max_attendees = static_cast<int>(ParseInt64(v));
    else if (k == "created_at_ms")
      m.created_at_ms = ParseInt64(v);
    else if (k == "node_id")
      m.node_id = v;
    else if (k == "node_http_base")
      m.node_http_base = v;
    else if (k == "node_ws_base")
      m.node_ws_base = v;
    else if (k == "node_media_host")
      m.node_media_host = v;
    else if (k == "external_meeting_id")
      m.external_meeting_id = v;
    else if (k == "meeting_host_id")
      m.meeting_host_id = v;
    else if (k == "primary_meeting_id")
      m.primary_meeting_id = v;
  }
  if (m.meeting_id.empty()) return std::nullopt;
  return m;
}

// KEYS: meeting, attendees, order, ext, tags, tag-order, token-prefix ignored; ARGV: meeting id.
// Deletes the meeting and everything of it; 0 if there was no such meeting.
constexpr char kDeleteMeeting[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local token = redis.call('HGET', KEYS[1], 'client_request_token')
local node = redis.call('HGET', KEYS[1], 'node_id')
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
if token and token ~= '' then
  local tk = 'sfu:request-token:' .. token
  if redis.call('GET', tk) == ARGV[1] then redis.call('DEL', tk) end
end
if node then redis.call('ZREM', 'sfu:node-meetings:' .. node, ARGV[1]) end
return 1
)lua";

// KEYS: tags, tag-order; ARGV: key1, value1, key2, value2, ...
constexpr char kSetTags[] = R"lua(
for i = 1, #ARGV, 2 do
  if redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i])
  end
end
return 1
)lua";

// KEYS: tags, tag-order; ARGV: keys
constexpr char kRemoveTags[] = R"lua(
for i = 1, #ARGV do
  if redis.call('HDEL', KEYS[1], ARGV[i]) == 1 then redis.call('LREM', KEYS[2], 0, ARGV[i]) end
end
return 1
)lua";

// KEYS: a request-token key; ARGV: meeting id. Gives back a claim that is still a claim (it
// expires) and still this meeting's; a token made permanent by a committed meeting stays.
constexpr char kReleaseClaim[] = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('PTTL', KEYS[1]) > 0 then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

}  // namespace

RedisStore::RedisStore(std::unique_ptr<RedisClient> client, std::string node_id)
    : client_(std::move(client)), node_id_(std::move(node_id)) {}

std::unique_ptr<RedisStore> RedisStore::Open(const RedisAddress& address,
                                             const std::string& node_id, std::string* error,
                                             RedisTimeouts timeouts) {
  std::unique_ptr<RedisClient> client = RedisClient::Connect(address, timeouts, error);
  if (!client) return nullptr;
  std::unique_ptr<RedisStore> s(new RedisStore(std::move(client), node_id));
  try {
    // The first node makes the secret; every other node reads the same one, so any node
    // verifies any node's join tokens.
    s->client_->Command({"SET", keys::kSecret, base::RandomBytes(32), "NX"});
    RedisReply secret = s->client_->Command({"GET", keys::kSecret});
    if (secret.type != RedisReply::Type::kString || secret.str.size() != 32) {
      *error = "Redis at " + address.Describe() + " holds a malformed " + keys::kSecret;
      return nullptr;
    }
    s->token_secret_ = std::move(secret.str);
  } catch (const StoreError& e) {
    *error = e.what();
    return nullptr;
  }
  return s;
}

void RedisStore::Write(Commands commands) {
  if (transaction_depth_ > 0) {
    for (auto& c : commands) pending_.push_back(std::move(c));
    return;
  }
  Commit(std::move(commands));
}

void RedisStore::Commit(Commands commands) {
  txn_attendee_ids_.clear();
  txn_external_ids_.clear();
  txn_enqueued_.clear();
  txn_removed_.clear();
  if (commands.empty()) {
    Unwatch();
    ReleaseClaims(std::exchange(claims_, {}));
    return;
  }
  try {
    client_->Transaction(commands);
  } catch (const StoreUnavailable&) {
    // The connection is gone and its WATCH with it; the claims lapse on their own.
    watching_ = false;
    claims_.clear();
    throw;
  } catch (const StoreError&) {
    // EXEC ended the WATCH. Aborted (a WATCHed key changed): nothing was written.
    watching_ = false;
    ReleaseClaims(std::exchange(claims_, {}));
    throw;
  }
  watching_ = false;
  claims_.clear();
}

void RedisStore::Abandon() {
  pending_.clear();
  txn_attendee_ids_.clear();
  txn_external_ids_.clear();
  txn_enqueued_.clear();
  txn_removed_.clear();
  Unwatch();
  ReleaseClaims(std::exchange(claims_, {}));
}

void RedisStore::Refuse(const std::string& why) {
  if (transaction_depth_ == 0) Unwatch();
  throw StoreError(why);
}

void RedisStore::Unwatch() {
  if (!watching_) return;
  watching_ = false;
  if (!client_->connected()) return;  // the WATCH went with the connection
  try {
    client_->Command({"UNWATCH"});
  } catch (const StoreError&) {
  }
}

void RedisStore::ReleaseClaims(const std::vector<std::pair<std::string, std::string>>& claims) {
  if (claims.empty() || !client_->connected()) return;  // they lapse on their own
  Commands c;
  for (const auto& [token, meeting_id] : claims)
    c.push_back(RedisClient::EvalCommand(kReleaseClaim, {keys::RequestToken(token)}, {meeting_id}));
  try {
    client_->Pipeline(c);
  } catch (const StoreError&) {
  }
}

std::vector<std::string> RedisStore::WatchCommand(const std::vector<std::string>& keys) {
  std::vector<std::string> c = {"WATCH"};
  c.insert(c.end(), keys.begin(), keys.end());
  return c;
}

void RedisStore::Transaction(const std::function<void()>& f) {
  ++transaction_depth_;
  try {
    f();
  } catch (...) {
    if (--transaction_depth_ == 0) Abandon();
    throw;
  }
  if (--transaction_depth_ > 0) return;
  Commands commands = std::move(pending_);
  pending_.clear();
  Commit(std::move(commands));
}

void RedisStore::InsertMeeting(const MeetingRecord& m) {
  const std::string node = m.node_id.empty() ? node_id_ : m.node_id;
  const std::string key = keys::Meeting(m.meeting_id);
  const std::string& token = m.client_request_token;
  // One round trip. The meeting id must be new, and stay so until the write lands (WATCH). The
  // token is claimed at once (NX) so two nodes creating with one token cannot both win; the
  // claim becomes permanent with the meeting, is given back if the write is abandoned, and
  // lapses in 30 s if this node dies first.
  Commands check = {WatchCommand({key}), {"EXISTS", key}};
  if (!token.empty())
    check.push_back({"SET", keys::RequestToken(token), m.meeting_id, "NX", "PX", "30000"});
  std::vector<RedisReply> r = client_->Pipeline(check);
  watching_ = true;
  const bool claimed = !token.empty() && r[2].type == RedisReply::Type::kStatus;
  auto refuse = [&](const std::string& why) {
    if (claimed) ReleaseClaims({{token, m.meeting_id}});
    Refuse(why);
  };
  for (const RedisReply& x : r)
    if (x.type == RedisReply::Type::kError) refuse("Redis: " + x.str);
  if (r[1].AsInt() != 0) refuse("meeting " + m.meeting_id + " already exists");
  if (!token.empty() && !claimed)
    refuse("ClientRequestToken " + token +
           " is already used (by a meeting, or by a request under way on another node)");
  if (claimed) claims_.emplace_back(token, m.meeting_id);
  Commands c;
  if (!token.empty()) c.push_back({"SET", keys::RequestToken(token), m.meeting_id});
  MeetingRecord copy = m;
  copy.node_id = node;
  c.push_back(MeetingHset(copy));
  c.push_back({"ZADD", keys::NodeMeetings(node), std::to_string(m.last_active_ms), m.meeting_id});
  Write(std::move(c));
}

std::optional<MeetingRecord> RedisStore::GetMeeting(const std::string& meeting_id) {
  std::vector<RedisReply> r =
      client_->Pipeline({{"HGETALL", keys::Meeting(meeting_id)},
                         {"ZSCORE", keys::NodeMeetings(node_id_), meeting_id}});
  std::optional<MeetingRecord> m = ReadMeeting(r[0]);
  if (!m) return m;
  if (m->node_id != node_id_ && !m->node_id.empty()) {
    // Hosted by another node: its last activity is in that node's list.
    r[1] = client_->Command({"ZSCORE", keys::NodeMeetings(m->node_id), meeting_id});
  }
  m->last_active_ms = r[1].nil() ? m->created_at_ms : r[1].AsInt();
  return m;
}

std::optional<MeetingRecord> RedisStore::FindMeetingByRequestToken(const std::string& token) {
  RedisReply id = client_->Command({"GET", keys::RequestToken(token)});
  if (id.nil()) return std::nullopt;
  return GetMeeting(id.str);
}

bool RedisStore::DeleteMeeting(const std::string& meeting_id) {
  const std::vector<std::string> keys = {
      keys::Meeting(meeting_id),       keys::Attendees(meeting_id),
      keys::AttendeeOrder(meeting_id), keys::AttendeeExternal(meeting_id),
      keys::Tags(meeting_id),          keys::TagOrder(meeting_id)};
  if (transaction_depth_ == 0)
    return client_->Eval(kDeleteMeeting, keys, {meeting_id}).AsInt() == 1;
  // In a transaction: queued like the other writes; whether there is a meeting is read now.
  const bool exists = client_->Command({"EXISTS", keys::Meeting(meeting_id)}).AsInt() != 0;
  pending_.push_back(RedisClient::EvalCommand(kDeleteMeeting, keys, {meeting_id}));
  return exists;
}

void RedisStore::TouchMeeting(const std::string& meeting_id, int64_t now_ms) {
  Write({{"ZADD", keys::NodeMeetings(node_id_), "XX", std::to_string(now_ms), meeting_id}});
}

std::vector<bool> RedisStore::MeetingsExist(const std::vector<std::string>& meeting_ids) {
  std::vector<bool> out;
  if (meeting_ids.empty()) return out;
  std::vector<std::vector<std::string>> c;
  for (const std::string& id : meeting_ids) c.push_back({"EXISTS", keys::Meeting(id)});
  for (const RedisReply& r : client_->Pipeline(c)) {
    if (r.type == RedisReply::Type::kError) throw StoreError("Redis EXISTS: " + r.str);
    out.push_back(r.AsInt() == 1);
  }
  return out;
}

std::vector<std::string> RedisStore::ListMeetingIdsOf(const std::string& node_id) {
  return client_->Command({"ZRANGE", keys::NodeMeetings(node_id), "0", "-1"}).Strings();
}

std::vector<std::string> RedisStore::ListMeetingIds() { return ListMeetingIdsOf(node_id_); }

std::vector<std::string> RedisStore::ListMeetingsIdleSince(int64_t before_ms) {
  return client_
      ->Command(
          {"ZRANGEBYSCORE", keys::NodeMeetings(node_id_), "-inf", "(" + std::to_string(before_ms)})
      .Strings();
}

int64_t RedisStore::CountMeetings() {
  return client_->Command({"ZCARD", keys::NodeMeetings(node_id_)}).AsInt();
}

void RedisStore::InsertAttendeesUpTo(std::vector<AttendeeRecord>* attendees,
                                     int64_t max_attendees) {
  if (attendees->empty()) return;
  // SQLite's UNIQUE constraints: an attendee id, and an ExternalUserId, once per meeting: within
  // the batch, this transaction's earlier inserts, and what is stored (read now, WATCHed until
  // the write). The seqs are taken in the same round trip.
  std::set<std::pair<std::string, std::string>> ids, exts;
  std::set<std::string> watched;
  Commands check(1);  // [0]: the WATCH
  for (const AttendeeRecord& a : *attendees) {
    std::pair<std::string, std::string> id(a.meeting_id, a.attendee_id);
    if (txn_attendee_ids_.count(id) || !ids.insert(std::move(id)).second)
      Refuse("attendee " + a.attendee_id + " is already in meeting " + a.meeting_id);
    watched.insert(keys::Attendees(a.meeting_id));
    check.push_back({"HEXISTS", keys::Attendees(a.meeting_id), a.attendee_id});
    if (a.external_user_id.empty()) continue;
    std::pair<std::string, std::string> ext(a.meeting_id, a.external_user_id);
    if (txn_external_ids_.count(ext) || !exts.insert(std::move(ext)).second)
      Refuse("ExternalUserId " + a.external_user_id + " is already in meeting " + a.meeting_id);
    watched.insert(keys::AttendeeExternal(a.meeting_id));
    check.push_back({"HEXISTS", keys::AttendeeExternal(a.meeting_id), a.external_user_id});
  }
  check[0] = WatchCommand({watched.begin(), watched.end()});
  // The count, read under the WATCH of the meeting's attendee hash: an insert or delete by
  // anyone before our EXEC aborts it, so the limit holds across nodes.
  std::map<std::string, int64_t> adding;
  if (max_attendees > 0)
    for (const AttendeeRecord& a : *attendees) ++adding[a.meeting_id];
  for (const auto& [meeting_id, n] : adding)
    check.push_back({"ZCARD", keys::AttendeeOrder(meeting_id)});
  check.push_back({"INCRBY", keys::kAttendeeSeq, std::to_string(attendees->size())});
  const std::vector<RedisReply> r = client_->Pipeline(check);
  watching_ = true;
  for (const RedisReply& x : r)
    if (x.type == RedisReply::Type::kError) Refuse("Redis: " + x.str);
  size_t i = 1;
  for (const AttendeeRecord& a : *attendees) {
    if (r[i++].AsInt() != 0)
      Refuse("attendee " + a.attendee_id + " is already in meeting " + a.meeting_id);
    if (!a.external_user_id.empty() && r[i++].AsInt() != 0)
      Refuse("ExternalUserId " + a.external_user_id + " is already in meeting " + a.meeting_id);
  }
  for (const auto& [meeting_id, n] : adding) {
    // This transaction's earlier inserts are not stored yet: count them too.
    int64_t earlier = 0;
    for (const auto& [m, id] : txn_attendee_ids_) earlier += m == meeting_id;
    if (r[i++].AsInt() + earlier + n > max_attendees) {
      if (transaction_depth_ == 0) Unwatch();
      throw StoreLimitExceeded("The meeting already has the maximum of " +
                               std::to_string(max_attendees) + " attendees");
    }
  }
  const int64_t last = r.back().AsInt();
  int64_t seq = last - static_cast<int64_t>(attendees->size());
  Commands c;
  for (AttendeeRecord& a : *attendees) {
    a.seq = ++seq;
    c.push_back({"HSET", keys::Attendees(a.meeting_id), a.attendee_id, EncodeAttendeeRecord(a)});
    c.push_back({"ZADD", keys::AttendeeOrder(a.meeting_id), std::to_string(a.seq), a.attendee_id});
    if (!a.external_user_id.empty())
      c.push_back(
          {"HSET", keys::AttendeeExternal(a.meeting_id), a.external_user_id, a.attendee_id});
  }
  if (transaction_depth_ > 0) {
    txn_attendee_ids_.insert(ids.begin(), ids.end());
    txn_external_ids_.insert(exts.begin(), exts.end());
  }
  Write(std::move(c));
}

std::optional<AttendeeRecord> RedisStore::GetAttendee(const std::string& meeting_id,
                                                      const std::string& attendee_id) {
  RedisReply r = client_->Command({"HGET", keys::Attendees(meeting_id), attendee_id});
  if (r.nil()) return std::nullopt;
  return DecodeAttendeeOrThrow(r.str);
}

std::optional<AttendeeRecord> RedisStore::FindAttendeeByExternalUserId(
    const std::string& meeting_id, const std::string& external_user_id) {
  RedisReply id = client_->Command({"HGET", keys::AttendeeExternal(meeting_id), external_user_id});
  if (id.nil()) return std::nullopt;
  return GetAttendee(meeting_id, id.str);
}

bool RedisStore::DeleteAttendee(const std::string& meeting_id, const std::string& attendee_id) {
  std::optional<AttendeeRecord> a = GetAttendee(meeting_id, attendee_id);
  if (!a) return false;
  Commands c = {{"HDEL", keys::Attendees(meeting_id), attendee_id},
                {"ZREM", keys::AttendeeOrder(meeting_id), attendee_id}};
  if (!a->external_user_id.empty())
    c.push_back({"HDEL", keys::AttendeeExternal(meeting_id), a->external_user_id});
  Write(std::move(c));
  return true;
}

bool RedisStore::UpdateAttendeeCapabilities(const std::string& meeting_id,
                                            const std::string& attendee_id,
                                            const std::string& audio, const std::string& video,
                                            const std::string& content) {
  std::optional<AttendeeRecord> a = GetAttendee(meeting_id, attendee_id);
  if (!a) return false;
  a->capabilities_audio = audio;
  a->capabilities_video = video;
  a->capabilities_content = content;
  // HSET XX semantics: only if the attendee is still there when the write lands.
  Write({{"EVAL",
          "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then "
          "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 1",
          "1", keys::Attendees(meeting_id), attendee_id, EncodeAttendeeRecord(*a)}});
  return true;
}

std::vector<std::pair<std::string, std::string>> RedisStore::ListTags(
    const std::string& meeting_id) {
  std::vector<std::string> keys =
      client_->Command({"LRANGE", keys::TagOrder(meeting_id), "0", "-1"}).Strings();
  std::vector<std::pair<std::string, std::string>> out;
  if (keys.empty()) return out;
  std::vector<std::string> argv = {"HMGET", keys::Tags(meeting_id)};
  argv.insert(argv.end(), keys.begin(), keys.end());
  RedisReply values = client_->Command(argv);
  for (size_t i = 0; i < keys.size() && i < values.elements.size(); ++i)
    if (!values.elements[i].nil()) out.emplace_back(keys[i], values.elements[i].str);
  return out;
}

void RedisStore::SetTags(const std::string& meeting_id,
                         const std::vector<std::pair<std::string, std::string>>& tags) {
  if (tags.empty()) return;
  std::vector<std::string> argv = {"EVAL", kSetTags, "2", keys::Tags(meeting_id),
                                   keys::TagOrder(meeting_id)};
  for (const auto& [k, v] : tags) {
    argv.push_back(k);
    argv.push_back(v);
  }
  Write({std::move(argv)});
}

void RedisStore::RemoveTags(const std::string& meeting_id, const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  std::vector<std::string> argv = {"EVAL", kRemoveTags, "2", keys::Tags(meeting_id),
                                   keys::TagOrder(meeting_id)};
  argv.insert(argv.end(), keys.begin(), keys.end());
  Write({std::move(argv)});
}

std::vector<AttendeeRecord> RedisStore::ListAttendees(const std::string& meeting_id,
                                                      int64_t after_seq, int limit) {
  std::vector<AttendeeRecord> out;
  if (limit <= 0) return out;
  std::vector<std::string> ids =
      client_
          ->Command({"ZRANGEBYSCORE", keys::AttendeeOrder(meeting_id),
                     "(" + std::to_string(after_seq), "+inf", "LIMIT", "0", std::to_string(limit)})
          .Strings();
  if (ids.empty()) return out;
  std::vector<std::string> argv = {"HMGET", keys::Attendees(meeting_id)};
  argv.insert(argv.end(), ids.begin(), ids.end());
  RedisReply records = client_->Command(argv);
  for (const RedisReply& r : records.elements)
    if (!r.nil()) out.push_back(DecodeAttendeeOrThrow(r.str));
  return out;
}

int64_t RedisStore::CountAttendees(const std::string& meeting_id) {
  return client_->Command({"ZCARD", keys::AttendeeOrder(meeting_id)}).AsInt();
}

int64_t RedisStore::CountAllAttendees() {
  const std::vector<std::string> ids = ListMeetingIds();
  if (ids.empty()) return 0;
  std::vector<std::vector<std::string>> c;
  for (const std::string& id : ids) c.push_back({"ZCARD", keys::AttendeeOrder(id)});
  int64_t n = 0;
  for (const RedisReply& r : client_->Pipeline(c)) n += r.AsInt();
  return n;
}

}  // namespace sfu::store

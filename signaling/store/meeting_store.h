#pragma once
// Durable state: meetings, attendees, tags, the join-token secret and the event queue.
// Everything a restart must keep. Live media state is not here: clients rebuild it by
// reconnecting.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sfu::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The engine could not be reached (Redis down): nothing was changed, try again later.
class StoreUnavailable : public StoreError {
 public:
  using StoreError::StoreError;
};
// An insert would take a meeting past its attendee limit (checked atomically with the insert,
// so two API nodes cannot both take the last seat).
class StoreLimitExceeded : public StoreError {
 public:
  using StoreError::StoreError;
};

struct MeetingRecord {
  std::string meeting_id;
  std::string client_request_token;
  std::string fingerprint;  // CreateMeetingParams::Fingerprint(), for idempotent replays
  std::string media_region;
  std::optional<std::string> external_meeting_id;
  std::optional<std::string> meeting_host_id;
  std::optional<std::string> primary_meeting_id;
  std::string meeting_features_json;
  std::string tenant_ids_json;
  std::string notifications_json;
  int max_attendees = 0;  // effective cap for this meeting
  int64_t created_at_ms = 0;
  int64_t last_active_ms = 0;  // creation, or the last time an attendee was connected
  // Cluster mode: the node hosting the meeting and the URLs its MediaPlacement names. Empty with
  // one node (the server's own URLs are used).
  std::string node_id;
  std::string node_http_base;
  std::string node_ws_base;
  std::string node_media_host;
};

// One meeting event waiting for delivery to one webhook destination (docs/EVENTS.md).
struct QueuedEvent {
  int64_t seq = 0;  // global enqueue order; a destination gets its events in seq order
  std::string event_id;
  std::string meeting_id;
  std::string body;  // the JSON body, exactly as it is POSTed
};

struct AttendeeRecord {
  std::string attendee_id;
  std::string meeting_id;
  std::string external_user_id;
  std::string capabilities_audio = "SendReceive";
  std::string capabilities_video = "SendReceive";
  std::string capabilities_content = "SendReceive";
  int64_t created_at_ms = 0;
  int64_t seq = 0;  // insertion order, for ListAttendees paging
};

// The durable state behind the control API, as an interface with two engines (docs/DESIGN.md,
// "Cluster mode"): SqliteStore (the default, one node, signaling/store/sqlite_store.h) and
// RedisStore (--redis, any number of nodes, signaling/store/redis_store.h). The control API,
// the signaling front and the event dispatcher see only this.
//
// Thread: one owner (the control thread). Not thread-safe.
// Errors: failures throw StoreError (control path only, caught once per API request and
// answered as ServiceFailureException); StoreUnavailable when the engine cannot be reached
// (answered 503 ServiceUnavailableException, the AWS SDK retries it).
class MeetingStore {
 public:
  // Opens (creating if needed) the SQLite store <dir>/sfu.db (SqliteStore::Open).
  static std::unique_ptr<MeetingStore> Open(const std::string& dir, std::string* error);
  virtual ~MeetingStore() = default;

  // Where the state lives, for logs: the database path or the Redis address.
  virtual std::string Describe() const = 0;
  // What Open found too open and said or did about it (the caller logs them as warnings).
  virtual const std::vector<std::string>& permission_warnings() const { return no_warnings_; }
  // The join-token secret: 32 random bytes made on first open and kept.
  virtual const std::string& token_secret() const = 0;

  virtual void InsertMeeting(const MeetingRecord& m) = 0;
  virtual std::optional<MeetingRecord> GetMeeting(const std::string& meeting_id) = 0;
  virtual std::optional<MeetingRecord> FindMeetingByRequestToken(const std::string& token) = 0;
  virtual bool DeleteMeeting(const std::string& meeting_id) = 0;  // also deletes its attendees
  virtual void TouchMeeting(const std::string& meeting_id, int64_t now_ms) = 0;
  // The meetings this node hosts (all of them with SQLite; those placed on this node with Redis).
  virtual std::vector<std::string> ListMeetingIds() = 0;
  // This node's meetings whose last_active_ms is older than before_ms.
  virtual std::vector<std::string> ListMeetingsIdleSince(int64_t before_ms) = 0;
  virtual int64_t CountMeetings() = 0;  // this node's

  // Inserts all attendees atomically; assigns seq.
  void InsertAttendees(std::vector<AttendeeRecord>* attendees) {
    InsertAttendeesUpTo(attendees, 0);
  }
  // The same, refused with StoreLimitExceeded (nothing inserted) when a meeting would then hold
  // more than max_attendees (0: no limit), counted atomically with the insert.
  virtual void InsertAttendeesUpTo(std::vector<AttendeeRecord>* attendees,
                                   int64_t max_attendees) = 0;
  virtual std::optional<AttendeeRecord> GetAttendee(const std::string& meeting_id,
                                                    const std::string& attendee_id) = 0;
  virtual std::optional<AttendeeRecord> FindAttendeeByExternalUserId(
      const std::string& meeting_id, const std::string& external_user_id) = 0;
  virtual bool DeleteAttendee(const std::string& meeting_id, const std::string& attendee_id) = 0;
  // Sets an attendee's three capabilities (values already validated). False if no such attendee.
  virtual bool UpdateAttendeeCapabilities(const std::string& meeting_id,
                                          const std::string& attendee_id, const std::string& audio,
                                          const std::string& video, const std::string& content) = 0;

  // A meeting's tags in the order their keys were first set.
  virtual std::vector<std::pair<std::string, std::string>> ListTags(
      const std::string& meeting_id) = 0;
  // Adds or overwrites (keeping a key's place), atomically.
  virtual void SetTags(const std::string& meeting_id,
                       const std::vector<std::pair<std::string, std::string>>& tags) = 0;
  virtual void RemoveTags(const std::string& meeting_id, const std::vector<std::string>& keys) = 0;
  // Attendees with seq > after_seq, in seq order, at most limit.
  virtual std::vector<AttendeeRecord> ListAttendees(const std::string& meeting_id,
                                                    int64_t after_seq, int limit) = 0;
  virtual int64_t CountAttendees(const std::string& meeting_id) = 0;
  virtual int64_t CountAllAttendees() = 0;  // in this node's meetings

  // The durable event queue (docs/EVENTS.md). An event is stored once with one delivery per
  // destination; it is deleted with its last delivery. With Redis each node has its own queue
  // (the node that emitted an event delivers it).
  // Stores the event for every destination; returns its seq.
  virtual int64_t EnqueueEvent(const std::string& event_id, const std::string& meeting_id,
                               const std::string& body, int64_t now_ms,
                               const std::vector<std::string>& destinations) = 0;
  // The destination's undelivered events with seq > after_seq, in seq order, at most limit.
  virtual std::vector<QueuedEvent> PendingEvents(const std::string& destination, int64_t after_seq,
                                                 int limit) = 0;
  // Delivered (or given up): removes the delivery. False if there was none (already dropped).
  virtual bool AckEvent(const std::string& destination, int64_t seq) = 0;
  // Removes the destination's n oldest deliveries; returns the highest seq removed (0: none).
  virtual int64_t DropOldestEvents(const std::string& destination, int64_t n) = 0;
  virtual int64_t CountPendingEvents(const std::string& destination) = 0;
  // Removes the deliveries of every destination not in keep (a webhook no longer configured);
  // returns how many were removed.
  virtual int64_t ForgetEventDestinationsExcept(const std::vector<std::string>& keep) = 0;

  // Runs f so that the writes it makes commit together or not at all (SQLite: BEGIN IMMEDIATE
  // ... COMMIT, ROLLBACK if f throws; Redis: the writes are queued and sent as one MULTI/EXEC
  // when f returns, reads inside f are answered at once). Nested calls join the outer one.
  virtual void Transaction(const std::function<void()>& f) = 0;

 private:
  std::vector<std::string> no_warnings_;
};

}  // namespace sfu::store

#pragma once
// Durable state: meetings, attendees and the join-token secret, in SQLite (WAL mode,
// synchronous=FULL, schema version in PRAGMA user_version). Everything a restart must keep.
// Live media state is not here: clients rebuild it by reconnecting.
//
// Thread: one owner (the control thread). Not thread-safe.
// Errors: Open() returns nullptr and a message; after that, failures throw StoreError (control
// path only, caught once per API request and answered as ServiceFailureException).

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace sfu::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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

class MeetingStore {
 public:
  static constexpr int kSchemaVersion = 4;

  // Opens (creating if needed) <dir>/sfu.db. Returns nullptr with *error set when the directory
  // is unwritable, the file is not a database or fails its integrity check, or the schema is
  // newer than this build.
  static std::unique_ptr<MeetingStore> Open(const std::string& dir, std::string* error);
  ~MeetingStore();
  MeetingStore(const MeetingStore&) = delete;
  MeetingStore& operator=(const MeetingStore&) = delete;

  const std::string& path() const { return path_; }
  // What Open found too open and said or did about it (the caller logs them as warnings): the
  // data dir should be 0700 (created so), the database and its WAL/SHM files 0600 (made so).
  const std::vector<std::string>& permission_warnings() const { return permission_warnings_; }
  // The join-token secret: 32 random bytes made on first open and kept.
  const std::string& token_secret() const { return token_secret_; }

  void InsertMeeting(const MeetingRecord& m);
  std::optional<MeetingRecord> GetMeeting(const std::string& meeting_id);
  std::optional<MeetingRecord> FindMeetingByRequestToken(const std::string& token);
  bool DeleteMeeting(const std::string& meeting_id);  // also deletes its attendees
  void TouchMeeting(const std::string& meeting_id, int64_t now_ms);
  std::vector<std::string> ListMeetingIds();
  // Meetings whose last_active_ms is older than before_ms.
  std::vector<std::string> ListMeetingsIdleSince(int64_t before_ms);
  int64_t CountMeetings();

  // Inserts all attendees atomically (one transaction); assigns seq.
  void InsertAttendees(std::vector<AttendeeRecord>* attendees);
  std::optional<AttendeeRecord> GetAttendee(const std::string& meeting_id,
                                            const std::string& attendee_id);
  std::optional<AttendeeRecord> FindAttendeeByExternalUserId(const std::string& meeting_id,
                                                             const std::string& external_user_id);
  bool DeleteAttendee(const std::string& meeting_id, const std::string& attendee_id);
  // Sets an attendee's three capabilities (values already validated). False if no such attendee.
  bool UpdateAttendeeCapabilities(const std::string& meeting_id, const std::string& attendee_id,
                                  const std::string& audio, const std::string& video,
                                  const std::string& content);

  // A meeting's tags in the order their keys were first set.
  std::vector<std::pair<std::string, std::string>> ListTags(const std::string& meeting_id);
  // Adds or overwrites (keeping a key's place), atomically.
  void SetTags(const std::string& meeting_id,
               const std::vector<std::pair<std::string, std::string>>& tags);
  void RemoveTags(const std::string& meeting_id, const std::vector<std::string>& keys);
  // Attendees with seq > after_seq, in seq order, at most limit.
  std::vector<AttendeeRecord> ListAttendees(const std::string& meeting_id, int64_t after_seq,
                                            int limit);
  int64_t CountAttendees(const std::string& meeting_id);
  int64_t CountAllAttendees();

  // The durable event queue (schema 4; docs/EVENTS.md). An event is stored once with one delivery
  // row per destination; it is deleted with its last delivery row.
  // Stores the event for every destination; returns its seq.
  int64_t EnqueueEvent(const std::string& event_id, const std::string& meeting_id,
                       const std::string& body, int64_t now_ms,
                       const std::vector<std::string>& destinations);
  // The destination's undelivered events with seq > after_seq, in seq order, at most limit.
  std::vector<QueuedEvent> PendingEvents(const std::string& destination, int64_t after_seq,
                                         int limit);
  // Delivered (or given up): removes the delivery row. False if there was none (already dropped).
  bool AckEvent(const std::string& destination, int64_t seq);
  // Removes the destination's n oldest deliveries; returns the highest seq removed (0: none).
  int64_t DropOldestEvents(const std::string& destination, int64_t n);
  int64_t CountPendingEvents(const std::string& destination);
  // Removes the deliveries of every destination not in keep (a webhook no longer configured);
  // returns how many were removed.
  int64_t ForgetEventDestinationsExcept(const std::vector<std::string>& keep);

  // Runs f inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK if f throws). Nested calls join the
  // outer transaction.
  template <class F>
  void Transaction(F&& f) {
    if (InTransaction()) {
      f();
      return;
    }
    Exec("BEGIN IMMEDIATE");
    try {
      f();
    } catch (...) {
      Exec("ROLLBACK");
      throw;
    }
    Exec("COMMIT");
  }

 private:
  explicit MeetingStore(sqlite3* db, std::string path);
  void Exec(const char* sql);
  bool InTransaction() const;
  bool Migrate(std::string* error);
  bool LoadSecret(std::string* error);
  // Deletes events no destination still needs, among seq <= through_seq.
  void DeleteDeliveredEvents(int64_t through_seq);

  sqlite3* db_;  // owned
  std::string path_;
  std::vector<std::string> permission_warnings_;
  std::string token_secret_;
};

}  // namespace sfu::store

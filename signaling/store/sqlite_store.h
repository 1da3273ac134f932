#pragma once
// The single-node store: SQLite (WAL mode, synchronous=FULL, schema version in PRAGMA
// user_version) in <data dir>/sfu.db. The default engine (docs/DESIGN.md, "Durability").
//
// Thread: one owner (the control thread). Not thread-safe.
// Errors: Open() returns nullptr and a message; after that, failures throw StoreError.

#include <memory>
#include <string>
#include <vector>

#include "signaling/store/meeting_store.h"

struct sqlite3;

namespace sfu::store {

class SqliteStore final : public MeetingStore {
 public:
  static constexpr int kSchemaVersion = 4;

  // Opens (creating if needed) <dir>/sfu.db. Returns nullptr with *error set when the directory
  // is unwritable, the file is not a database or fails its integrity check, or the schema is
  // newer than this build.
  static std::unique_ptr<SqliteStore> Open(const std::string& dir, std::string* error);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& path() const { return path_; }
  std::string Describe() const override { return path_; }
  // The data dir should be 0700 (created so), the database and its WAL/SHM files 0600 (made so).
  const std::vector<std::string>& permission_warnings() const override {
    return permission_warnings_;
  }
  const std::string& token_secret() const override { return token_secret_; }

  void InsertMeeting(const MeetingRecord& m) override;
  std::optional<MeetingRecord> GetMeeting(const std::string& meeting_id) override;
  std::optional<MeetingRecord> FindMeetingByRequestToken(const std::string& token) override;
  bool DeleteMeeting(const std::string& meeting_id) override;
  void TouchMeeting(const std::string& meeting_id, int64_t now_ms) override;
  std::vector<std::string> ListMeetingIds() override;
  std::vector<std::string> ListMeetingsIdleSince(int64_t before_ms) override;
  int64_t CountMeetings() override;

  void InsertAttendeesUpTo(std::vector<AttendeeRecord>* attendees, int64_t max_attendees) override;
  std::optional<AttendeeRecord> GetAttendee(const std::string& meeting_id,
                                            const std::string& attendee_id) override;
  std::optional<AttendeeRecord> FindAttendeeByExternalUserId(
      const std::string& meeting_id, const std::string& external_user_id) override;
  bool DeleteAttendee(const std::string& meeting_id, const std::string& attendee_id) override;
  bool UpdateAttendeeCapabilities(const std::string& meeting_id, const std::string& attendee_id,
                                  const std::string& audio, const std::string& video,
                                  const std::string& content) override;

  std::vector<std::pair<std::string, std::string>> ListTags(const std::string& meeting_id) override;
  void SetTags(const std::string& meeting_id,
               const std::vector<std::pair<std::string, std::string>>& tags) override;
  void RemoveTags(const std::string& meeting_id, const std::vector<std::string>& keys) override;
  std::vector<AttendeeRecord> ListAttendees(const std::string& meeting_id, int64_t after_seq,
                                            int limit) override;
  int64_t CountAttendees(const std::string& meeting_id) override;
  int64_t CountAllAttendees() override;

  int64_t EnqueueEvent(const std::string& event_id, const std::string& meeting_id,
                       const std::string& body, int64_t now_ms,
                       const std::vector<std::string>& destinations) override;
  std::vector<QueuedEvent> PendingEvents(const std::string& destination, int64_t after_seq,
                                         int limit) override;
  bool AckEvent(const std::string& destination, int64_t seq) override;
  int64_t DropOldestEvents(const std::string& destination, int64_t n) override;
  int64_t CountPendingEvents(const std::string& destination) override;
  int64_t ForgetEventDestinationsExcept(const std::vector<std::string>& keep) override;

  void Transaction(const std::function<void()>& f) override;

 private:
  explicit SqliteStore(sqlite3* db, std::string path);
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

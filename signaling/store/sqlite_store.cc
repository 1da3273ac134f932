#include "signaling/store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "base/log.h"
#include "base/random.h"
#include "signaling/api/crypto_util.h"

namespace sfu::store {
namespace {

// RAII prepared statement with typed binds and reads. Throws StoreError on failure.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(std::string("prepare failed: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt& Bind(int i, const std::string& s) {
    Check(sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& Bind(int i, const std::optional<std::string>& s) {
    if (s) return Bind(i, *s);
    Check(sqlite3_bind_null(stmt_, i));
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    Check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  // True while there is a row.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("step failed: ") + sqlite3_errmsg(db_));
  }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::optional<std::string> OptText(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return Text(col);
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(std::string("bind failed: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* kMeetingColumns =
    "meeting_id, client_request_token, fingerprint, media_region, external_meeting_id, "
    "meeting_host_id, primary_meeting_id, features_json, tenant_ids_json, notifications_json, "
    "max_attendees, created_at_ms, last_active_ms";

MeetingRecord ReadMeeting(const Stmt& s) {
  MeetingRecord m;
  m.meeting_id = s.Text(0);
  m.client_request_token = s.Text(1);
  m.fingerprint = s.Text(2);
  m.media_region = s.Text(3);
  m.external_meeting_id = s.OptText(4);
  m.meeting_host_id = s.OptText(5);
  m.primary_meeting_id = s.OptText(6);
  m.meeting_features_json = s.Text(7);
  m.tenant_ids_json = s.Text(8);
  m.notifications_json = s.Text(9);
  m.max_attendees = static_cast<int>(s.Int(10));
  m.created_at_ms = s.Int(11);
  m.last_active_ms = s.Int(12);
  return m;
}

constexpr const char* kAttendeeColumns =
    "attendee_id, meeting_id, external_user_id, cap_audio, cap_video, cap_content, created_at_ms, "
    "seq";

AttendeeRecord ReadAttendee(const Stmt& s) {
  AttendeeRecord a;
  a.attendee_id = s.Text(0);
  a.meeting_id = s.Text(1);
  a.external_user_id = s.Text(2);
  a.capabilities_audio = s.Text(3);
  a.capabilities_video = s.Text(4);
  a.capabilities_content = s.Text(5);
  a.created_at_ms = s.Int(6);
  a.seq = s.Int(7);
  return a;
}

// Makes a file of ours 0600 if it exists and is wider, and says so.
void TightenFile(const std::string& path, std::vector<std::string>* warnings) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
  if (::chmod(path.c_str(), 0600) == 0) {
    warnings->push_back(path + " was mode " + mode + " (readable by others); made 0600");
  } else {
    warnings->push_back(path + " is mode " + mode +
                        " (readable by others) and cannot be changed: " + std::strerror(errno));
  }
}

}  // namespace

std::unique_ptr<SqliteStore> SqliteStore::Open(const std::string& dir, std::string* error) {
  // The store holds the join-token secret: whoever reads sfu.db can forge tokens that join any
  // meeting. A new data dir is 0700 and the files 0600; an existing dir that is wider is only
  // reported (it may be a shared parent the operator chose), files we own are tightened.
  std::vector<std::string> warnings;
  std::error_code ec;
  const bool existed = std::filesystem::exists(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create data directory " + dir + ": " + ec.message();
    return nullptr;
  }
  struct stat st {};
  if (!existed) {
    ::chmod(dir.c_str(), 0700);
  } else if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    warnings.push_back("data directory " + dir + " is mode " + mode +
                       ": other users can reach the store; chmod 700 it");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    *error = "data directory " + dir + " is not writable: " + std::strerror(errno);
    return nullptr;
  }
  const std::string path = (std::filesystem::path(dir) / "sfu.db").string();
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  TightenFile(path, &warnings);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    *error = "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  try {
    sqlite3_busy_timeout(db, 5000);
    // A corrupt or foreign file fails here or in the integrity check, before any write.
    {
      Stmt check(db, "PRAGMA quick_check");
      if (!check.Step() || check.Text(0) != "ok") {
        *error = path +
                 " failed its integrity check (corrupt database); refusing to start. "
                 "Move the file aside to start empty, or restore a backup.";
        return nullptr;
      }
    }
    {
      Stmt wal(db, "PRAGMA journal_mode=WAL");
      if (!wal.Step() || wal.Text(0) != "wal") {
        *error = "cannot switch " + path + " to WAL mode";
        return nullptr;
      }
    }
    // SQLite creates -wal and -shm with the database's mode; older ones may be wider.
    TightenFile(path + "-wal", &warnings);
    TightenFile(path + "-shm", &warnings);
    store->Exec("PRAGMA synchronous=FULL");
    store->Exec("PRAGMA foreign_keys=ON");
    if (!store->Migrate(error) || !store->LoadSecret(error)) return nullptr;
    store->permission_warnings_ = std::move(warnings);
  } catch (const StoreError& e) {
    *error = path + ": " + e.what();
    return nullptr;
  }
  return store;
}

SqliteStore::SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

SqliteStore::~SqliteStore() {
  // Fold the WAL back into the main file so a copy of sfu.db alone is complete.
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_close(db_);
}

void SqliteStore::Exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = msg ? msg : sqlite3_errmsg(db_);
    sqlite3_free(msg);
    throw StoreError(text);
  }
}

bool SqliteStore::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

namespace {
// The schema's history, one step per version (docs/DESIGN.md, "Durability"): steps[i] takes a
// database at version i to version i + 1. A step is never edited once released; a change is a
// new step, so a data dir written by any older build opens in a newer one (and a newer data dir
// is refused by an older build, above). Each step runs in one transaction with its version bump.
constexpr const char* kMigrations[] = {
    // 0 -> 1: meetings, attendees and the meta table (token secret).
    R"sql(
      CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
      CREATE TABLE meetings (
        meeting_id TEXT PRIMARY KEY,
        client_request_token TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        media_region TEXT NOT NULL,
        external_meeting_id TEXT,
        meeting_host_id TEXT,
        primary_meeting_id TEXT,
        features_json TEXT NOT NULL,
        tenant_ids_json TEXT NOT NULL,
        notifications_json TEXT NOT NULL,
        max_attendees INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL,
        last_active_ms INTEGER NOT NULL);
      CREATE TABLE attendees (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        attendee_id TEXT NOT NULL UNIQUE,
        meeting_id TEXT NOT NULL REFERENCES meetings(meeting_id) ON DELETE CASCADE,
        external_user_id TEXT NOT NULL,
        cap_audio TEXT NOT NULL, cap_video TEXT NOT NULL, cap_content TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        UNIQUE (meeting_id, external_user_id));
      CREATE INDEX attendees_by_meeting ON attendees(meeting_id, seq);
    )sql",
    // 1 -> 2: the idle-meeting sweep (ListMeetingsIdleSince) and the meeting list read by time:
    // index them.
    R"sql(
      CREATE INDEX meetings_by_last_active ON meetings(last_active_ms);
      CREATE INDEX meetings_by_created ON meetings(created_at_ms);
    )sql",
    // 2 -> 3: tags on meetings (CreateMeeting Tags, TagResource), in the order they were set.
    R"sql(
      CREATE TABLE meeting_tags (
        meeting_id TEXT NOT NULL REFERENCES meetings(meeting_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (meeting_id, key));
    )sql",
    // 3 -> 4: the durable queue of meeting events for webhooks (docs/EVENTS.md): each event once,
    // one delivery row per destination still owed it (seq order = delivery order).
    R"sql(
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL,
        meeting_id TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL);
      CREATE TABLE event_deliveries (
        destination TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (destination, seq)) WITHOUT ROWID;
      CREATE INDEX event_deliveries_by_seq ON event_deliveries(seq);
    )sql",
};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion,
              "one migration step per schema version");
}  // namespace

bool SqliteStore::Migrate(std::string* error) {
  Stmt v(db_, "PRAGMA user_version");
  v.Step();
  const int64_t version = v.Int(0);
  if (version > kSchemaVersion) {
    *error = path_ + " has schema version " + std::to_string(version) +
             ", newer than this build understands (" + std::to_string(kSchemaVersion) +
             "); refusing to start";
    return false;
  }
  for (int64_t step = version; step < kSchemaVersion; ++step) {
    Transaction([&] {
      Exec(kMigrations[step]);
      Exec(("PRAGMA user_version = " + std::to_string(step + 1)).c_str());
    });
    if (step > 0) {
      SFU_LOG(kInfo, "store schema migrated").Kv("path", path_).Kv("from", step).Kv("to", step + 1);
    }
  }
  return true;
}

bool SqliteStore::LoadSecret(std::string* error) {
  // Stored as 64 hex digits so the file stays inspectable with the sqlite3 shell.
  std::string hex;
  {
    Stmt s(db_, "SELECT value FROM meta WHERE key = 'token_secret'");
    if (s.Step()) hex = s.Text(0);
  }
  if (hex.empty()) {
    hex = api::HexEncode(base::RandomBytes(32));
    Stmt ins(db_, "INSERT INTO meta (key, value) VALUES ('token_secret', ?1)");
    ins.Bind(1, hex).Step();
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  token_secret_.clear();
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) break;
    token_secret_ += static_cast<char>(hi * 16 + lo);
  }
  if (hex.size() != 64 || token_secret_.size() != 32) {
    *error = path_ + ": the stored join-token secret is damaged; refusing to start";
    return false;
  }
  return true;
}

void SqliteStore::InsertMeeting(const MeetingRecord& m) {
  Stmt s(db_, (std::string("INSERT INTO meetings (") + kMeetingColumns +
               ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)")
                  .c_str());
  s.Bind(1, m.meeting_id)
      .Bind(2, m.client_request_token)
      .Bind(3, m.fingerprint)
      .Bind(4, m.media_region)
      .Bind(5, m.external_meeting_id)
      .Bind(6, m.meeting_host_id)
      .Bind(7, m.primary_meeting_id)
      .Bind(8, m.meeting_features_json)
      .Bind(9, m.tenant_ids_json)
      .Bind(10, m.notifications_json)
      .Bind(11, static_cast<int64_t>(m.max_attendees))
      .Bind(12, m.created_at_ms)
      .Bind(13, m.last_active_ms);
  s.Step();
}

std::optional<MeetingRecord> SqliteStore::GetMeeting(const std::string& meeting_id) {
  Stmt s(
      db_,
      (std::string("SELECT ") + kMeetingColumns + " FROM meetings WHERE meeting_id = ?1").c_str());
  s.Bind(1, meeting_id);
  if (!s.Step()) return std::nullopt;
  return ReadMeeting(s);
}

std::optional<MeetingRecord> SqliteStore::FindMeetingByRequestToken(const std::string& token) {
  Stmt s(db_, (std::string("SELECT ") + kMeetingColumns +
               " FROM meetings WHERE client_request_token = ?1")
                  .c_str());
  s.Bind(1, token);
  if (!s.Step()) return std::nullopt;
  return ReadMeeting(s);
}

bool SqliteStore::DeleteMeeting(const std::string& meeting_id) {
  Stmt s(db_, "DELETE FROM meetings WHERE meeting_id = ?1");
  s.Bind(1, meeting_id).Step();
  return sqlite3_changes(db_) > 0;
}

void SqliteStore::TouchMeeting(const std::string& meeting_id, int64_t now_ms) {
  Stmt s(db_, "UPDATE meetings SET last_active_ms = ?2 WHERE meeting_id = ?1");
  s.Bind(1, meeting_id).Bind(2, now_ms).Step();
}

std::vector<std::string> SqliteStore::ListMeetingIds() {
  std::vector<std::string> out;
  Stmt s(db_, "SELECT meeting_id FROM meetings ORDER BY created_at_ms");
  while (s.Step()) out.push_back(s.Text(0));
  return out;
}

std::vector<std::string> SqliteStore::ListMeetingsIdleSince(int64_t before_ms) {
  std::vector<std::string> out;
  Stmt s(db_, "SELECT meeting_id FROM meetings WHERE last_active_ms < ?1");
  s.Bind(1, before_ms);
  while (s.Step()) out.push_back(s.Text(0));
  return out;
}

int64_t SqliteStore::CountMeetings() {
  Stmt s(db_, "SELECT COUNT(*) FROM meetings");
  s.Step();
  return s.Int(0);
}

void SqliteStore::InsertAttendeesUpTo(std::vector<AttendeeRecord>* attendees,
                                      int64_t max_attendees) {
  Transaction([&] {
    if (max_attendees > 0) {
      std::map<std::string, int64_t> adding;
      for (const AttendeeRecord& a : *attendees) ++adding[a.meeting_id];
      for (const auto& [meeting_id, n] : adding) {
        if (CountAttendees(meeting_id) + n > max_attendees)
          throw StoreLimitExceeded("The meeting already has the maximum of " +
                                   std::to_string(max_attendees) + " attendees");
      }
    }
    for (AttendeeRecord& a : *attendees) {
      Stmt s(db_,
             "INSERT INTO attendees (attendee_id, meeting_id, external_user_id, cap_audio, "
             "cap_video, cap_content, created_at_ms) VALUES (?1,?2,?3,?4,?5,?6,?7)");
      s.Bind(1, a.attendee_id)
          .Bind(2, a.meeting_id)
          .Bind(3, a.external_user_id)
          .Bind(4, a.capabilities_audio)
          .Bind(5, a.capabilities_video)
          .Bind(6, a.capabilities_content)
          .Bind(7, a.created_at_ms);
      s.Step();
      a.seq = sqlite3_last_insert_rowid(db_);
    }
  });
}

std::optional<AttendeeRecord> SqliteStore::GetAttendee(const std::string& meeting_id,
                                                       const std::string& attendee_id) {
  Stmt s(db_, (std::string("SELECT ") + kAttendeeColumns +
               " FROM attendees WHERE meeting_id = ?1 AND attendee_id = ?2")
                  .c_str());
  s.Bind(1, meeting_id).Bind(2, attendee_id);
  if (!s.Step()) return std::nullopt;
  return ReadAttendee(s);
}

std::optional<AttendeeRecord> SqliteStore::FindAttendeeByExternalUserId(
    const std::string& meeting_id, const std::string& external_user_id) {
  Stmt s(db_, (std::string("SELECT ") + kAttendeeColumns +
               " FROM attendees WHERE meeting_id = ?1 AND external_user_id = ?2")
                  .c_str());
  s.Bind(1, meeting_id).Bind(2, external_user_id);
  if (!s.Step()) return std::nullopt;
  return ReadAttendee(s);
}

bool SqliteStore::DeleteAttendee(const std::string& meeting_id, const std::string& attendee_id) {
  Stmt s(db_, "DELETE FROM attendees WHERE meeting_id = ?1 AND attendee_id = ?2");
  s.Bind(1, meeting_id).Bind(2, attendee_id).Step();
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::UpdateAttendeeCapabilities(const std::string& meeting_id,
                                             const std::string& attendee_id,
                                             const std::string& audio, const std::string& video,
                                             const std::string& content) {
  Stmt s(db_,
         "UPDATE attendees SET cap_audio = ?3, cap_video = ?4, cap_content = ?5 "
         "WHERE meeting_id = ?1 AND attendee_id = ?2");
  s.Bind(1, meeting_id).Bind(2, attendee_id).Bind(3, audio).Bind(4, video).Bind(5, content).Step();
  return sqlite3_changes(db_) > 0;
}

std::vector<std::pair<std::string, std::string>> SqliteStore::ListTags(
    const std::string& meeting_id) {
  std::vector<std::pair<std::string, std::string>> out;
  Stmt s(db_, "SELECT key, value FROM meeting_tags WHERE meeting_id = ?1 ORDER BY seq");
  s.Bind(1, meeting_id);
  while (s.Step()) out.emplace_back(s.Text(0), s.Text(1));
  return out;
}

void SqliteStore::SetTags(const std::string& meeting_id,
                          const std::vector<std::pair<std::string, std::string>>& tags) {
  Transaction([&] {
    int64_t seq = 0;
    {
      Stmt m(db_, "SELECT COALESCE(MAX(seq), 0) FROM meeting_tags WHERE meeting_id = ?1");
      m.Bind(1, meeting_id);
      if (m.Step()) seq = m.Int(0);
    }
    for (const auto& [key, value] : tags) {
      // A key already set keeps its place and takes the new value.
      Stmt u(db_, "UPDATE meeting_tags SET value = ?3 WHERE meeting_id = ?1 AND key = ?2");
      u.Bind(1, meeting_id).Bind(2, key).Bind(3, value).Step();
      if (sqlite3_changes(db_) > 0) continue;
      Stmt i(db_, "INSERT INTO meeting_tags (meeting_id, key, value, seq) VALUES (?1, ?2, ?3, ?4)");
      i.Bind(1, meeting_id).Bind(2, key).Bind(3, value).Bind(4, ++seq).Step();
    }
  });
}

void SqliteStore::RemoveTags(const std::string& meeting_id, const std::vector<std::string>& keys) {
  Transaction([&] {
    for (const std::string& key : keys) {
      Stmt d(db_, "DELETE FROM meeting_tags WHERE meeting_id = ?1 AND key = ?2");
      d.Bind(1, meeting_id).Bind(2, key).Step();
    }
  });
}

std::vector<AttendeeRecord> SqliteStore::ListAttendees(const std::string& meeting_id,
                                                       int64_t after_seq, int limit) {
  std::vector<AttendeeRecord> out;
  Stmt s(db_, (std::string("SELECT ") + kAttendeeColumns +
               " FROM attendees WHERE meeting_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
                  .c_str());
  s.Bind(1, meeting_id).Bind(2, after_seq).Bind(3, static_cast<int64_t>(limit));
  while (s.Step()) out.push_back(ReadAttendee(s));
  return out;
}

int64_t SqliteStore::CountAttendees(const std::string& meeting_id) {
  Stmt s(db_, "SELECT COUNT(*) FROM attendees WHERE meeting_id = ?1");
  s.Bind(1, meeting_id).Step();
  return s.Int(0);
}

int64_t SqliteStore::CountAllAttendees() {
  Stmt s(db_, "SELECT COUNT(*) FROM attendees");
  s.Step();
  return s.Int(0);
}

int64_t SqliteStore::EnqueueEvent(const std::string& event_id, const std::string& meeting_id,
                                  const std::string& body, int64_t now_ms,
                                  const std::vector<std::string>& destinations) {
  int64_t seq = 0;
  Transaction([&] {
    Stmt e(db_,
           "INSERT INTO events (event_id, meeting_id, body, created_at_ms) VALUES (?1,?2,?3,?4)");
    e.Bind(1, event_id).Bind(2, meeting_id).Bind(3, body).Bind(4, now_ms).Step();
    seq = sqlite3_last_insert_rowid(db_);
    for (const std::string& d : destinations) {
      Stmt ins(db_, "INSERT INTO event_deliveries (destination, seq) VALUES (?1, ?2)");
      ins.Bind(1, d).Bind(2, seq).Step();
    }
  });
  return seq;
}

std::vector<QueuedEvent> SqliteStore::PendingEvents(const std::string& destination,
                                                    int64_t after_seq, int limit) {
  std::vector<QueuedEvent> out;
  Stmt s(db_,
         "SELECT e.seq, e.event_id, e.meeting_id, e.body FROM event_deliveries d "
         "JOIN events e ON e.seq = d.seq WHERE d.destination = ?1 AND d.seq > ?2 "
         "ORDER BY d.seq LIMIT ?3");
  s.Bind(1, destination).Bind(2, after_seq).Bind(3, static_cast<int64_t>(limit));
  while (s.Step()) out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3)});
  return out;
}

void SqliteStore::DeleteDeliveredEvents(int64_t through_seq) {
  Stmt s(db_,
         "DELETE FROM events WHERE seq <= ?1 AND NOT EXISTS "
         "(SELECT 1 FROM event_deliveries d WHERE d.seq = events.seq)");
  s.Bind(1, through_seq).Step();
}

bool SqliteStore::AckEvent(const std::string& destination, int64_t seq) {
  bool removed = false;
  Transaction([&] {
    Stmt d(db_, "DELETE FROM event_deliveries WHERE destination = ?1 AND seq = ?2");
    d.Bind(1, destination).Bind(2, seq).Step();
    removed = sqlite3_changes(db_) > 0;
    Stmt e(db_,
           "DELETE FROM events WHERE seq = ?1 AND NOT EXISTS "
           "(SELECT 1 FROM event_deliveries d WHERE d.seq = ?1)");
    e.Bind(1, seq).Step();
  });
  return removed;
}

int64_t SqliteStore::DropOldestEvents(const std::string& destination, int64_t n) {
  int64_t highest = 0;
  if (n <= 0) return 0;
  Transaction([&] {
    {
      Stmt m(db_,
             "SELECT MAX(seq) FROM (SELECT seq FROM event_deliveries WHERE destination = ?1 "
             "ORDER BY seq LIMIT ?2)");
      m.Bind(1, destination).Bind(2, n);
      if (m.Step()) highest = m.Int(0);
    }
    if (highest == 0) return;
    Stmt d(db_, "DELETE FROM event_deliveries WHERE destination = ?1 AND seq <= ?2");
    d.Bind(1, destination).Bind(2, highest).Step();
    DeleteDeliveredEvents(highest);
  });
  return highest;
}

int64_t SqliteStore::CountPendingEvents(const std::string& destination) {
  Stmt s(db_, "SELECT COUNT(*) FROM event_deliveries WHERE destination = ?1");
  s.Bind(1, destination).Step();
  return s.Int(0);
}

int64_t SqliteStore::ForgetEventDestinationsExcept(const std::vector<std::string>& keep) {
  int64_t removed = 0;
  Transaction([&] {
    std::vector<std::string> stale;
    {
      Stmt s(db_, "SELECT DISTINCT destination FROM event_deliveries");
      while (s.Step()) {
        std::string d = s.Text(0);
        if (std::find(keep.begin(), keep.end(), d) == keep.end()) stale.push_back(std::move(d));
      }
    }
    for (const std::string& d : stale) {
      Stmt del(db_, "DELETE FROM event_deliveries WHERE destination = ?1");
      del.Bind(1, d).Step();
      removed += sqlite3_changes(db_);
    }
    Stmt all(db_, "SELECT COALESCE(MAX(seq), 0) FROM events");
    all.Step();
    DeleteDeliveredEvents(all.Int(0));
  });
  return removed;
}

void SqliteStore::Transaction(const std::function<void()>& f) {
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

std::unique_ptr<MeetingStore> MeetingStore::Open(const std::string& dir, std::string* error) {
  return SqliteStore::Open(dir, error);
}

}  // namespace sfu::store

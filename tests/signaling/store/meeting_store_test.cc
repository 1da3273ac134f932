// SqliteStore's own behaviour: the data dir, file modes, schema versions, damaged files. What
// both engines do is in store_contract_test.cc and event_queue_test.cc.
#include "signaling/store/meeting_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "signaling/store/sqlite_store.h"
#include "tests/test_util.h"

namespace sfu::store {
namespace {

class MeetingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.path(); }
  std::unique_ptr<MeetingStore> Open() {
    std::string error;
    auto s = MeetingStore::Open(dir_.string(), &error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  static MeetingRecord Meeting(const std::string& id, const std::string& token) {
    MeetingRecord m;
    m.meeting_id = id;
    m.client_request_token = token;
    m.fingerprint = "fp";
    m.media_region = "us-east-1";
    m.external_meeting_id = "ext";
    m.max_attendees = 250;
    m.created_at_ms = m.last_active_ms = 1000;
    return m;
  }
  sfu::testing::ScopedTempDir tmp_;
  std::filesystem::path dir_;
};

TEST_F(MeetingStoreTest, CorruptFileIsAClearError) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "sfu.db") << std::string(8192, 'x');
  std::string error;
  EXPECT_EQ(MeetingStore::Open(dir_.string(), &error), nullptr);
  EXPECT_FALSE(error.empty());
  // The file is left as it was (nothing overwritten).
  EXPECT_EQ(std::filesystem::file_size(dir_ / "sfu.db"), 8192u);
}

TEST_F(MeetingStoreTest, UncreatableDirectoryIsAClearError) {
  // Not creatable even by root (tests run as root here, which ignores permission bits).
  std::string error;
  EXPECT_EQ(MeetingStore::Open("/proc/self/sfu-data-test", &error), nullptr);
  EXPECT_NE(error.find("cannot create data directory"), std::string::npos) << error;
}

TEST_F(MeetingStoreTest, DataDirThatIsAFileIsAClearError) {
  std::filesystem::create_directories(dir_.parent_path());
  std::ofstream(dir_.string()) << "x";
  std::string error;
  EXPECT_EQ(MeetingStore::Open(dir_.string(), &error), nullptr);
  EXPECT_FALSE(error.empty());
  std::filesystem::remove(dir_);
}

TEST_F(MeetingStoreTest, NewerSchemaIsRefused) {
  { auto s = Open(); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "sfu.db").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  std::string error;
  EXPECT_EQ(MeetingStore::Open(dir_.string(), &error), nullptr);
  EXPECT_NE(error.find("newer"), std::string::npos) << error;
}

// A data dir written by the first release (schema 1, frozen here as that build wrote it) opens
// in this build: migrated forward step by step, its meetings, attendees and token secret intact.
TEST_F(MeetingStoreTest, SchemaOneDataDirMigratesForward) {
  std::filesystem::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "sfu.db").string().c_str(), &db), SQLITE_OK);
  const char* v1 = R"sql(
      CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
      CREATE TABLE meetings (
        meeting_id TEXT PRIMARY KEY, client_request_token TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL, media_region TEXT NOT NULL, external_meeting_id TEXT,
        meeting_host_id TEXT, primary_meeting_id TEXT, features_json TEXT NOT NULL,
        tenant_ids_json TEXT NOT NULL, notifications_json TEXT NOT NULL,
        max_attendees INTEGER NOT NULL, created_at_ms INTEGER NOT NULL,
        last_active_ms INTEGER NOT NULL);
      CREATE TABLE attendees (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, attendee_id TEXT NOT NULL UNIQUE,
        meeting_id TEXT NOT NULL REFERENCES meetings(meeting_id) ON DELETE CASCADE,
        external_user_id TEXT NOT NULL,
        cap_audio TEXT NOT NULL, cap_video TEXT NOT NULL, cap_content TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL, UNIQUE (meeting_id, external_user_id));
      CREATE INDEX attendees_by_meeting ON attendees(meeting_id, seq);
      INSERT INTO meta VALUES ('token_secret',
        '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
      INSERT INTO meetings VALUES ('m-old', 'tok', 'fp', 'us-east-1', 'ext', NULL, NULL, '{}',
        '[]', '{}', 250, 1000, 2000);
      INSERT INTO attendees (attendee_id, meeting_id, external_user_id, cap_audio, cap_video,
        cap_content, created_at_ms) VALUES ('a-old', 'm-old', 'alice', 'SendReceive',
        'SendReceive', 'SendReceive', 1500);
      PRAGMA user_version = 1;
    )sql";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  ::chmod(dir_.c_str(), 0700);
  ::chmod((dir_ / "sfu.db").c_str(), 0600);

  auto s = Open();
  ASSERT_TRUE(s);
  std::string secret_hex;
  for (unsigned char c : s->token_secret()) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", c);
    secret_hex += b;
  }
  EXPECT_EQ(secret_hex, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  auto m = s->GetMeeting("m-old");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->last_active_ms, 2000);
  auto a = s->GetAttendee("m-old", "a-old");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->external_user_id, "alice");
  EXPECT_EQ(s->ListMeetingsIdleSince(3000), std::vector<std::string>{"m-old"});
  s.reset();

  ASSERT_EQ(sqlite3_open((dir_ / "sfu.db").string().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), SqliteStore::kSchemaVersion);
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = "
                               "'meetings_by_last_active'",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 1);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

unsigned Mode(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// The store holds the join-token secret, so reading sfu.db forges tokens: a new data dir is
// 0700 and the database and WAL 0600, whatever the umask.
TEST_F(MeetingStoreTest, NewDataDirAndFilesArePrivate) {
  const mode_t old_umask = ::umask(022);
  dir_ = dir_ / "fresh" / "data";
  auto s = Open();
  ::umask(old_umask);
  ASSERT_TRUE(s);
  s->InsertMeeting(Meeting("m1", "t1"));
  EXPECT_EQ(Mode(dir_), 0700u);
  EXPECT_EQ(Mode(dir_ / "sfu.db"), 0600u);
  EXPECT_EQ(Mode(dir_ / "sfu.db-wal"), 0600u);
  EXPECT_TRUE(s->permission_warnings().empty());
}

// A store left readable by an older version is tightened and reported; a wide directory that
// may be the operator's own is only reported.
TEST_F(MeetingStoreTest, WiderPermissionsAreTightenedOrReported) {
  {
    auto s = Open();
    ASSERT_TRUE(s);
    s->InsertMeeting(Meeting("m1", "t1"));
  }
  ::chmod(dir_.c_str(), 0755);
  ::chmod((dir_ / "sfu.db").c_str(), 0644);
  std::ofstream(dir_ / "sfu.db-wal", std::ios::app).flush();
  ::chmod((dir_ / "sfu.db-wal").c_str(), 0644);
  auto s = Open();
  ASSERT_TRUE(s);
  EXPECT_EQ(Mode(dir_ / "sfu.db"), 0600u);
  EXPECT_EQ(Mode(dir_ / "sfu.db-wal"), 0600u);
  EXPECT_EQ(Mode(dir_), 0755u);
  std::string all;
  for (const auto& w : s->permission_warnings()) all += w + "\n";
  EXPECT_NE(all.find("is mode 0755"), std::string::npos) << all;
  EXPECT_NE(all.find("sfu.db was mode 0644"), std::string::npos) << all;
  EXPECT_TRUE(s->GetMeeting("m1"));
}

}  // namespace
}  // namespace sfu::store

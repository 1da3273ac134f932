#pragma once
// The MeetingStore contract tests run against both engines (signaling/store/meeting_store.h):
// TEST_P on a fixture derived from EngineTest, then
//   INSTANTIATE_TEST_SUITE_P(Engines, MyTest, ::testing::Values("sqlite", "redis"), EngineName);
// SQLite opens a fresh data dir per test; Redis uses one private redis-server per test suite
// (tests/redis_server.h), started by the first redis test and emptied (FLUSHALL) before each.
// The Redis store is node "node-a"; meetings inserted with an empty node_id are this node's, so
// its per-node views (ListMeetingIds, counts, idle list, event queue) show them as SQLite does.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "signaling/store/meeting_store.h"
#include "signaling/store/redis_client.h"
#include "signaling/store/redis_store.h"
#include "signaling/store/sqlite_store.h"
#include "tests/redis_server.h"
#include "tests/test_util.h"

namespace sfu::store {

// Short waits: a test that loses Redis should fail fast, not in seconds.
inline RedisTimeouts TestRedisTimeouts() {
  RedisTimeouts t;
  t.connect_ms = 1000;
  t.command_ms = 2000;
  t.reconnect_interval_ms = 20;
  return t;
}

inline RedisAddress AddressOf(const sfu::testing::ScopedRedisServer& server) {
  std::string error;
  std::optional<RedisAddress> a = ParseRedisUrl(server.url(), &error);
  EXPECT_TRUE(a) << error;
  return a.value_or(RedisAddress{});
}

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() { redis_.reset(); }

  void SetUp() override {
    if (redis()) {
      if (!redis_) redis_ = std::make_unique<sfu::testing::ScopedRedisServer>();
      ASSERT_TRUE(redis_->running()) << "cannot start a private redis-server: " << redis_->error();
      std::string error;
      auto c = RedisClient::Connect(AddressOf(*redis_), TestRedisTimeouts(), &error);
      ASSERT_TRUE(c) << error;
      c->Command({"FLUSHALL"});
    }
    store_ = Open();
    ASSERT_TRUE(store_);
  }

  bool redis() const { return GetParam() == "redis"; }

  // A store on the same state: the SQLite file of this test, or node-a on this suite's Redis.
  std::unique_ptr<MeetingStore> Open() {
    std::string error;
    std::unique_ptr<MeetingStore> s;
    if (redis())
      s = RedisStore::Open(AddressOf(*redis_), "node-a", &error, TestRedisTimeouts());
    else
      s = SqliteStore::Open(tmp_.str(), &error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  // A restart: the store is closed and opened again on the same state.
  void Reopen() {
    store_.reset();
    store_ = Open();
    ASSERT_TRUE(store_);
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
  static AttendeeRecord Attendee(const std::string& meeting, const std::string& id,
                                 const std::string& ext) {
    AttendeeRecord a;
    a.meeting_id = meeting;
    a.attendee_id = id;
    a.external_user_id = ext;
    return a;
  }

  static inline std::unique_ptr<sfu::testing::ScopedRedisServer> redis_;
  sfu::testing::ScopedTempDir tmp_;
  std::unique_ptr<MeetingStore> store_;
};

inline std::string EngineName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace sfu::store

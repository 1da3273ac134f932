// RedisClient (signaling/store/redis_client.h): --redis URLs, and the connection against a
// private redis-server (tests/redis_server.h): replies, errors, round trips, authentication,
// databases, the unix socket, a server that goes away and comes back.
#include "signaling/store/redis_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/redis_server.h"
#include "tests/signaling/store/store_engines.h"

namespace sfu::store {
namespace {

struct UrlCase {
  const char* url;
  const char* host;
  int port;
  const char* unix_path;
  const char* user;
  const char* password;
  int db;
};

TEST(ParseRedisUrlTest, Table) {
  const UrlCase cases[] = {
      {"redis://localhost", "localhost", 6379, "", "", "", 0},
      {"redis://10.0.0.5:6380", "10.0.0.5", 6380, "", "", "", 0},
      {"redis://redis.internal:1/15", "redis.internal", 1, "", "", "", 15},
      {"redis://host/", "host", 6379, "", "", "", 0},
      {"redis://host:65535/0", "host", 65535, "", "", "", 0},
      {"redis://:s3cret@host:7000/2", "host", 7000, "", "", "s3cret", 2},
      {"redis://alice:s3cret@host", "host", 6379, "", "alice", "s3cret", 0},
      {"redis://s3cret@host", "host", 6379, "", "", "s3cret", 0},  // password only
      {"redis://:p@ss/w:rd@host:7000/3", "host", 7000, "", "", "p@ss/w:rd", 3},
      {"redis://[::1]:6390", "::1", 6390, "", "", "", 0},
      {"redis://[::1]", "::1", 6379, "", "", "", 0},
      {"redis://:pw@[fe80::1]:1234/4", "fe80::1", 1234, "", "", "pw", 4},
      {"unix:///run/redis/redis.sock", "", 6379, "/run/redis/redis.sock", "", "", 0},
      {"unix:///tmp/r.sock?db=2", "", 6379, "/tmp/r.sock", "", "", 2},
  };
  for (const UrlCase& c : cases) {
    SCOPED_TRACE(c.url);
    std::string error;
    std::optional<RedisAddress> a = ParseRedisUrl(c.url, &error);
    ASSERT_TRUE(a.has_value()) << error;
    EXPECT_EQ(a->host, c.host);
    EXPECT_EQ(a->port, c.port);
    EXPECT_EQ(a->unix_path, c.unix_path);
    EXPECT_EQ(a->user, c.user);
    EXPECT_EQ(a->password, c.password);
    EXPECT_EQ(a->db, c.db);
  }
}

TEST(ParseRedisUrlTest, Errors) {
  const char* const bad[] = {
      "",
      "localhost:6379",
      "http://host:6379",
      "rediss://host:6379",
      "redis://",
      "redis://:6379",
      "redis://host:",
      "redis://host:0",
      "redis://host:65536",
      "redis://host:-1",
      "redis://host:63x9",
      "redis://host/x",
      "redis://host/-1",
      "redis://[::1",
      "redis://[::1]6379",
      "redis://::1:6379",  // IPv6 goes in brackets
      "unix://",
      "unix://relative.sock",
      "unix:///tmp/r.sock?db=x",
      "unix:///tmp/r.sock?db=",
      "unix://?db=1",
  };
  for (const char* url : bad) {
    SCOPED_TRACE(url);
    std::string error;
    EXPECT_FALSE(ParseRedisUrl(url, &error).has_value());
    EXPECT_NE(error.find("--redis"), std::string::npos) << error;
  }
}

TEST(ParseRedisUrlTest, DescribeAndErrorsNeverShowThePassword) {
  std::string error;
  EXPECT_EQ(ParseRedisUrl("redis://:hunter2@h:7000/3", &error)->Describe(), "redis://h:7000/3");
  EXPECT_EQ(ParseRedisUrl("redis://bob:hunter2@h", &error)->Describe(), "redis://h:6379");
  EXPECT_EQ(ParseRedisUrl("redis://[::1]:7000", &error)->Describe(), "redis://[::1]:7000");
  EXPECT_EQ(ParseRedisUrl("unix:///tmp/r.sock?db=2", &error)->Describe(),
            "unix:///tmp/r.sock?db=2");
  EXPECT_EQ(ParseRedisUrl("unix:///tmp/r.sock", &error)->Describe(), "unix:///tmp/r.sock");
  EXPECT_FALSE(ParseRedisUrl("redis://:hunter2@h:99999", &error));
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_NE(error.find("port"), std::string::npos) << error;
  EXPECT_FALSE(ParseRedisUrl("redis://bob:hunter2@h/db", &error));
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
}

class RedisClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<sfu::testing::ScopedRedisServer>(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(server_->running() || server_->Start())
        << "cannot start a private redis-server: " << server_->error();
    client_ = Connect(AddressOf(*server_));
    ASSERT_TRUE(client_);
    client_->Command({"FLUSHALL"});
  }
  static std::unique_ptr<RedisClient> Connect(const RedisAddress& a) {
    std::string error;
    auto c = RedisClient::Connect(a, TestRedisTimeouts(), &error);
    EXPECT_TRUE(c) << error;
    return c;
  }
  static inline std::unique_ptr<sfu::testing::ScopedRedisServer> server_;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisClientTest, RepliesAndRoundTrips) {
  const uint64_t before = client_->round_trips();
  // Binary-safe arguments: nothing is formatted into a command string.
  const std::string value("a\0b %s \r\n", 9);
  EXPECT_EQ(client_->Command({"SET", "k", value}).type, RedisReply::Type::kStatus);
  RedisReply got = client_->Command({"GET", "k"});
  EXPECT_EQ(got.type, RedisReply::Type::kString);
  EXPECT_EQ(got.str, value);
  EXPECT_TRUE(client_->Command({"GET", "absent"}).nil());
  EXPECT_EQ(client_->Command({"INCRBY", "n", "41"}).AsInt(), 41);
  EXPECT_EQ(client_->round_trips(), before + 4);

  std::vector<RedisReply> p = client_->Pipeline({{"INCR", "n"}, {"LPUSH", "n", "x"}, {"GET", "n"}});
  EXPECT_EQ(client_->round_trips(), before + 5);  // one for the pipeline
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].AsInt(), 42);
  EXPECT_EQ(p[1].type, RedisReply::Type::kError);  // returned, not thrown
  EXPECT_EQ(p[2].AsInt(), 42);

  std::vector<RedisReply> t =
      client_->Transaction({{"RPUSH", "l", "a", "b"}, {"LRANGE", "l", "0", "-1"}});
  EXPECT_EQ(client_->round_trips(), before + 6);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].AsInt(), 2);
  ASSERT_EQ(t[1].elements.size(), 2u);
  EXPECT_EQ(t[1].elements[1].str, "b");
  EXPECT_GE(client_->commands(), 4u + 3u + 4u);
}

TEST_F(RedisClientTest, ErrorRepliesThrowStoreErrorNotUnavailable) {
  client_->Command({"SET", "k", "v"});
  try {
    client_->Command({"LPUSH", "k", "x"});
    ADD_FAILURE() << "no throw";
  } catch (const StoreUnavailable& e) {
    ADD_FAILURE() << "StoreUnavailable for an error reply: " << e.what();
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("WRONGTYPE"), std::string::npos) << e.what();
  }
  // A command queued with a bad argument count aborts the whole MULTI/EXEC.
  EXPECT_THROW(client_->Transaction({{"SET", "a", "1"}, {"SET", "b"}}), StoreError);
  EXPECT_TRUE(client_->Command({"GET", "a"}).nil());
  EXPECT_THROW(client_->Eval("return redis.call('NOSUCHCOMMAND')", {}, {}), StoreError);
  EXPECT_TRUE(client_->connected());
  EXPECT_EQ(client_->Command({"PING"}).str, "PONG");
}

TEST_F(RedisClientTest, ScriptsLoadOnceThenRunBySha) {
  const std::string script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
  client_->Command({"SCRIPT", "FLUSH"});
  const uint64_t before = client_->round_trips();
  EXPECT_EQ(client_->Eval(script, {"counter"}, {"5"}).AsInt(), 5);
  EXPECT_EQ(client_->round_trips(), before + 2);  // EVALSHA: NOSCRIPT, then EVAL
  EXPECT_EQ(client_->Eval(script, {"counter"}, {"2"}).AsInt(), 7);
  EXPECT_EQ(client_->round_trips(), before + 3);  // EVALSHA alone
}

TEST_F(RedisClientTest, ConnectingToNothingNamesTheAddress) {
  const int port = server_->port();
  server_->Stop();
  RedisAddress a;
  a.host = "127.0.0.1";
  a.port = port;
  std::string error;
  EXPECT_EQ(RedisClient::Connect(a, TestRedisTimeouts(), &error), nullptr);
  EXPECT_NE(error.find("redis://127.0.0.1:" + std::to_string(port)), std::string::npos) << error;
  ASSERT_TRUE(server_->Start()) << server_->error();
}

// On a server of its own: the password set here must not leak into the other tests.
TEST(RedisClientAuthTest, PasswordAndAclUser) {
  sfu::testing::ScopedRedisServer server;
  ASSERT_TRUE(server.running()) << "cannot start a private redis-server: " << server.error();
  std::string error;
  auto admin = RedisClient::Connect(AddressOf(server), TestRedisTimeouts(), &error);
  ASSERT_TRUE(admin) << error;
  admin->Command({"ACL", "SETUSER", "alice", "on", ">wonderland", "~*", "&*", "+@all"});
  admin->Command({"CONFIG", "SET", "requirepass", "hunter2"});
  RedisAddress a = AddressOf(server);
  EXPECT_EQ(RedisClient::Connect(a, TestRedisTimeouts(), &error), nullptr);
  EXPECT_NE(error.find("NOAUTH"), std::string::npos) << error;

  a.password = "not-the-password";
  EXPECT_EQ(RedisClient::Connect(a, TestRedisTimeouts(), &error), nullptr);
  EXPECT_NE(error.find("AUTH failed"), std::string::npos) << error;
  EXPECT_EQ(error.find("not-the-password"), std::string::npos) << error;

  a.password = "hunter2";
  auto by_password = RedisClient::Connect(a, TestRedisTimeouts(), &error);
  ASSERT_TRUE(by_password) << error;
  EXPECT_EQ(by_password->Command({"ACL", "WHOAMI"}).str, "default");

  std::optional<RedisAddress> as_alice =
      ParseRedisUrl("redis://alice:wonderland@127.0.0.1:" + std::to_string(server.port()), &error);
  ASSERT_TRUE(as_alice) << error;
  auto alice = RedisClient::Connect(*as_alice, TestRedisTimeouts(), &error);
  ASSERT_TRUE(alice) << error;
  EXPECT_EQ(alice->Command({"ACL", "WHOAMI"}).str, "alice");
  as_alice->password = "hunter2";  // the default user's password is not alice's
  EXPECT_EQ(RedisClient::Connect(*as_alice, TestRedisTimeouts(), &error), nullptr);
}

TEST_F(RedisClientTest, DatabaseAndUnixSocket) {
  std::string error;
  std::optional<RedisAddress> a =
      ParseRedisUrl("unix://" + server_->unix_socket() + "?db=3", &error);
  ASSERT_TRUE(a) << error;
  auto db3 = Connect(*a);
  ASSERT_TRUE(db3);
  db3->Command({"SET", "where", "db3"});
  EXPECT_TRUE(client_->Command({"GET", "where"}).nil());  // db 0
  a = ParseRedisUrl(server_->url() + "/3", &error);
  ASSERT_TRUE(a) << error;
  auto tcp3 = Connect(*a);
  ASSERT_TRUE(tcp3);
  EXPECT_EQ(tcp3->Command({"GET", "where"}).str, "db3");
}

// A server that goes away costs callers StoreUnavailable (never a signal, never a hang); the
// client reconnects on its own once the server is back, at most once per reconnect interval.
TEST_F(RedisClientTest, LostServerIsUnavailableThenReconnects) {
  client_->Command({"SET", "k", "v"});
  server_->Stop();
  EXPECT_THROW(client_->Command({"GET", "k"}), StoreUnavailable);
  EXPECT_FALSE(client_->connected());
  EXPECT_THROW(client_->Command({"GET", "k"}), StoreUnavailable);  // refused
  EXPECT_THROW(client_->Pipeline({{"GET", "k"}}), StoreUnavailable);
  EXPECT_THROW(client_->Transaction({{"SET", "k", "v"}}), StoreUnavailable);
  EXPECT_THROW(client_->Eval("return 1", {}, {}), StoreUnavailable);

  ASSERT_TRUE(server_->Start()) << server_->error();
  std::this_thread::sleep_for(std::chrono::milliseconds(TestRedisTimeouts().reconnect_interval_ms));
  EXPECT_EQ(client_->Command({"PING"}).str, "PONG");
  EXPECT_TRUE(client_->connected());
  EXPECT_TRUE(client_->Command({"GET", "k"}).nil());  // nothing persisted
}

// hiredis writes with write(2): a big request to a server that closed the connection would
// raise SIGPIPE and kill the process. It must be a StoreUnavailable like any lost connection.
TEST_F(RedisClientTest, BigWriteToAClosedConnectionIsUnavailableNotSigpipe) {
  ASSERT_EQ(client_->Command({"PING"}).str, "PONG");
  server_->Stop();
  const std::string big(16 << 20, 'x');
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(client_->Command({"SET", "big", big}), StoreUnavailable);
    ASSERT_TRUE(server_->Start()) << server_->error();
    std::this_thread::sleep_for(
        std::chrono::milliseconds(TestRedisTimeouts().reconnect_interval_ms));
    ASSERT_EQ(client_->Command({"PING"}).str, "PONG");
    server_->Stop();
  }
  ASSERT_TRUE(server_->Start()) << server_->error();
}

// The client does not try to reconnect on every call while the server is down: one refused
// attempt per reconnect_interval_ms, the calls in between fail at once.
TEST_F(RedisClientTest, ReconnectAttemptsAreSpaced) {
  RedisTimeouts slow = TestRedisTimeouts();
  slow.reconnect_interval_ms = 60000;
  std::string error;
  auto c = RedisClient::Connect(AddressOf(*server_), slow, &error);
  ASSERT_TRUE(c) << error;
  server_->Stop();
  EXPECT_THROW(c->Command({"PING"}), StoreUnavailable);  // the lost connection
  EXPECT_THROW(c->Command({"PING"}), StoreUnavailable);  // one attempt, refused
  ASSERT_TRUE(server_->Start()) << server_->error();
  // Within the interval: no attempt, although the server is back.
  try {
    c->Command({"PING"});
    ADD_FAILURE() << "reconnected within reconnect_interval_ms";
  } catch (const StoreUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("unavailable"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(c->connected());
}

}  // namespace
}  // namespace sfu::store

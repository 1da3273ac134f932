// RedisStore's own behaviour (signaling/store/redis_store.h): several nodes on one Redis, the
// request-token claim between nodes, per-node views and event queues, a Redis that goes away.
// What it shares with SqliteStore is in store_contract_test.cc and event_queue_test.cc.
#include "signaling/store/redis_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "tests/redis_server.h"
#include "tests/signaling/store/store_engines.h"

namespace sfu::store {
namespace {

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class RedisStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<sfu::testing::ScopedRedisServer>(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(server_->running() || server_->Start())
        << "cannot start a private redis-server: " << server_->error();
    std::string error;
    auto c = RedisClient::Connect(AddressOf(*server_), TestRedisTimeouts(), &error);
    ASSERT_TRUE(c) << error;
    c->Command({"FLUSHALL"});
    a_ = Open("node-a");
    b_ = Open("node-b");
    ASSERT_TRUE(a_ && b_);
  }
  static std::unique_ptr<RedisStore> Open(const std::string& node) {
    std::string error;
    auto s = RedisStore::Open(AddressOf(*server_), node, &error, TestRedisTimeouts());
    EXPECT_TRUE(s) << error;
    return s;
  }
  static MeetingRecord Meeting(const std::string& id, const std::string& token,
                               const std::string& node = "") {
    MeetingRecord m;
    m.meeting_id = id;
    m.client_request_token = token;
    m.fingerprint = "fp";
    m.media_region = "us-east-1";
    m.max_attendees = 250;
    m.created_at_ms = m.last_active_ms = 1000;
    m.node_id = node;
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

  static inline std::unique_ptr<sfu::testing::ScopedRedisServer> server_;
  std::unique_ptr<RedisStore> a_, b_;
};

TEST_F(RedisStoreTest, NodesShareTheTokenSecret) {
  EXPECT_EQ(a_->token_secret().size(), 32u);
  EXPECT_EQ(a_->token_secret(), b_->token_secret());
  EXPECT_EQ(Open("node-c")->token_secret(), a_->token_secret());
  EXPECT_EQ(a_->node_id(), "node-a");
  EXPECT_EQ(a_->Describe(), server_->url());
}

TEST_F(RedisStoreTest, MeetingsAreSharedButListedPerNode) {
  a_->InsertMeeting(Meeting("ma", "ta"));
  b_->InsertMeeting(Meeting("mb", "tb"));
  a_->InsertMeeting(Meeting("mb2", "tb2", "node-b"));  // placed on b by a
  MeetingRecord with_urls = Meeting("mc", "tc", "node-c");
  with_urls.node_http_base = "https://c.example:8443";
  with_urls.node_ws_base = "wss://c.example:8443";
  with_urls.node_media_host = "192.0.2.7";
  a_->InsertMeeting(with_urls);

  // Every node sees every meeting, and where it is.
  for (RedisStore* s : {a_.get(), b_.get()}) {
    EXPECT_EQ(s->GetMeeting("ma")->node_id, "node-a");
    EXPECT_EQ(s->GetMeeting("mb")->node_id, "node-b");
    EXPECT_EQ(s->GetMeeting("mb2")->node_id, "node-b");
    std::optional<MeetingRecord> mc = s->GetMeeting("mc");
    ASSERT_TRUE(mc);
    EXPECT_EQ(mc->node_id, "node-c");
    EXPECT_EQ(mc->node_http_base, "https://c.example:8443");
    EXPECT_EQ(mc->node_ws_base, "wss://c.example:8443");
    EXPECT_EQ(mc->node_media_host, "192.0.2.7");
    EXPECT_EQ(s->FindMeetingByRequestToken("tb")->meeting_id, "mb");
  }
  // Lists and counts are the node's own.
  EXPECT_EQ(a_->ListMeetingIds(), std::vector<std::string>{"ma"});
  EXPECT_EQ(Sorted(b_->ListMeetingIds()), (std::vector<std::string>{"mb", "mb2"}));
  EXPECT_EQ(a_->CountMeetings(), 1);
  EXPECT_EQ(b_->CountMeetings(), 2);
  EXPECT_EQ(a_->ListMeetingIdsOf("node-c"), std::vector<std::string>{"mc"});
  EXPECT_EQ(Sorted(a_->ListMeetingIdsOf("node-b")), (std::vector<std::string>{"mb", "mb2"}));
  EXPECT_TRUE(a_->ListMeetingIdsOf("node-z").empty());

  std::vector<AttendeeRecord> at{Attendee("ma", "a1", "x"), Attendee("mb", "b1", "x"),
                                 Attendee("mb", "b2", "y")};
  a_->InsertAttendees(&at);
  EXPECT_EQ(a_->CountAllAttendees(), 1);
  EXPECT_EQ(b_->CountAllAttendees(), 2);
  EXPECT_EQ(a_->CountAttendees("mb"), 2);  // any node reads any meeting's attendees
  EXPECT_EQ(b_->GetAttendee("ma", "a1")->external_user_id, "x");

  // Idle expiry and touches are the node's own.
  b_->TouchMeeting("mb", 5000);
  a_->TouchMeeting("mb2", 5000);  // not a's: no effect
  EXPECT_TRUE(a_->ListMeetingsIdleSince(500).empty());
  EXPECT_EQ(a_->ListMeetingsIdleSince(2000), std::vector<std::string>{"ma"});
  EXPECT_EQ(b_->ListMeetingsIdleSince(2000), std::vector<std::string>{"mb2"});
  // The hosting node's last activity, whoever asks.
  EXPECT_EQ(a_->GetMeeting("mb")->last_active_ms, 5000);
  EXPECT_EQ(b_->GetMeeting("mb")->last_active_ms, 5000);

  // Any node deletes any meeting, out of its node's list.
  EXPECT_TRUE(a_->DeleteMeeting("mb"));
  EXPECT_EQ(b_->ListMeetingIds(), std::vector<std::string>{"mb2"});
  EXPECT_FALSE(b_->GetMeeting("mb").has_value());
  EXPECT_FALSE(b_->FindMeetingByRequestToken("tb").has_value());
  EXPECT_EQ(b_->CountAllAttendees(), 0);
}

// Two nodes creating a meeting with one ClientRequestToken: the first claims it, the other is
// refused while the first's transaction is open, and finds the first's meeting once committed.
TEST_F(RedisStoreTest, ARequestTokenIsClaimedByOneNode) {
  a_->Transaction([&] {
    a_->InsertMeeting(Meeting("m-a", "shared"));
    EXPECT_THROW(b_->InsertMeeting(Meeting("m-b", "shared")), StoreError);
    std::vector<AttendeeRecord> at{Attendee("m-a", "a1", "alice")};
    a_->InsertAttendees(&at);
  });
  EXPECT_FALSE(b_->GetMeeting("m-b").has_value());
  EXPECT_EQ(b_->FindMeetingByRequestToken("shared")->meeting_id, "m-a");
  EXPECT_THROW(b_->InsertMeeting(Meeting("m-b", "shared")), StoreError);
  EXPECT_EQ(b_->CountMeetings(), 0);

  // A transaction that fails gives its claim back at once (not after the claim's 30 s).
  EXPECT_THROW(a_->Transaction([&] {
    a_->InsertMeeting(Meeting("m-a2", "second"));
    throw std::runtime_error("the request failed");
  }),
               std::runtime_error);
  b_->InsertMeeting(Meeting("m-b2", "second"));
  EXPECT_EQ(a_->FindMeetingByRequestToken("second")->meeting_id, "m-b2");
}

// Another node adding the same ExternalUserId between this node's check and its commit: the
// whole transaction fails (WATCH), nothing of it is written.
TEST_F(RedisStoreTest, AConcurrentAttendeeAbortsTheTransaction) {
  a_->InsertMeeting(Meeting("m1", "t1"));
  std::vector<AttendeeRecord> mine{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "bob")};
  EXPECT_THROW(a_->Transaction([&] {
    a_->SetTags("m1", {{"k", "v"}});
    a_->InsertAttendees(&mine);
    std::vector<AttendeeRecord> theirs{Attendee("m1", "b1", "alice")};
    b_->InsertAttendees(&theirs);
  }),
               StoreError);
  EXPECT_EQ(a_->CountAttendees("m1"), 1);
  EXPECT_EQ(a_->FindAttendeeByExternalUserId("m1", "alice")->attendee_id, "b1");
  EXPECT_FALSE(a_->GetAttendee("m1", "a2").has_value());
  EXPECT_TRUE(a_->ListTags("m1").empty());
  // The store is usable afterwards (no WATCH left behind).
  std::vector<AttendeeRecord> again{Attendee("m1", "a3", "carol")};
  a_->InsertAttendees(&again);
  EXPECT_EQ(a_->CountAttendees("m1"), 2);
}

// Two API nodes take the last seat of a meeting at once: the count is read under the WATCH, so
// the later insert aborts instead of passing the limit (its API answers 500 and the AWS SDK
// retries, to find the meeting full).
TEST_F(RedisStoreTest, TwoNodesCannotBothTakeTheLastSeat) {
  a_->InsertMeeting(Meeting("m1", "t1"));
  std::vector<AttendeeRecord> first{Attendee("m1", "a1", "alice")};
  a_->InsertAttendees(&first);
  std::vector<AttendeeRecord> mine{Attendee("m1", "a2", "bob")};
  EXPECT_THROW(a_->Transaction([&] {
    a_->InsertAttendeesUpTo(&mine, 2);  // counted 1 + 1: fits, not written yet
    std::vector<AttendeeRecord> theirs{Attendee("m1", "b1", "carol")};
    b_->InsertAttendeesUpTo(&theirs, 2);  // the other node takes the seat first
  }),
               StoreError);
  EXPECT_EQ(a_->CountAttendees("m1"), 2);
  EXPECT_FALSE(a_->GetAttendee("m1", "a2").has_value());
  // Retried, it is refused as a limit, and the store is usable afterwards.
  EXPECT_THROW(a_->InsertAttendeesUpTo(&mine, 2), StoreLimitExceeded);
  std::vector<AttendeeRecord> elsewhere{Attendee("m1", "a3", "dave")};
  a_->InsertAttendees(&elsewhere);
  EXPECT_EQ(a_->CountAttendees("m1"), 3);
}

// A refused insert ends its WATCH: the next write of the store does not fail because another
// node changed what the refused insert had read.
TEST_F(RedisStoreTest, ARefusedInsertLeavesNoWatchBehind) {
  a_->InsertMeeting(Meeting("m1", "t1"));
  std::vector<AttendeeRecord> first{Attendee("m1", "a1", "alice")};
  a_->InsertAttendees(&first);
  std::vector<AttendeeRecord> repeat{Attendee("m1", "a2", "alice")};
  EXPECT_THROW(a_->InsertAttendees(&repeat), StoreError);
  EXPECT_THROW(a_->InsertMeeting(Meeting("m1", "t9")), StoreError);
  std::vector<AttendeeRecord> theirs{Attendee("m1", "b1", "bob")};
  b_->InsertAttendees(&theirs);
  b_->SetTags("m1", {{"k", "v"}});
  a_->TouchMeeting("m1", 3000);
  EXPECT_EQ(a_->GetMeeting("m1")->last_active_ms, 3000);
  EXPECT_TRUE(a_->UpdateAttendeeCapabilities("m1", "a1", "None", "None", "None"));
  EXPECT_EQ(a_->GetAttendee("m1", "a1")->capabilities_audio, "None");
  // The refused meeting's token was given back.
  a_->InsertMeeting(Meeting("m9", "t9"));
}

// Two nodes creating one meeting id (ids are random: this is the constraint, not a real race):
// the one that commits first wins, the other's transaction fails whole and gives its token back.
TEST_F(RedisStoreTest, TwoNodesCreatingOneMeetingIdOneWins) {
  EXPECT_THROW(a_->Transaction([&] {
    a_->InsertMeeting(Meeting("m1", "ta"));
    std::vector<AttendeeRecord> at{Attendee("m1", "a1", "alice")};
    a_->InsertAttendees(&at);
    b_->InsertMeeting(Meeting("m1", "tb"));  // commits first
  }),
               StoreError);
  EXPECT_EQ(a_->GetMeeting("m1")->client_request_token, "tb");
  EXPECT_EQ(a_->CountAttendees("m1"), 0);
  EXPECT_FALSE(a_->FindMeetingByRequestToken("ta").has_value());
  a_->InsertMeeting(Meeting("m2", "ta"));
  EXPECT_EQ(b_->FindMeetingByRequestToken("ta")->meeting_id, "m2");
}

TEST_F(RedisStoreTest, EventQueuesArePerNode) {
  const int64_t a1 = a_->EnqueueEvent("e1", "m", "{a1}", 1, {"http://hook/"});
  const int64_t a2 = a_->EnqueueEvent("e2", "m", "{a2}", 2, {"http://hook/"});
  const int64_t b1 = b_->EnqueueEvent("e3", "m", "{b1}", 3, {"http://hook/"});
  EXPECT_EQ(a_->CountPendingEvents("http://hook/"), 2);
  EXPECT_EQ(b_->CountPendingEvents("http://hook/"), 1);
  ASSERT_EQ(b_->PendingEvents("http://hook/", 0, 10).size(), 1u);
  EXPECT_EQ(b_->PendingEvents("http://hook/", 0, 10)[0].body, "{b1}");
  EXPECT_EQ(b1, 1);  // each node counts its own
  EXPECT_FALSE(b_->AckEvent("http://hook/", a2));
  EXPECT_EQ(b_->DropOldestEvents("http://hook/", 5), b1);
  EXPECT_EQ(a_->CountPendingEvents("http://hook/"), 2);
  EXPECT_EQ(b_->ForgetEventDestinationsExcept({}), 0);
  EXPECT_EQ(a_->ForgetEventDestinationsExcept({}), 2);
  EXPECT_LT(a1, a2);
  // A node that restarts finds its own queue.
  b_->EnqueueEvent("e4", "m", "{b2}", 4, {"http://hook/"});
  b_.reset();
  b_ = Open("node-b");
  EXPECT_EQ(b_->CountPendingEvents("http://hook/"), 1);
}

TEST_F(RedisStoreTest, OpenWhereNothingListensNamesTheAddress) {
  sfu::testing::ScopedRedisServer gone;
  ASSERT_TRUE(gone.running()) << gone.error();
  const RedisAddress address = AddressOf(gone);
  gone.Stop();
  std::string error;
  EXPECT_EQ(RedisStore::Open(address, "node-a", &error, TestRedisTimeouts()), nullptr);
  EXPECT_NE(error.find("127.0.0.1:" + std::to_string(gone.port())), std::string::npos) << error;
}

TEST_F(RedisStoreTest, OpenRefusesAMalformedSecret) {
  std::string error;
  auto c = RedisClient::Connect(AddressOf(*server_), TestRedisTimeouts(), &error);
  ASSERT_TRUE(c) << error;
  c->Command({"SET", "sfu:secret", "short"});
  EXPECT_EQ(RedisStore::Open(AddressOf(*server_), "node-a", &error, TestRedisTimeouts()), nullptr);
  EXPECT_NE(error.find("sfu:secret"), std::string::npos) << error;
}

// Redis going away: every call throws StoreUnavailable (a StoreError, so the control API answers
// 503); once it is back the next calls work, without reopening the store.
TEST_F(RedisStoreTest, UnavailableWhileRedisIsDownThenReconnects) {
  a_->InsertMeeting(Meeting("m1", "t1"));
  server_->Stop();
  EXPECT_THROW(a_->GetMeeting("m1"), StoreUnavailable);
  EXPECT_THROW(a_->InsertMeeting(Meeting("m2", "t2")), StoreUnavailable);
  EXPECT_THROW(a_->Transaction([&] { a_->InsertMeeting(Meeting("m2", "t2")); }), StoreUnavailable);
  EXPECT_THROW(a_->ListMeetingIds(), StoreUnavailable);
  EXPECT_THROW(a_->EnqueueEvent("e", "m1", "{}", 1, {"http://hook/"}), StoreUnavailable);
  EXPECT_THROW(a_->DeleteMeeting("m1"), StoreUnavailable);
  try {
    a_->CountMeetings();
    ADD_FAILURE() << "no throw";
  } catch (const StoreError& e) {  // what the control API catches
    EXPECT_NE(dynamic_cast<const StoreUnavailable*>(&e), nullptr);
  }

  ASSERT_TRUE(server_->Start()) << server_->error();
  std::this_thread::sleep_for(std::chrono::milliseconds(TestRedisTimeouts().reconnect_interval_ms));
  // This Redis kept nothing (no persistence in tests): the store works again from empty.
  EXPECT_FALSE(a_->GetMeeting("m1").has_value());
  a_->InsertMeeting(Meeting("m2", "t2"));
  EXPECT_EQ(a_->ListMeetingIds(), std::vector<std::string>{"m2"});
  EXPECT_TRUE(a_->client().connected());
}

// The Redis costs of the control API's common operations (one round trip per pipeline or
// MULTI/EXEC, signaling/store/redis_client.h).
TEST_F(RedisStoreTest, RoundTrips) {
  RedisClient& c = a_->client();
  auto cost = [&](const std::function<void()>& f) {
    const uint64_t before = c.round_trips();
    f();
    return c.round_trips() - before;
  };
  std::vector<AttendeeRecord> at{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "bob")};
  // CreateMeetingWithAttendees: claim + check, attendees check + seq, MULTI/EXEC.
  EXPECT_EQ(cost([&] {
              a_->Transaction([&] {
                a_->InsertMeeting(Meeting("m1", "t1"));
                a_->SetTags("m1", {{"k", "v"}});
                a_->InsertAttendees(&at);
              });
            }),
            3u);
  EXPECT_EQ(cost([&] { a_->GetMeeting("m1"); }), 1u);
  EXPECT_EQ(cost([&] { a_->GetAttendee("m1", "a1"); }), 1u);
  EXPECT_EQ(cost([&] { a_->CountAttendees("m1"); }), 1u);
  EXPECT_EQ(cost([&] { a_->ListAttendees("m1", 0, 10); }), 2u);
  EXPECT_EQ(cost([&] { a_->TouchMeeting("m1", 2000); }), 1u);
  std::vector<AttendeeRecord> one{Attendee("m1", "a3", "carol")};
  EXPECT_EQ(cost([&] { a_->InsertAttendees(&one); }), 2u);
  EXPECT_EQ(cost([&] { a_->EnqueueEvent("e1", "m1", "{}", 1, {"http://a/", "http://b/"}); }), 2u);
  EXPECT_EQ(cost([&] { a_->CountMeetings(); }), 1u);
  // A meeting hosted elsewhere costs one more (its node's last activity).
  b_->InsertMeeting(Meeting("mb", "tb"));
  EXPECT_EQ(cost([&] { a_->GetMeeting("mb"); }), 2u);
}

}  // namespace
}  // namespace sfu::store

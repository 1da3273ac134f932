// The MeetingStore contract (signaling/store/meeting_store.h), for both engines: what the control
// API relies on, whatever holds the state. SQLite-only behaviour (file modes, schema versions,
// a damaged file) is in meeting_store_test.cc; Redis-only behaviour (nodes, reconnects) in
// redis_store_test.cc; the event queue in event_queue_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "tests/signaling/store/store_engines.h"

namespace sfu::store {
namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> Ids(const std::vector<AttendeeRecord>& v) {
  std::vector<std::string> out;
  for (const AttendeeRecord& a : v) out.push_back(a.attendee_id);
  return out;
}

class StoreContractTest : public EngineTest {};

TEST_P(StoreContractTest, MeetingRoundTripKeepsEveryField) {
  MeetingRecord m = Meeting("m1", "t1");
  m.fingerprint = "fingerprint \"quoted\" \xc3\xa9";
  m.media_region = "eu-west-2";
  m.external_meeting_id = "";  // set but empty: not the same as unset
  m.meeting_host_id = "host";
  m.primary_meeting_id = std::nullopt;
  m.meeting_features_json = R"({"Audio":{"EchoReduction":"AVAILABLE"}})";
  m.tenant_ids_json = R"(["t1","t2"])";
  m.notifications_json = R"({"SqsQueueArn":"arn:aws:sqs:x"})";
  m.max_attendees = 17;
  m.created_at_ms = 1700000000123;
  m.last_active_ms = 1700000000456;
  store_->InsertMeeting(m);

  std::optional<MeetingRecord> got = store_->GetMeeting("m1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->meeting_id, "m1");
  EXPECT_EQ(got->client_request_token, "t1");
  EXPECT_EQ(got->fingerprint, m.fingerprint);
  EXPECT_EQ(got->media_region, "eu-west-2");
  EXPECT_EQ(got->external_meeting_id, std::optional<std::string>(""));
  EXPECT_EQ(got->meeting_host_id, std::optional<std::string>("host"));
  EXPECT_FALSE(got->primary_meeting_id.has_value());
  EXPECT_EQ(got->meeting_features_json, m.meeting_features_json);
  EXPECT_EQ(got->tenant_ids_json, m.tenant_ids_json);
  EXPECT_EQ(got->notifications_json, m.notifications_json);
  EXPECT_EQ(got->max_attendees, 17);
  EXPECT_EQ(got->created_at_ms, 1700000000123);
  EXPECT_EQ(got->last_active_ms, 1700000000456);

  EXPECT_FALSE(store_->GetMeeting("m2").has_value());
  EXPECT_EQ(store_->FindMeetingByRequestToken("t1")->meeting_id, "m1");
  EXPECT_FALSE(store_->FindMeetingByRequestToken("t2").has_value());
}

TEST_P(StoreContractTest, StateAndSecretSurviveReopen) {
  const std::string secret = store_->token_secret();
  EXPECT_EQ(secret.size(), 32u);
  store_->InsertMeeting(Meeting("m1", "t1"));
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "bob")};
  store_->InsertAttendees(&a);
  store_->SetTags("m1", {{"k", "v"}});
  Reopen();
  EXPECT_EQ(store_->token_secret(), secret);  // tokens verify after a restart
  ASSERT_TRUE(store_->GetMeeting("m1"));
  EXPECT_EQ(store_->GetMeeting("m1")->external_meeting_id, "ext");
  EXPECT_EQ(store_->FindMeetingByRequestToken("t1")->meeting_id, "m1");
  EXPECT_EQ(store_->CountAttendees("m1"), 2);
  EXPECT_EQ(store_->FindAttendeeByExternalUserId("m1", "bob")->attendee_id, "a2");
  EXPECT_EQ(store_->ListTags("m1"), (Tags{{"k", "v"}}));
  EXPECT_EQ(store_->ListMeetingIds(), std::vector<std::string>{"m1"});
}

TEST_P(StoreContractTest, ARequestTokenOrMeetingIdIsUsedOnce) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  EXPECT_THROW(store_->InsertMeeting(Meeting("m2", "t1")), StoreError);  // token reused
  EXPECT_THROW(store_->InsertMeeting(Meeting("m1", "t2")), StoreError);  // id reused
  EXPECT_EQ(store_->CountMeetings(), 1);
  EXPECT_FALSE(store_->GetMeeting("m2").has_value());
  EXPECT_FALSE(store_->FindMeetingByRequestToken("t2").has_value());
  EXPECT_EQ(store_->GetMeeting("m1")->client_request_token, "t1");
  // Neither failure left a claim behind: the other token is free.
  store_->InsertMeeting(Meeting("m3", "t2"));
  EXPECT_EQ(store_->FindMeetingByRequestToken("t2")->meeting_id, "m3");
}

TEST_P(StoreContractTest, ListsAndCountsMeetings) {
  EXPECT_TRUE(store_->ListMeetingIds().empty());
  EXPECT_EQ(store_->CountMeetings(), 0);
  for (int i = 0; i < 3; ++i)
    store_->InsertMeeting(Meeting("m" + std::to_string(i), "t" + std::to_string(i)));
  EXPECT_EQ(Sorted(store_->ListMeetingIds()), (std::vector<std::string>{"m0", "m1", "m2"}));
  EXPECT_EQ(store_->CountMeetings(), 3);
  store_->DeleteMeeting("m1");
  EXPECT_EQ(Sorted(store_->ListMeetingIds()), (std::vector<std::string>{"m0", "m2"}));
  EXPECT_EQ(store_->CountMeetings(), 2);
}

TEST_P(StoreContractTest, DeleteMeetingCascadesAndFreesItsToken) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  store_->InsertMeeting(Meeting("m2", "t2"));
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "bob"),
                                Attendee("m2", "b1", "carol")};
  store_->InsertAttendees(&a);
  store_->SetTags("m1", {{"team", "a"}});
  EXPECT_EQ(store_->CountAllAttendees(), 3);

  EXPECT_TRUE(store_->DeleteMeeting("m1"));
  EXPECT_FALSE(store_->DeleteMeeting("m1"));
  EXPECT_FALSE(store_->DeleteMeeting("never"));
  EXPECT_FALSE(store_->GetMeeting("m1").has_value());
  EXPECT_FALSE(store_->GetAttendee("m1", "a1").has_value());
  EXPECT_FALSE(store_->FindAttendeeByExternalUserId("m1", "bob").has_value());
  EXPECT_TRUE(store_->ListAttendees("m1", 0, 10).empty());
  EXPECT_EQ(store_->CountAttendees("m1"), 0);
  EXPECT_TRUE(store_->ListTags("m1").empty());
  EXPECT_FALSE(store_->FindMeetingByRequestToken("t1").has_value());
  EXPECT_EQ(store_->CountAllAttendees(), 1);  // m2's are untouched
  EXPECT_TRUE(store_->GetAttendee("m2", "b1").has_value());

  // The meeting and its token can be made again, empty.
  store_->InsertMeeting(Meeting("m1", "t1"));
  EXPECT_EQ(store_->CountAttendees("m1"), 0);
  EXPECT_TRUE(store_->ListTags("m1").empty());
  EXPECT_EQ(store_->FindMeetingByRequestToken("t1")->meeting_id, "m1");
}

TEST_P(StoreContractTest, IdleMeetingsAndTouch) {
  MeetingRecord m1 = Meeting("m1", "t1");
  MeetingRecord m2 = Meeting("m2", "t2");
  MeetingRecord m3 = Meeting("m3", "t3");
  m3.last_active_ms = 2000;
  store_->InsertMeeting(m1);
  store_->InsertMeeting(m2);
  store_->InsertMeeting(m3);
  store_->TouchMeeting("m2", 5000);
  EXPECT_EQ(store_->GetMeeting("m2")->last_active_ms, 5000);
  EXPECT_EQ(store_->GetMeeting("m2")->created_at_ms, 1000);
  EXPECT_EQ(store_->ListMeetingsIdleSince(2000), std::vector<std::string>{"m1"});  // strictly older
  EXPECT_EQ(Sorted(store_->ListMeetingsIdleSince(2001)), (std::vector<std::string>{"m1", "m3"}));
  EXPECT_EQ(Sorted(store_->ListMeetingsIdleSince(5001)),
            (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_TRUE(store_->ListMeetingsIdleSince(1000).empty());
  // Touching a meeting that does not exist makes nothing.
  store_->TouchMeeting("ghost", 9000);
  EXPECT_FALSE(store_->GetMeeting("ghost").has_value());
  EXPECT_EQ(store_->CountMeetings(), 3);
  EXPECT_EQ(store_->ListMeetingsIdleSince(10000).size(), 3u);
}

TEST_P(StoreContractTest, AttendeeRoundTripAndLookups) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  store_->InsertMeeting(Meeting("m2", "t2"));
  AttendeeRecord alice = Attendee("m1", "a1", "alice");
  alice.capabilities_audio = "Send";
  alice.capabilities_video = "Receive";
  alice.capabilities_content = "None";
  alice.created_at_ms = 1234;
  std::vector<AttendeeRecord> a{alice, Attendee("m1", "a2", "bob \xe2\x9c\x93"),
                                Attendee("m2", "b1", "alice")};
  store_->InsertAttendees(&a);
  EXPECT_GT(a[0].seq, 0);
  EXPECT_LT(a[0].seq, a[1].seq);
  EXPECT_LT(a[1].seq, a[2].seq);

  std::optional<AttendeeRecord> got = store_->GetAttendee("m1", "a1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->attendee_id, "a1");
  EXPECT_EQ(got->meeting_id, "m1");
  EXPECT_EQ(got->external_user_id, "alice");
  EXPECT_EQ(got->capabilities_audio, "Send");
  EXPECT_EQ(got->capabilities_video, "Receive");
  EXPECT_EQ(got->capabilities_content, "None");
  EXPECT_EQ(got->created_at_ms, 1234);
  EXPECT_EQ(got->seq, a[0].seq);
  EXPECT_FALSE(store_->GetAttendee("m2", "a1").has_value());  // another meeting's
  EXPECT_FALSE(store_->GetAttendee("m1", "nobody").has_value());

  // The same ExternalUserId in two meetings is two attendees.
  EXPECT_EQ(store_->FindAttendeeByExternalUserId("m1", "alice")->attendee_id, "a1");
  EXPECT_EQ(store_->FindAttendeeByExternalUserId("m2", "alice")->attendee_id, "b1");
  EXPECT_EQ(store_->FindAttendeeByExternalUserId("m1", "bob \xe2\x9c\x93")->attendee_id, "a2");
  EXPECT_FALSE(store_->FindAttendeeByExternalUserId("m1", "carol").has_value());
  EXPECT_FALSE(store_->FindAttendeeByExternalUserId("m3", "alice").has_value());
}

TEST_P(StoreContractTest, DeleteAttendeeFreesItsExternalUserId) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "bob")};
  store_->InsertAttendees(&a);
  EXPECT_FALSE(store_->DeleteAttendee("m2", "a1"));  // wrong meeting
  EXPECT_TRUE(store_->DeleteAttendee("m1", "a1"));
  EXPECT_FALSE(store_->DeleteAttendee("m1", "a1"));
  EXPECT_FALSE(store_->GetAttendee("m1", "a1").has_value());
  EXPECT_FALSE(store_->FindAttendeeByExternalUserId("m1", "alice").has_value());
  EXPECT_EQ(store_->CountAttendees("m1"), 1);
  EXPECT_EQ(Ids(store_->ListAttendees("m1", 0, 10)), std::vector<std::string>{"a2"});
  std::vector<AttendeeRecord> again{Attendee("m1", "a3", "alice")};
  store_->InsertAttendees(&again);
  EXPECT_EQ(store_->FindAttendeeByExternalUserId("m1", "alice")->attendee_id, "a3");
  EXPECT_GT(again[0].seq, a[1].seq);
}

TEST_P(StoreContractTest, PagingBySeq) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  store_->InsertMeeting(Meeting("m2", "t2"));
  std::vector<AttendeeRecord> a;
  for (int i = 0; i < 5; ++i)
    a.push_back(Attendee("m1", "a" + std::to_string(i), "u" + std::to_string(i)));
  std::vector<AttendeeRecord> first(a.begin(), a.begin() + 2), rest(a.begin() + 2, a.end());
  std::vector<AttendeeRecord> other{Attendee("m2", "b0", "u0")};
  store_->InsertAttendees(&first);
  store_->InsertAttendees(&other);  // a seq of another meeting in between
  store_->InsertAttendees(&rest);
  a = first;
  a.insert(a.end(), rest.begin(), rest.end());
  auto page1 = store_->ListAttendees("m1", 0, 2);
  EXPECT_EQ(Ids(page1), (std::vector<std::string>{"a0", "a1"}));
  auto page2 = store_->ListAttendees("m1", page1.back().seq, 2);
  EXPECT_EQ(Ids(page2), (std::vector<std::string>{"a2", "a3"}));
  auto page3 = store_->ListAttendees("m1", page2.back().seq, 2);
  EXPECT_EQ(Ids(page3), std::vector<std::string>{"a4"});
  EXPECT_EQ(page3[0].seq, a[4].seq);
  EXPECT_TRUE(store_->ListAttendees("m1", page3.back().seq, 2).empty());
  EXPECT_EQ(store_->ListAttendees("m1", 0, 100).size(), 5u);
  EXPECT_TRUE(store_->ListAttendees("m1", 0, 0).empty());
  EXPECT_TRUE(store_->ListAttendees("nothing", 0, 10).empty());
  // A deleted attendee leaves no hole in a page.
  store_->DeleteAttendee("m1", "a1");
  EXPECT_EQ(Ids(store_->ListAttendees("m1", 0, 2)), (std::vector<std::string>{"a0", "a2"}));
}

TEST_P(StoreContractTest, CountsAttendees) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  store_->InsertMeeting(Meeting("m2", "t2"));
  EXPECT_EQ(store_->CountAllAttendees(), 0);
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "x"), Attendee("m1", "a2", "y"),
                                Attendee("m2", "b1", "x")};
  store_->InsertAttendees(&a);
  std::vector<AttendeeRecord> none;
  store_->InsertAttendees(&none);
  EXPECT_EQ(store_->CountAttendees("m1"), 2);
  EXPECT_EQ(store_->CountAttendees("m2"), 1);
  EXPECT_EQ(store_->CountAttendees("m3"), 0);
  EXPECT_EQ(store_->CountAllAttendees(), 3);
}

TEST_P(StoreContractTest, AnInsertPastTheAttendeeLimitIsRefusedWhole) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  std::vector<AttendeeRecord> two{Attendee("m1", "a1", "x"), Attendee("m1", "a2", "y")};
  store_->InsertAttendeesUpTo(&two, 3);
  std::vector<AttendeeRecord> more{Attendee("m1", "a3", "z"), Attendee("m1", "a4", "w")};
  EXPECT_THROW(store_->InsertAttendeesUpTo(&more, 3), StoreLimitExceeded);
  EXPECT_EQ(store_->CountAttendees("m1"), 2);
  EXPECT_FALSE(store_->GetAttendee("m1", "a3").has_value());
  // Within a transaction, its earlier inserts count.
  store_->InsertMeeting(Meeting("m2", "t2"));
  EXPECT_THROW(store_->Transaction([&] {
    std::vector<AttendeeRecord> one{Attendee("m2", "b1", "x")};
    store_->InsertAttendeesUpTo(&one, 1);
    std::vector<AttendeeRecord> another{Attendee("m2", "b2", "y")};
    store_->InsertAttendeesUpTo(&another, 1);
  }),
               StoreLimitExceeded);
  EXPECT_EQ(store_->CountAttendees("m2"), 0);
  // The last seat is taken, and 0 means no limit.
  std::vector<AttendeeRecord> last{Attendee("m1", "a5", "v")};
  store_->InsertAttendeesUpTo(&last, 3);
  store_->InsertAttendeesUpTo(&more, 0);
  EXPECT_EQ(store_->CountAttendees("m1"), 5);
}

TEST_P(StoreContractTest, ARepeatedExternalUserIdFailsTheWholeBatch) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  // Within the batch.
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "alice")};
  EXPECT_THROW(store_->InsertAttendees(&a), StoreError);
  EXPECT_EQ(store_->CountAttendees("m1"), 0);
  EXPECT_FALSE(store_->GetAttendee("m1", "a1").has_value());
  EXPECT_FALSE(store_->FindAttendeeByExternalUserId("m1", "alice").has_value());
  // Against an attendee already there.
  std::vector<AttendeeRecord> first{Attendee("m1", "a1", "alice")};
  store_->InsertAttendees(&first);
  std::vector<AttendeeRecord> b{Attendee("m1", "a3", "bob"), Attendee("m1", "a4", "alice")};
  EXPECT_THROW(store_->InsertAttendees(&b), StoreError);
  EXPECT_EQ(store_->CountAttendees("m1"), 1);
  EXPECT_FALSE(store_->GetAttendee("m1", "a3").has_value());
  EXPECT_EQ(store_->FindAttendeeByExternalUserId("m1", "alice")->attendee_id, "a1");
  // An attendee id is used once.
  std::vector<AttendeeRecord> c{Attendee("m1", "a1", "carol")};
  EXPECT_THROW(store_->InsertAttendees(&c), StoreError);
  EXPECT_EQ(store_->GetAttendee("m1", "a1")->external_user_id, "alice");
  EXPECT_FALSE(store_->FindAttendeeByExternalUserId("m1", "carol").has_value());
}

TEST_P(StoreContractTest, AttendeeCapabilitiesUpdate) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "bob")};
  store_->InsertAttendees(&a);
  EXPECT_TRUE(store_->UpdateAttendeeCapabilities("m1", "a1", "Receive", "None", "Send"));
  EXPECT_FALSE(store_->UpdateAttendeeCapabilities("m1", "nobody", "Receive", "None", "None"));
  EXPECT_FALSE(store_->UpdateAttendeeCapabilities("m2", "a1", "Receive", "None", "None"));
  std::optional<AttendeeRecord> got = store_->GetAttendee("m1", "a1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->capabilities_audio, "Receive");
  EXPECT_EQ(got->capabilities_video, "None");
  EXPECT_EQ(got->capabilities_content, "Send");
  // Everything else is kept.
  EXPECT_EQ(got->seq, a[0].seq);
  EXPECT_EQ(got->external_user_id, "alice");
  EXPECT_EQ(store_->FindAttendeeByExternalUserId("m1", "alice")->capabilities_audio, "Receive");
  EXPECT_EQ(store_->GetAttendee("m1", "a2")->capabilities_audio, "SendReceive");
  EXPECT_FALSE(store_->GetAttendee("m1", "nobody").has_value());
}

TEST_P(StoreContractTest, TagsKeepOrderOverwriteInPlaceAndGoWithTheMeeting) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  store_->InsertMeeting(Meeting("m2", "t2"));
  EXPECT_TRUE(store_->ListTags("m1").empty());
  store_->SetTags("m1", {{"team", "a"}, {"cost", "1"}});
  store_->SetTags("m1", {{"env", "prod"}, {"team", "b"}});
  store_->SetTags("m2", {{"team", "other"}});
  store_->SetTags("m1", {});
  EXPECT_EQ(store_->ListTags("m1"), (Tags{{"team", "b"}, {"cost", "1"}, {"env", "prod"}}));
  store_->RemoveTags("m1", {"cost", "absent"});
  store_->RemoveTags("m1", {});
  EXPECT_EQ(store_->ListTags("m1"), (Tags{{"team", "b"}, {"env", "prod"}}));
  // A key removed and set again goes to the end.
  store_->SetTags("m1", {{"cost", "2"}});
  store_->RemoveTags("m1", {"team"});
  store_->SetTags("m1", {{"team", "c"}});
  EXPECT_EQ(store_->ListTags("m1"), (Tags{{"env", "prod"}, {"cost", "2"}, {"team", "c"}}));
  EXPECT_EQ(store_->ListTags("m2"), (Tags{{"team", "other"}}));
  store_->DeleteMeeting("m1");
  EXPECT_TRUE(store_->ListTags("m1").empty());
  EXPECT_EQ(store_->ListTags("m2"), (Tags{{"team", "other"}}));
}

// CreateMeeting's transaction (signaling/control/control_api.cc): meeting, tags and attendees
// commit together.
TEST_P(StoreContractTest, TransactionCommitsEverything) {
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "bob")};
  store_->Transaction([&] {
    store_->InsertMeeting(Meeting("m1", "t1"));
    store_->SetTags("m1", {{"team", "a"}});
    store_->InsertAttendees(&a);
    store_->Transaction([&] {  // nested: joins the outer one
      store_->SetTags("m1", {{"env", "prod"}});
      store_->EnqueueEvent("e1", "m1", "{}", 1000, {"http://a/"});
    });
  });
  EXPECT_TRUE(store_->GetMeeting("m1").has_value());
  EXPECT_EQ(store_->FindMeetingByRequestToken("t1")->meeting_id, "m1");
  EXPECT_EQ(store_->ListTags("m1"), (Tags{{"team", "a"}, {"env", "prod"}}));
  EXPECT_EQ(store_->CountAttendees("m1"), 2);
  EXPECT_LT(a[0].seq, a[1].seq);
  EXPECT_EQ(store_->GetAttendee("m1", "a2")->seq, a[1].seq);
  EXPECT_EQ(store_->CountPendingEvents("http://a/"), 1);
  EXPECT_EQ(Sorted(store_->ListMeetingIds()), std::vector<std::string>{"m1"});
}

TEST_P(StoreContractTest, TransactionCommitsNothingWhenItThrows) {
  store_->InsertMeeting(Meeting("m0", "t0"));
  std::vector<AttendeeRecord> existing{Attendee("m0", "x1", "xavier")};
  store_->InsertAttendees(&existing);
  const int64_t e0 = store_->EnqueueEvent("e0", "m0", "{0}", 900, {"http://a/"});
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice")};
  EXPECT_THROW(store_->Transaction([&] {
    store_->InsertMeeting(Meeting("m1", "t1"));
    store_->SetTags("m1", {{"team", "a"}});
    store_->InsertAttendees(&a);
    store_->SetTags("m0", {{"changed", "yes"}});
    store_->UpdateAttendeeCapabilities("m0", "x1", "None", "None", "None");
    store_->TouchMeeting("m0", 7000);
    store_->EnqueueEvent("e1", "m1", "{1}", 1000, {"http://a/"});
    EXPECT_EQ(store_->DropOldestEvents("http://a/", 1), e0);  // the event dispatcher does this
    store_->Transaction([&] { throw std::runtime_error("inner failure"); });
  }),
               std::runtime_error);
  EXPECT_FALSE(store_->GetMeeting("m1").has_value());
  EXPECT_FALSE(store_->FindMeetingByRequestToken("t1").has_value());
  EXPECT_TRUE(store_->ListTags("m1").empty());
  EXPECT_EQ(store_->CountAttendees("m1"), 0);
  EXPECT_TRUE(store_->ListTags("m0").empty());
  EXPECT_EQ(store_->GetAttendee("m0", "x1")->capabilities_audio, "SendReceive");
  EXPECT_EQ(store_->GetMeeting("m0")->last_active_ms, 1000);
  EXPECT_EQ(store_->CountMeetings(), 1);
  EXPECT_EQ(store_->CountAllAttendees(), 1);
  const auto pending = store_->PendingEvents("http://a/", 0, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].seq, e0);
  // Nothing is left claimed: the same meeting can be created now.
  store_->Transaction([&] {
    store_->InsertMeeting(Meeting("m1", "t1"));
    store_->InsertAttendees(&a);
  });
  EXPECT_EQ(store_->FindMeetingByRequestToken("t1")->meeting_id, "m1");
  EXPECT_EQ(store_->CountAttendees("m1"), 1);
}

// A store error inside the transaction (a repeated ExternalUserId) undoes the meeting made
// before it in the same transaction.
TEST_P(StoreContractTest, AStoreErrorInATransactionUndoesItsEarlierWrites) {
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "alice")};
  EXPECT_THROW(store_->Transaction([&] {
    store_->InsertMeeting(Meeting("m1", "t1"));
    store_->InsertAttendees(&a);
  }),
               StoreError);
  EXPECT_FALSE(store_->GetMeeting("m1").has_value());
  EXPECT_EQ(store_->CountMeetings(), 0);
  EXPECT_EQ(store_->CountAttendees("m1"), 0);
  store_->InsertMeeting(Meeting("m1", "t1"));
  EXPECT_EQ(store_->FindMeetingByRequestToken("t1")->meeting_id, "m1");
}

TEST_P(StoreContractTest, DeleteInsideATransaction) {
  store_->InsertMeeting(Meeting("m1", "t1"));
  store_->InsertMeeting(Meeting("m2", "t2"));
  std::vector<AttendeeRecord> a{Attendee("m1", "a1", "alice"), Attendee("m1", "a2", "bob")};
  store_->InsertAttendees(&a);
  EXPECT_THROW(store_->Transaction([&] {
    EXPECT_TRUE(store_->DeleteMeeting("m2"));
    EXPECT_TRUE(store_->DeleteAttendee("m1", "a1"));
    throw std::runtime_error("undo");
  }),
               std::runtime_error);
  EXPECT_TRUE(store_->GetMeeting("m2").has_value());
  EXPECT_TRUE(store_->GetAttendee("m1", "a1").has_value());
  store_->Transaction([&] {
    EXPECT_TRUE(store_->DeleteMeeting("m2"));
    EXPECT_FALSE(store_->DeleteMeeting("m3"));
    EXPECT_TRUE(store_->DeleteAttendee("m1", "a1"));
  });
  EXPECT_FALSE(store_->GetMeeting("m2").has_value());
  EXPECT_FALSE(store_->FindMeetingByRequestToken("t2").has_value());
  EXPECT_EQ(store_->ListMeetingIds(), std::vector<std::string>{"m1"});
  EXPECT_FALSE(store_->GetAttendee("m1", "a1").has_value());
  EXPECT_EQ(store_->CountAttendees("m1"), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreContractTest, ::testing::Values("sqlite", "redis"),
                         EngineName);

}  // namespace
}  // namespace sfu::store

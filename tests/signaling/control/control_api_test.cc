// Every ControlApi handler through Handle(): happy path and each error, on a real SQLite store.
#include "signaling/control/control_api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "signaling/api/crypto_util.h"
#include "tests/test_util.h"

namespace sfu::api {
namespace {
namespace json = boost::json;
std::string Str(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

class RecordingListener : public ControlApiListener {
 public:
  void OnMeetingCreated(const store::MeetingRecord& m) override { created.push_back(m.meeting_id); }
  void OnMeetingDeleted(const std::string& id, std::string_view reason) override {
    deleted.push_back(id + ":" + std::string(reason));
  }
  void OnAttendeeCreated(const store::AttendeeRecord& a) override {
    attendees.push_back(a.attendee_id);
  }
  void OnAttendeeDeleted(const std::string&, const std::string& a) override {
    removed.push_back(a);
  }
  bool AtCapacity() const override { return at_capacity; }
  std::vector<std::string> created, deleted, attendees, removed;
  bool at_capacity = false;
};

class ControlApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    store_ = store::MeetingStore::Open(dir_.str(), &error);
    ASSERT_TRUE(store_) << error;
    signer_ = std::make_unique<JoinTokenSigner>(store_->token_secret());
    ControlApiConfig config;
    config.limits.max_attendees_per_meeting = 5;
    api_ = std::make_unique<ControlApi>(*store_, *signer_, clock_, config, &listener_);
  }
  struct Reply {
    int status;
    json::value body;
    std::string error_type;
  };
  Reply Call(const std::string& method, const std::string& target, const std::string& body = "") {
    http::HttpRequest req;
    req.method = method;
    const size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.body = body;
    auto result = api_->Handle(req, "req-1");
    Reply r{result.response.status, nullptr, ""};
    if (!result.response.body.empty()) r.body = json::parse(result.response.body);
    if (auto* t = result.response.Header("x-amzn-ErrorType")) r.error_type = *t;
    EXPECT_NE(result.response.Header("x-amzn-RequestId"), nullptr);
    return r;
  }
  std::string CreateMeeting(const std::string& body = "{}") {
    Reply r = Call("POST", "/meetings", body);
    EXPECT_EQ(r.status, 200);
    return std::string(r.body.at("Meeting").at("MeetingId").as_string());
  }
  std::string CreateAttendee(const std::string& meeting, const std::string& user) {
    Reply r = Call("POST", "/meetings/" + meeting + "/attendees",
                   "{\"ExternalUserId\":\"" + user + "\"}");
    EXPECT_EQ(r.status, 200);
    return std::string(r.body.at("Attendee").at("AttendeeId").as_string());
  }

  sfu::testing::ScopedTempDir dir_;
  base::FakeClock clock_;
  RecordingListener listener_;
  std::unique_ptr<store::MeetingStore> store_;
  std::unique_ptr<JoinTokenSigner> signer_;
  std::unique_ptr<ControlApi> api_;
};

TEST_F(ControlApiTest, CreateMeetingReturnsChimeShape) {
  Reply r = Call("POST", "/meetings", R"({"ExternalMeetingId":"room-a","MediaRegion":"eu-west-1",
      "MeetingFeatures":{"Video":{"MaxResolution":"FHD"}}})");
  ASSERT_EQ(r.status, 200);
  const json::object& m = r.body.at("Meeting").as_object();
  const std::string id(m.at("MeetingId").as_string());
  EXPECT_EQ(m.at("ExternalMeetingId"), "room-a");
  EXPECT_EQ(m.at("MediaRegion"), "eu-west-1");
  EXPECT_EQ(Str(m.at("MeetingArn")), "arn:aws:chime:eu-west-1:000000000000:meeting/" + id);
  EXPECT_EQ(m.at("MeetingFeatures").at("Video").at("MaxResolution"), "FHD");
  const json::object& p = m.at("MediaPlacement").as_object();
  EXPECT_EQ(Str(p.at("SignalingUrl")), "ws://127.0.0.1:8080/control/" + id);
  EXPECT_FALSE(p.at("AudioHostUrl").as_string().empty());
  for (const char* k : {"AudioFallbackUrl", "TurnControlUrl", "ScreenDataUrl", "ScreenSharingUrl",
                        "ScreenViewingUrl"})
    EXPECT_TRUE(p.contains(k)) << k;
  EXPECT_FALSE(p.contains("EventIngestionUrl"));
  EXPECT_EQ(listener_.created, std::vector<std::string>{id});
}

TEST_F(ControlApiTest, ClientRequestTokenIsIdempotent) {
  const std::string a = CreateMeeting(R"({"ClientRequestToken":"tok-1","ExternalMeetingId":"x1"})");
  const std::string b = CreateMeeting(R"({"ClientRequestToken":"tok-1","ExternalMeetingId":"x1"})");
  EXPECT_EQ(a, b);
  Reply c = Call("POST", "/meetings", R"({"ClientRequestToken":"tok-1","ExternalMeetingId":"x2"})");
  EXPECT_EQ(c.status, 409);
  EXPECT_EQ(c.error_type, "ConflictException");
  EXPECT_EQ(c.body.at("Code"), "Conflict");
  EXPECT_EQ(c.body.at("RequestId"), "req-1");
  EXPECT_EQ(store_->CountMeetings(), 1);
}

TEST_F(ControlApiTest, GetAndDeleteMeeting) {
  const std::string id = CreateMeeting();
  EXPECT_EQ(Call("GET", "/meetings/" + id).status, 200);
  EXPECT_EQ(Call("DELETE", "/meetings/" + id).status, 204);
  Reply r = Call("GET", "/meetings/" + id);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error_type, "NotFoundException");
  EXPECT_EQ(Call("DELETE", "/meetings/" + id).status, 404);
  EXPECT_EQ(listener_.deleted, std::vector<std::string>{id + ":deleted"});
}

TEST_F(ControlApiTest, CreateAttendeeAndToken) {
  const std::string m = CreateMeeting();
  Reply r = Call("POST", "/meetings/" + m + "/attendees",
                 R"({"ExternalUserId":"alice","Capabilities":{"Video":"Receive"}})");
  ASSERT_EQ(r.status, 200);
  const json::object& a = r.body.at("Attendee").as_object();
  EXPECT_EQ(a.at("ExternalUserId"), "alice");
  EXPECT_EQ(a.at("Capabilities").at("Video"), "Receive");
  auto claims = signer_->Verify(std::string(a.at("JoinToken").as_string()));
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->meeting_id, m);
  EXPECT_EQ(claims->attendee_id, Str(a.at("AttendeeId")));
  // Same ExternalUserId: the same attendee again.
  Reply again = Call("POST", "/meetings/" + m + "/attendees", R"({"ExternalUserId":"alice"})");
  EXPECT_EQ(again.body.at("Attendee").at("AttendeeId"), a.at("AttendeeId"));
  EXPECT_EQ(store_->CountAttendees(m), 1);
}

TEST_F(ControlApiTest, AttendeeErrors) {
  const std::string m = CreateMeeting();
  EXPECT_EQ(Call("POST", "/meetings/nope/attendees", R"({"ExternalUserId":"alice"})").status, 404);
  EXPECT_EQ(Call("POST", "/meetings/" + m + "/attendees", R"({"ExternalUserId":"a"})").status, 400);
  EXPECT_EQ(Call("POST", "/meetings/" + m + "/attendees", "{bad").status, 400);
  EXPECT_EQ(Call("GET", "/meetings/" + m + "/attendees/nope").status, 404);
  EXPECT_EQ(Call("DELETE", "/meetings/" + m + "/attendees/nope").status, 404);
  EXPECT_EQ(store_->CountAttendees(m), 0);
}

TEST_F(ControlApiTest, CapacityIsEnforced) {
  const std::string m = CreateMeeting();
  for (int i = 0; i < 5; ++i) CreateAttendee(m, "user" + std::to_string(i));
  Reply r = Call("POST", "/meetings/" + m + "/attendees", R"({"ExternalUserId":"user5"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "LimitExceededException");
  EXPECT_EQ(store_->CountAttendees(m), 5);
  // An existing attendee can still be fetched again by ExternalUserId.
  EXPECT_EQ(Call("POST", "/meetings/" + m + "/attendees", R"({"ExternalUserId":"user1"})").status,
            200);
}

TEST_F(ControlApiTest, MeetingFeatureMaxCountLowersCapacity) {
  const std::string m = CreateMeeting(R"({"MeetingFeatures":{"Attendee":{"MaxCount":2}}})");
  CreateAttendee(m, "u1");
  CreateAttendee(m, "u2");
  EXPECT_EQ(Call("POST", "/meetings/" + m + "/attendees", R"({"ExternalUserId":"u3"})").status,
            400);
}

TEST_F(ControlApiTest, BatchCreateReportsPerAttendeeErrors) {
  const std::string m = CreateMeeting();
  CreateAttendee(m, "user0");
  Reply r = Call("POST", "/meetings/" + m + "/attendees?operation=batch-create",
                 R"({"Attendees":[{"ExternalUserId":"user0"},{"ExternalUserId":"user1"},
                     {"ExternalUserId":"user2"},{"ExternalUserId":"user3"},{"ExternalUserId":"user4"},
                     {"ExternalUserId":"user5"},{"ExternalUserId":"user6"}]})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("Attendees").as_array().size(), 5u);
  const json::array& errors = r.body.at("Errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(Str(errors[0].at("ExternalUserId")), "user5");
  EXPECT_EQ(errors[0].at("ErrorCode"), "LimitExceeded");
  EXPECT_EQ(store_->CountAttendees(m), 5);
}

TEST_F(ControlApiTest, CreateMeetingWithAttendees) {
  Reply r = Call(
      "POST", "/meetings?operation=create-attendees",
      R"({"ClientRequestToken":"tok-9","Attendees":[{"ExternalUserId":"a1"},{"ExternalUserId":"a2"}]})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("Attendees").as_array().size(), 2u);
  EXPECT_TRUE(r.body.at("Errors").as_array().empty());
  const std::string m(r.body.at("Meeting").at("MeetingId").as_string());
  EXPECT_EQ(store_->CountAttendees(m), 2);
  // Replayed: same meeting and the same attendees, nothing new.
  Reply again = Call(
      "POST", "/meetings?operation=create-attendees",
      R"({"ClientRequestToken":"tok-9","Attendees":[{"ExternalUserId":"a1"},{"ExternalUserId":"a2"}]})");
  EXPECT_EQ(Str(again.body.at("Meeting").at("MeetingId")), m);
  EXPECT_EQ(again.body.at("Attendees").at(0).at("AttendeeId"),
            r.body.at("Attendees").at(0).at("AttendeeId"));
  EXPECT_EQ(store_->CountAttendees(m), 2);
  // Over capacity: nothing is created, not even the meeting.
  std::string big = R"({"Attendees":[)";
  for (int i = 0; i < 6; ++i)
    big += std::string(i ? "," : "") + "{\"ExternalUserId\":\"b" + std::to_string(i) + "\"}";
  EXPECT_EQ(Call("POST", "/meetings?operation=create-attendees", big + "]}").status, 400);
  EXPECT_EQ(store_->CountMeetings(), 1);
}

TEST_F(ControlApiTest, ListAttendeesPages) {
  const std::string m = CreateMeeting();
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) created.insert(CreateAttendee(m, "user" + std::to_string(i)));
  std::set<std::string> seen;
  std::string next;
  int pages = 0;
  do {
    Reply r = Call("GET", "/meetings/" + m + "/attendees?max-results=2" +
                              (next.empty() ? "" : "&next-token=" + next));
    ASSERT_EQ(r.status, 200);
    for (auto& a : r.body.at("Attendees").as_array())
      seen.insert(std::string(a.at("AttendeeId").as_string()));
    const auto* n = r.body.as_object().if_contains("NextToken");
    next = n ? std::string(n->as_string()) : "";
    ++pages;
  } while (!next.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, created);
  EXPECT_EQ(Call("GET", "/meetings/" + m + "/attendees?max-results=0").status, 400);
  EXPECT_EQ(Call("GET", "/meetings/" + m + "/attendees?max-results=101").status, 400);
  EXPECT_EQ(Call("GET", "/meetings/" + m + "/attendees?next-token=garbage!").status, 400);
  EXPECT_EQ(Call("GET", "/meetings/nope/attendees").status, 404);
}

// A well-formed token with more digits than an int64 holds is refused, not overflowed (the old
// decoder multiplied 20 digits into a signed integer: undefined behaviour, and a page from
// wherever the wrapped number pointed).
// Every shard overloaded: new meetings are refused with the status the AWS SDK retries, nothing is
// stored; meetings in progress still get attendees.
TEST_F(ControlApiTest, AtCapacityCreateMeetingIs503) {
  const std::string m = CreateMeeting();
  listener_.at_capacity = true;
  Reply r = Call("POST", "/meetings", "{}");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body.at("Code").as_string(), "ServiceUnavailable");
  EXPECT_EQ(Call("POST", "/meetings?operation=create-attendees",
                 "{\"Attendees\":[{\"ExternalUserId\":\"u1\"}]}")
                .status,
            503);
  EXPECT_EQ(listener_.created.size(), 1u);
  CreateAttendee(m, "late-joiner");
  listener_.at_capacity = false;
  EXPECT_EQ(Call("POST", "/meetings", "{}").status, 200);
}

TEST_F(ControlApiTest, OversizeNextTokenIsRefused) {
  const std::string m = CreateMeeting();
  CreateAttendee(m, "user");
  for (const char* digits :
       {"99999999999999999999", "9223372036854775808", "18446744073709551617"}) {
    const std::string token = Base64UrlEncode(std::string("seq:") + digits);
    EXPECT_EQ(Call("GET", "/meetings/" + m + "/attendees?next-token=" + token).status, 400)
        << digits;
  }
  // The largest accepted token still works (an empty page past every attendee).
  const std::string big = Base64UrlEncode("seq:999999999999999999");
  EXPECT_EQ(Call("GET", "/meetings/" + m + "/attendees?next-token=" + big).status, 200);
}

TEST_F(ControlApiTest, GetAndDeleteAttendee) {
  const std::string m = CreateMeeting();
  const std::string a = CreateAttendee(m, "alice");
  EXPECT_EQ(Call("GET", "/meetings/" + m + "/attendees/" + a).status, 200);
  EXPECT_EQ(Call("DELETE", "/meetings/" + m + "/attendees/" + a).status, 204);
  EXPECT_EQ(Call("GET", "/meetings/" + m + "/attendees/" + a).status, 404);
  EXPECT_EQ(listener_.removed, std::vector<std::string>{a});
}

TEST_F(ControlApiTest, UnknownOperation) {
  Reply r = Call("PUT", "/meetings");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Call("POST", "/meetings?operation=explode").status, 404);
  EXPECT_EQ(Call("GET", "/meetings/a/b/c/d/e").status, 404);
}

TEST_F(ControlApiTest, IdleMeetingsExpire) {
  const std::string m1 = CreateMeeting();
  clock_.AdvanceMs(60'000);
  const std::string m2 = CreateMeeting();
  clock_.AdvanceMs(250'000);  // m1 idle 310 s, m2 250 s
  EXPECT_EQ(api_->ExpireIdleMeetings(300'000, [](const std::string&) { return false; }), 1);
  EXPECT_EQ(Call("GET", "/meetings/" + m1).status, 404);
  EXPECT_EQ(Call("GET", "/meetings/" + m2).status, 200);
  // A meeting with someone connected is kept and its clock restarts.
  clock_.AdvanceMs(100'000);
  EXPECT_EQ(api_->ExpireIdleMeetings(300'000, [](const std::string&) { return true; }), 0);
  EXPECT_EQ(Call("GET", "/meetings/" + m2).status, 200);
  EXPECT_EQ(listener_.deleted, std::vector<std::string>{m1 + ":expired"});
}

// Replica meetings (docs/DESIGN.md, "Replica meetings").
TEST_F(ControlApiTest, ReplicaNeedsAnExistingPrimaryThatIsNotAReplica) {
  const std::string primary = CreateMeeting(R"({"ExternalMeetingId":"main-room"})");
  Reply unknown =
      Call("POST", "/meetings", R"({"PrimaryMeetingId":"00000000-0000-4000-8000-000000000000"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.error_type, "BadRequestException");
  EXPECT_EQ(Str(unknown.body.at("Message")),
            "The primary meeting 00000000-0000-4000-8000-000000000000 was not found");

  Reply r = Call("POST", "/meetings", R"({"PrimaryMeetingId":")" + primary + R"("})");
  ASSERT_EQ(r.status, 200);
  const std::string replica(r.body.at("Meeting").at("MeetingId").as_string());
  EXPECT_EQ(Str(r.body.at("Meeting").at("PrimaryMeetingId")), primary);
  EXPECT_EQ(Str(Call("GET", "/meetings/" + replica).body.at("Meeting").at("PrimaryMeetingId")),
            primary);

  Reply chained = Call("POST", "/meetings", R"({"PrimaryMeetingId":")" + replica + R"("})");
  EXPECT_EQ(chained.status, 400);
  EXPECT_EQ(chained.error_type, "BadRequestException");
  EXPECT_NE(Str(chained.body.at("Message")).find("is itself a replica meeting"), std::string::npos);
  // CreateMeetingWithAttendees follows the same rules and creates nothing when refused.
  Reply with =
      Call("POST", "/meetings?operation=create-attendees",
           R"({"PrimaryMeetingId":")" + replica + R"(","Attendees":[{"ExternalUserId":"u"}]})");
  EXPECT_EQ(with.status, 400);
  EXPECT_EQ(store_->CountMeetings(), 2);
  EXPECT_EQ(api_->known_replica_count(), 1u);
}

TEST_F(ControlApiTest, ReplicaHasItsOwnAttendees) {
  const std::string primary = CreateMeeting();
  const std::string a = CreateAttendee(primary, "alice");
  Reply r = Call("POST", "/meetings?operation=create-attendees",
                 R"({"PrimaryMeetingId":")" + primary +
                     R"(","Attendees":[{"ExternalUserId":"alice"},{"ExternalUserId":"v2"}]})");
  ASSERT_EQ(r.status, 200);
  const std::string replica(r.body.at("Meeting").at("MeetingId").as_string());
  const std::string v1 = CreateAttendee(replica, "v1");
  // The same ExternalUserId in the replica is another attendee, with a token for the replica.
  const std::string replica_alice(r.body.at("Attendees").at(0).at("AttendeeId").as_string());
  EXPECT_NE(replica_alice, a);
  EXPECT_EQ(
      Call("GET", "/meetings/" + replica + "/attendees").body.at("Attendees").as_array().size(),
      3u);
  EXPECT_EQ(
      Call("GET", "/meetings/" + primary + "/attendees").body.at("Attendees").as_array().size(),
      1u);
  auto claims = signer_->Verify(std::string(Call("GET", "/meetings/" + replica + "/attendees/" + v1)
                                                .body.at("Attendee")
                                                .at("JoinToken")
                                                .as_string()));
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->meeting_id, replica);
}

TEST_F(ControlApiTest, EndingAPrimaryEndsItsReplicasButNotTheOtherWayRound) {
  const std::string primary = CreateMeeting();
  const std::string other = CreateMeeting();
  const std::string r1 = CreateMeeting(R"({"PrimaryMeetingId":")" + primary + R"("})");
  const std::string r2 = CreateMeeting(R"({"PrimaryMeetingId":")" + primary + R"("})");
  const std::string r3 = CreateMeeting(R"({"PrimaryMeetingId":")" + other + R"("})");
  CreateAttendee(r1, "viewer");
  // A replica ends alone.
  EXPECT_EQ(Call("DELETE", "/meetings/" + r2).status, 204);
  EXPECT_EQ(Call("GET", "/meetings/" + primary).status, 200);
  EXPECT_EQ(listener_.deleted, std::vector<std::string>{r2 + ":deleted"});
  // The primary takes its remaining replica with it (its sessions get the usual end).
  EXPECT_EQ(Call("DELETE", "/meetings/" + primary).status, 204);
  EXPECT_EQ(Call("GET", "/meetings/" + r1).status, 404);
  EXPECT_EQ(Call("GET", "/meetings/" + r1 + "/attendees").status, 404);
  EXPECT_EQ(listener_.deleted, (std::vector<std::string>{r2 + ":deleted", primary + ":deleted",
                                                         r1 + ":primary_ended"}));
  EXPECT_EQ(Call("GET", "/meetings/" + r3).status, 200);
  EXPECT_EQ(api_->known_replica_count(), 1u);
  EXPECT_EQ(api_->EndReplicasOf(primary), 0);  // idempotent
}

TEST_F(ControlApiTest, ExpiredPrimaryEndsItsReplicas) {
  const std::string primary = CreateMeeting();
  clock_.AdvanceMs(200'000);
  const std::string replica = CreateMeeting(R"({"PrimaryMeetingId":")" + primary + R"("})");
  clock_.AdvanceMs(150'000);  // the primary idle 350 s, the replica 150 s
  EXPECT_EQ(api_->ExpireIdleMeetings(300'000, [](const std::string&) { return false; }), 1);
  EXPECT_EQ(Call("GET", "/meetings/" + replica).status, 404);
  EXPECT_EQ(listener_.deleted,
            (std::vector<std::string>{primary + ":expired", replica + ":primary_ended"}));
}

TEST_F(ControlApiTest, ARestartedServerLearnsItsReplicasFromTheStore) {
  const std::string primary = CreateMeeting();
  const std::string replica = CreateMeeting(R"({"PrimaryMeetingId":")" + primary + R"("})");
  // A new API over the same store (a restart): without NoteMeeting it would not know.
  api_ = std::make_unique<ControlApi>(*store_, *signer_, clock_, ControlApiConfig{}, &listener_);
  EXPECT_EQ(api_->known_replica_count(), 0u);
  for (const std::string& id : store_->ListMeetingIds()) api_->NoteMeeting(*store_->GetMeeting(id));
  EXPECT_EQ(api_->known_replica_count(), 1u);
  EXPECT_EQ(Call("DELETE", "/meetings/" + primary).status, 204);
  EXPECT_EQ(Call("GET", "/meetings/" + replica).status, 404);
  // A primary deleted elsewhere (another node's API in cluster mode): EndReplicasOf still works.
  const std::string p2 = CreateMeeting();
  const std::string r2 = CreateMeeting(R"({"PrimaryMeetingId":")" + p2 + R"("})");
  ASSERT_TRUE(store_->DeleteMeeting(p2));
  EXPECT_EQ(api_->EndReplicasOf(p2), 1);
  EXPECT_EQ(Call("GET", "/meetings/" + r2).status, 404);
}

}  // namespace
}  // namespace sfu::api

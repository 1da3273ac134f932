// The meeting app's backend (signaling/control/app_join.h) on a real store: a join creates the
// meeting and an attendee, a second join by the same name finds the meeting, and each refusal
// (off, method, content type, body, password, rate) answers clearly and creates nothing.
#include "signaling/control/app_join.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "signaling/api/crypto_util.h"
#include "tests/test_util.h"

namespace sfu::api {
namespace {
namespace json = boost::json;

class FakeClock : public base::Clock {
 public:
  int64_t NowUnixMs() const override { return 1'700'000'000'000 + ms; }
  int64_t NowSteadyMs() const override { return ms; }
  int64_t ms = 0;
};

class AppJoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    store_ = store::MeetingStore::Open(dir_.str(), &error);
    ASSERT_TRUE(store_) << error;
    signer_ = std::make_unique<JoinTokenSigner>(store_->token_secret());
    ControlApiConfig config;
    config.http_base = "http://127.0.0.1:8080";
    config.ws_base = "ws://127.0.0.1:8080";
    api_ = std::make_unique<ControlApi>(*store_, *signer_, clock_, config, nullptr);
  }
  void Make(AppJoinConfig c) { app_ = std::make_unique<AppJoin>(*api_, clock_, std::move(c)); }

  http::HttpResponse Post(const std::string& body, const std::string& remote = "192.0.2.7",
                          const std::string& type = "application/json",
                          const std::string& host = "") {
    http::HttpRequest req;
    req.method = "POST";
    req.path = "/app/join";
    req.body = body;
    req.remote_address = remote;
    if (!type.empty()) req.headers.emplace_back("Content-Type", type);
    if (!host.empty()) req.headers.emplace_back("Host", host);
    return app_->Join(req);
  }
  static json::object Body(const http::HttpResponse& r) { return json::parse(r.body).as_object(); }
  static std::string Str(const json::value& v) { return std::string(v.as_string()); }

  sfu::testing::ScopedTempDir dir_;
  FakeClock clock_;
  std::unique_ptr<store::MeetingStore> store_;
  std::unique_ptr<JoinTokenSigner> signer_;
  std::unique_ptr<ControlApi> api_;
  std::unique_ptr<AppJoin> app_;
};

TEST_F(AppJoinTest, CreatesThenFindsTheMeetingByName) {
  Make({});
  http::HttpResponse a = Post(R"({"meeting":"Team Standup","name":"Ada"})");
  ASSERT_EQ(a.status, 200) << a.body;
  json::object first = Body(a);
  const json::object& meeting = first["Meeting"].as_object();
  const json::object& attendee = first["Attendee"].as_object();
  EXPECT_EQ(Str(meeting.at("ExternalMeetingId")), "team-standup");
  EXPECT_EQ(Str(meeting.at("MediaPlacement").at("SignalingUrl")),
            "ws://127.0.0.1:8080/control/" + Str(meeting.at("MeetingId")));
  const std::string external = Str(attendee.at("ExternalUserId"));
  ASSERT_EQ(external.size(), 12u);
  EXPECT_EQ(external.substr(8), "#Ada");
  EXPECT_TRUE(signer_->Verify(Str(attendee.at("JoinToken"))).has_value());

  // Another person, same name in another spelling: same meeting, another attendee.
  http::HttpResponse b = Post(R"({"meeting":"team-standup","name":"Ada"})");
  ASSERT_EQ(b.status, 200) << b.body;
  json::object second = Body(b);
  EXPECT_EQ(Str(second["Meeting"].at("MeetingId")), Str(meeting.at("MeetingId")));
  EXPECT_NE(Str(second["Attendee"].at("AttendeeId")), Str(attendee.at("AttendeeId")));
  EXPECT_EQ(store_->CountMeetings(), 1);
  EXPECT_EQ(store_->CountAttendees(Str(meeting.at("MeetingId"))), 2);
}

TEST_F(AppJoinTest, AnEndedMeetingIsMadeAgain) {
  Make({});
  const std::string id =
      Str(Body(Post(R"({"meeting":"retro","name":"Ada"})"))["Meeting"].at("MeetingId"));
  ASSERT_TRUE(api_->EndMeeting(id, "expired"));
  const std::string again =
      Str(Body(Post(R"({"meeting":"retro","name":"Ada"})"))["Meeting"].at("MeetingId"));
  EXPECT_NE(again, id);
  EXPECT_EQ(store_->CountMeetings(), 1);
}

TEST_F(AppJoinTest, ApiMeetingsWithTheSameExternalIdAreNotJoinedByName) {
  Make({});
  http::HttpRequest create;
  create.method = "POST";
  create.path = "/meetings";
  create.body = R"({"ExternalMeetingId":"board"})";
  ControlApi::Result r = api_->Handle(create, "r");
  ASSERT_EQ(r.response.status, 200);
  const std::string api_meeting = Str(Body(r.response)["Meeting"].at("MeetingId"));
  const std::string app_meeting =
      Str(Body(Post(R"({"meeting":"board","name":"Eve"})"))["Meeting"].at("MeetingId"));
  EXPECT_NE(app_meeting, api_meeting);
  EXPECT_EQ(store_->CountAttendees(api_meeting), 0);
}

TEST_F(AppJoinTest, UrlsNameTheHostTheBrowserUsed) {
  AppJoinConfig c;
  c.tls = true;
  Make(c);
  json::object body = Body(Post(R"({"meeting":"lan","name":"Ada"})", "192.0.2.7",
                                "application/json", "192.168.1.10:8443"));
  const json::object& p = body["Meeting"].at("MediaPlacement").as_object();
  EXPECT_EQ(Str(p.at("SignalingUrl")).rfind("wss://192.168.1.10:8443/control/", 0), 0u);
  EXPECT_EQ(Str(p.at("TurnControlUrl")), "https://192.168.1.10:8443/v2/turn_sessions");
  EXPECT_EQ(Str(p.at("AudioHostUrl")), api_->config().media_host);

  // A Host that is not a plain host[:port] is ignored; so is any Host with an explicit URL.
  body = Body(
      Post(R"({"meeting":"lan","name":"Bo"})", "192.0.2.7", "application/json", "evil.example/x?"));
  EXPECT_EQ(Str(body["Meeting"].at("MediaPlacement").at("SignalingUrl")).rfind("ws://127.0.0.1", 0),
            0u);
  c.urls_from_host = false;
  Make(c);
  body = Body(Post(R"({"meeting":"lan","name":"Cy"})", "192.0.2.8", "application/json",
                   "192.168.1.10:8443"));
  EXPECT_EQ(Str(body["Meeting"].at("MediaPlacement").at("SignalingUrl")).rfind("ws://127.0.0.1", 0),
            0u);
}

TEST_F(AppJoinTest, PlainHosts) {
  EXPECT_TRUE(AppJoin::IsPlainHost("localhost"));
  EXPECT_TRUE(AppJoin::IsPlainHost("meet.example.com:443"));
  EXPECT_TRUE(AppJoin::IsPlainHost("10.0.0.5:8080"));
  EXPECT_TRUE(AppJoin::IsPlainHost("[::1]:8080"));
  EXPECT_TRUE(AppJoin::IsPlainHost("[fe80::1]"));
  EXPECT_FALSE(AppJoin::IsPlainHost(""));
  EXPECT_FALSE(AppJoin::IsPlainHost(":80"));
  EXPECT_FALSE(AppJoin::IsPlainHost("a b"));
  EXPECT_FALSE(AppJoin::IsPlainHost("host:"));
  EXPECT_FALSE(AppJoin::IsPlainHost("host:123456"));
  EXPECT_FALSE(AppJoin::IsPlainHost("user@host"));
  EXPECT_FALSE(AppJoin::IsPlainHost("[::1"));
  EXPECT_FALSE(AppJoin::IsPlainHost("[zz]"));
}

TEST_F(AppJoinTest, RefusalsCreateNothing) {
  AppJoinConfig c;
  c.password = "open sesame";
  Make(c);
  struct Case {
    http::HttpResponse response;
    int status;
    const char* type;
    const char* message_part;
  };
  const Case cases[] = {
      {Post(R"({"meeting":"m1","name":"Ada"})"), 403, "ForbiddenException", "needs its password"},
      {Post(R"({"meeting":"m1","name":"Ada","password":"open"})"), 403, "ForbiddenException",
       "Wrong password"},
      {Post(R"({"meeting":"m1","name":"Ada","password":"open sesame"})", "192.0.2.7", "text/plain"),
       415, "UnsupportedMediaTypeException", "application/json"},
      {Post(R"({"meeting":"m1","name":"Ada","password":"open sesame"})", "192.0.2.7", ""), 415,
       "UnsupportedMediaTypeException", "application/json"},
      {Post(R"({"meeting":"m1","password":"open sesame"})"), 400, "BadRequestException",
       "name (your name) is required"},
      {Post(R"({"meeting":"m1","name":")" + std::string(41, 'n') +
            R"(","password":"open sesame"})"),
       400, "BadRequestException", "1 to 40"},
      {Post("not json"), 400, "BadRequestException", "not valid JSON"},
  };
  for (const Case& k : cases) {
    EXPECT_EQ(k.response.status, k.status) << k.response.body;
    ASSERT_NE(k.response.Header("x-amzn-ErrorType"), nullptr);
    EXPECT_EQ(*k.response.Header("x-amzn-ErrorType"), k.type);
    EXPECT_NE(k.response.body.find(k.message_part), std::string::npos) << k.response.body;
  }
  EXPECT_EQ(store_->CountMeetings(), 0);
  EXPECT_EQ(Post(R"({"meeting":"m1","name":"Ada","password":"open sesame"})").status, 200);
  EXPECT_EQ(store_->CountMeetings(), 1);
}

TEST_F(AppJoinTest, MethodAndOff) {
  Make({});
  http::HttpRequest get;
  get.method = "GET";
  get.path = "/app/join";
  http::HttpResponse r = app_->Join(get);
  EXPECT_EQ(r.status, 405);
  ASSERT_NE(r.Header("Allow"), nullptr);
  EXPECT_EQ(*r.Header("Allow"), "POST");

  http::HttpResponse info = app_->Info(get);
  EXPECT_EQ(info.status, 200);
  EXPECT_EQ(info.body, R"({"passwordRequired":false})");

  AppJoinConfig off;
  off.enabled = false;
  Make(off);
  EXPECT_EQ(Post(R"({"meeting":"m1","name":"Ada"})").status, 404);
  EXPECT_EQ(app_->Info(get).status, 404);
  EXPECT_EQ(store_->CountMeetings(), 0);
}

TEST_F(AppJoinTest, RateLimitPerAddress) {
  AppJoinConfig c;
  c.joins_per_minute = 3;
  Make(c);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Post(R"({"meeting":"busy","name":"P)" + std::to_string(i) + "\"}").status, 200);
  http::HttpResponse r = Post(R"({"meeting":"busy","name":"P9"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("at most 3 a minute"), std::string::npos) << r.body;
  ASSERT_NE(r.Header("Retry-After"), nullptr);
  // Refused before anything is read: a bad body is still 429, and wrong passwords count too.
  EXPECT_EQ(Post("garbage").status, 429);
  // Another address has its own bucket; 20 s later this one has a token again.
  EXPECT_EQ(Post(R"({"meeting":"busy","name":"Q"})", "198.51.100.1").status, 200);
  clock_.ms += 20'000;
  EXPECT_EQ(Post(R"({"meeting":"busy","name":"P9"})").status, 200);
  EXPECT_EQ(store_->CountAttendees(
                Str(Body(Post(R"({"meeting":"busy","name":"Z"})", "203.0.113.9"))["Meeting"].at(
                    "MeetingId"))),
            6);
}

}  // namespace
}  // namespace sfu::api

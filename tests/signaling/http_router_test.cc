#include "signaling/http_router.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/log.h"
#include "signaling/api/sigv4.h"
#include "tests/test_util.h"

namespace sfu::signaling {
namespace {

class HttpRouterTest : public ::testing::Test {
 protected:
  void Build(std::map<std::string, std::string, std::less<>> keys, double rate = 10,
             double burst = 20) {
    std::string error;
    store_ = store::MeetingStore::Open(dir_.str(), &error);
    ASSERT_TRUE(store_) << error;
    signer_ = std::make_unique<api::JoinTokenSigner>(store_->token_secret());
    api_ = std::make_unique<api::ControlApi>(*store_, *signer_, clock_, api::ControlApiConfig{},
                                             nullptr);
    limiter_ = std::make_unique<api::TokenBucketLimiter>(rate, burst);
    HttpRouterConfig config;
    config.api_keys = std::move(keys);
    router_ = std::make_unique<HttpRouter>(*api_, metrics_, *limiter_, clock_, config);
  }
  http::HttpRequest Request(std::string method, std::string path, std::string body = "",
                            bool loopback = true) {
    http::HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.remote_address = loopback ? "127.0.0.1" : "192.0.2.7";
    r.remote_is_loopback = loopback;
    r.headers = {{"Host", "127.0.0.1:8080"}, {"Content-Type", "application/json"}};
    return r;
  }
  void Sign(http::HttpRequest& r, const std::string& key, const std::string& secret) {
    r.headers.emplace_back("X-Amz-Date", api::FormatAmzDate(clock_.NowUnixMs()));
    api::SigV4Request s{r.method, r.path, r.query, &r.headers, r.body};
    r.headers.emplace_back("Authorization", api::SignSigV4(s, key, secret, "us-east-1", "chime",
                                                           api::FormatAmzDate(clock_.NowUnixMs())));
  }

  sfu::testing::ScopedTempDir dir_;
  base::FakeClock clock_;
  metrics::ServerMetrics exposition_{{"test", "abc", "none"}};
  SignalingMetrics metrics_{exposition_};
  std::unique_ptr<store::MeetingStore> store_;
  std::unique_ptr<api::JoinTokenSigner> signer_;
  std::unique_ptr<api::ControlApi> api_;
  std::unique_ptr<api::TokenBucketLimiter> limiter_;
  std::unique_ptr<HttpRouter> router_;
};

TEST_F(HttpRouterTest, HealthReadyMetrics) {
  Build({});
  EXPECT_EQ(router_->Handle(Request("GET", "/healthz")).status, 200);
  EXPECT_EQ(router_->Handle(Request("GET", "/readyz")).status, 200);
  router_->set_ready_check([](std::string* why) {
    *why = "shards down";
    return false;
  });
  auto notready = router_->Handle(Request("GET", "/readyz"));
  EXPECT_EQ(notready.status, 503);
  EXPECT_NE(notready.body.find("shards down"), std::string::npos);
  router_->Handle(Request("POST", "/meetings", "{}"));
  auto m = router_->Handle(Request("GET", "/metrics"));
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("sfu_api_requests_total{operation=\"CreateMeeting\",status=\"200\"} 1"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("sfu_build_info{"), std::string::npos);
  EXPECT_NE(m.body.find("process_cpu_seconds_total"), std::string::npos);
  EXPECT_NE(m.body.find("process_resident_memory_bytes"), std::string::npos);
  EXPECT_NE(m.body.find("sfu_api_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_EQ(router_->Handle(Request("GET", "/nope")).status, 404);
  EXPECT_EQ(router_->Handle(Request("POST", "/metrics")).status, 405);
}

// Joins and refusals are in /metrics at zero before the first session, so dashboards and alerts
// (deploy/grafana/sfu-server.json) see 0 rather than no data.
TEST_F(HttpRouterTest, SignalingSeriesAreExposedAtZeroBeforeAnyJoin) {
  Build({});
  const std::string body = router_->Handle(Request("GET", "/metrics")).body;
  EXPECT_NE(body.find("sfu_signaling_frames_total{direction=\"in\",type=\"JOIN\"} 0"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("sfu_signaling_frames_total{direction=\"out\",type=\"JOIN_ACK\"} 0"),
            std::string::npos);
  for (const char* reason : kRefusalReasons) {
    EXPECT_NE(body.find(std::string("sfu_signaling_refusals_total{reason=\"") + reason + "\"} 0"),
              std::string::npos)
        << reason;
  }
}

std::vector<std::string> g_lines;
void Capture(std::string_view line) { g_lines.emplace_back(line); }

// Anyone can send a bad signature; the refusal is answered every time but logged at most once
// per 10 s, with the number held back.
TEST_F(HttpRouterTest, RefusedSignaturesAreLoggedAtARateLimit) {
  Build({{"AKID", "secret"}});
  g_lines.clear();
  base::SetLogSink(&Capture);
  for (int i = 0; i < 200; ++i) {
    auto r = Request("POST", "/meetings", "{}");
    Sign(r, "AKID", "wrong-secret");
    EXPECT_EQ(router_->Handle(r).status, 403);
  }
  clock_.AdvanceMs(10'000);
  auto r = Request("POST", "/meetings", "{}");
  Sign(r, "AKID", "wrong-secret");
  router_->Handle(r);
  base::SetLogSink(nullptr);
  std::vector<std::string> refusals;
  for (const auto& l : g_lines)
    if (l.find("api request refused") != std::string::npos) refusals.push_back(l);
  ASSERT_EQ(refusals.size(), 2u);
  EXPECT_NE(refusals[1].find("refusals_not_logged=199"), std::string::npos) << refusals[1];
}

// A captured signed CreateMeeting sent again within its 15-minute window must not create a
// second meeting; with a ClientRequestToken the replay is harmless (the same meeting comes back),
// and idempotent calls are not affected.
TEST_F(HttpRouterTest, ReplayedSignatureOfANonIdempotentCallIsRefused) {
  Build({{"AKID", "secret"}});
  auto create = Request("POST", "/meetings", "{\"ExternalMeetingId\":\"meeting-1\"}");
  Sign(create, "AKID", "secret");
  EXPECT_EQ(router_->Handle(create).status, 200);
  clock_.AdvanceMs(60'000);
  auto replay = router_->Handle(create);
  EXPECT_EQ(replay.status, 403);
  EXPECT_NE(replay.body.find("already used"), std::string::npos) << replay.body;
  EXPECT_EQ(store_->CountMeetings(), 1);

  auto with_token = Request("POST", "/meetings", "{\"ClientRequestToken\":\"token-0001\"}");
  Sign(with_token, "AKID", "secret");
  auto first = router_->Handle(with_token);
  auto again = router_->Handle(with_token);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(first.body, again.body);
  EXPECT_EQ(store_->CountMeetings(), 2);

  // After the window the old signature is refused by the clock-skew rule instead.
  clock_.AdvanceMs(15 * 60'000);
  EXPECT_EQ(router_->Handle(create).status, 403);
  EXPECT_EQ(store_->CountMeetings(), 2);
}

TEST_F(HttpRouterTest, NoKeysMeansLoopbackOnly) {
  Build({});
  EXPECT_EQ(router_->Handle(Request("POST", "/meetings", "{}")).status, 200);
  auto remote = router_->Handle(Request("POST", "/meetings", "{}", /*loopback=*/false));
  EXPECT_EQ(remote.status, 403);
  EXPECT_EQ(*remote.Header("x-amzn-ErrorType"), "ForbiddenException");
  EXPECT_EQ(store_->CountMeetings(), 1);
}

TEST_F(HttpRouterTest, SignedRequestsWithKeys) {
  Build({{"AKID", "s3cret"}});
  auto good = Request("POST", "/meetings", "{}", false);
  Sign(good, "AKID", "s3cret");
  EXPECT_EQ(router_->Handle(good).status, 200);
  auto bad = Request("POST", "/meetings", "{}");
  Sign(bad, "AKID", "wrong");
  auto r = router_->Handle(bad);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(*r.Header("x-amzn-ErrorType"), "ForbiddenException");
  EXPECT_NE(r.Header("x-amzn-RequestId"), nullptr);
  // Unsigned is refused even from loopback once keys exist.
  EXPECT_EQ(router_->Handle(Request("POST", "/meetings", "{}")).status, 403);
  auto garbage = Request("POST", "/meetings", "{}");
  garbage.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 nonsense");
  EXPECT_EQ(router_->Handle(garbage).status, 403);
  EXPECT_EQ(store_->CountMeetings(), 1);
}

TEST_F(HttpRouterTest, RateLimitAnswers429) {
  Build({}, 10, 20);
  int ok = 0, throttled = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = router_->Handle(Request("POST", "/meetings", "{}"));
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++throttled;
      EXPECT_EQ(*r.Header("x-amzn-ErrorType"), "ThrottlingException");
    }
  }
  EXPECT_EQ(ok, 20);
  EXPECT_EQ(throttled, 10);
  EXPECT_EQ(store_->CountMeetings(), 20);
  clock_.AdvanceMs(1000);  // 10 more tokens
  EXPECT_EQ(router_->Handle(Request("POST", "/meetings", "{}")).status, 200);
}

}  // namespace
}  // namespace sfu::signaling

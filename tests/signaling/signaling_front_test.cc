// The signaling front over real loopback sockets: the Beast listener, token checks, close codes,
// JOIN/INDEX/PING/LEAVE, bad frames and floods, and server-initiated ends (410/411), driven by
// loadtest's SignalingClient.
#include "signaling/signaling_front.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <boost/json.hpp>
#include <future>
#include <thread>

#include "loadtest/signaling_client.h"
#include "metrics/server_metrics.h"
#include "signaling/api/control_api.h"
#include "signaling/http/http_server.h"
#include "signaling/signaling_hub.h"
#include "tests/test_util.h"

namespace sfu::signaling {
namespace {
namespace asio = boost::asio;
using loadtest::SignalingClient;
using proto::SdkSignalFrame;
using namespace std::chrono_literals;

class HubListener : public api::ControlApiListener {
 public:
  explicit HubListener(SignalingHub& hub) : hub_(hub) {}
  void OnMeetingCreated(const store::MeetingRecord&) override {}
  void OnMeetingDeleted(const std::string& id, std::string_view) override { hub_.EndMeeting(id); }
  void OnAttendeeCreated(const store::AttendeeRecord&) override {}
  void OnAttendeeDeleted(const std::string& m, const std::string& a) override { hub_.RemoveAttendee(m, a); }

 private:
  SignalingHub& hub_;
};

class SignalingFrontTest : public ::testing::Test {
 protected:
  template <class F>
  auto OnControl(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    asio::post(ioc_, [&task] { task(); });
    return fut.get();
  }

  void SetUp() override {
    std::string error;
    store_ = store::MeetingStore::Open(dir_.str(), &error);
    ASSERT_TRUE(store_) << error;
    signer_ = std::make_unique<api::JoinTokenSigner>(store_->token_secret());
    api_ = std::make_unique<api::ControlApi>(*store_, *signer_, clock_, api::ControlApiConfig{}, &listener_);
    SignalingLimits limits;
    limits.frames_per_second = 50;
    limits.frame_burst = 100;
    front_ = std::make_unique<SignalingFront>(*store_, *signer_, hub_, metrics_, clock_, limits);
    http::HttpServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    server_ = std::make_unique<http::HttpServer>(ioc_, config, [](const http::HttpRequest&) {
      http::HttpResponse r;
      r.status = 404;
      return r;
    });
    server_->SetUpgradeHandler([this](const http::HttpRequest& req, std::shared_ptr<ws::WsConnection> c) {
      return front_->OnUpgrade(req, std::move(c));
    });
    ASSERT_TRUE(server_->Start(&error)) << error;
    port_ = server_->port();
    thread_ = std::thread([this] { ioc_.run(); });
  }

  void TearDown() override {
    OnControl([this] {
      server_->Stop();
      return 0;
    });
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  // Creates through the API on the control thread; returns the parsed JSON body.
  boost::json::value Api(const std::string& method, const std::string& path, const std::string& body = "") {
    return OnControl([&] {
      http::HttpRequest req;
      req.method = method;
      const size_t q = path.find('?');
      req.path = path.substr(0, q);
      if (q != std::string::npos) req.query = path.substr(q + 1);
      req.body = body;
      auto r = api_->Handle(req, "test");
      return r.response.body.empty() ? boost::json::value() : boost::json::parse(r.response.body);
    });
  }
  std::string NewMeeting() { return std::string(Api("POST", "/meetings", "{}").at("Meeting").at("MeetingId").as_string()); }
  std::pair<std::string, std::string> NewAttendee(const std::string& meeting, const std::string& user) {
    auto a = Api("POST", "/meetings/" + meeting + "/attendees", "{\"ExternalUserId\":\"" + user + "\"}").at("Attendee");
    return {std::string(a.at("AttendeeId").as_string()), std::string(a.at("JoinToken").as_string())};
  }

  std::unique_ptr<SignalingClient> Join(const std::string& meeting, const std::string& token,
                                        SignalingClient::TokenVia via = SignalingClient::TokenVia::kSubprotocol) {
    auto c = std::make_unique<SignalingClient>();
    std::string error;
    EXPECT_TRUE(c->Connect("127.0.0.1", port_, meeting, token, via, &error)) << error;
    c->Send(proto::MakeFrame(SdkSignalFrame::JOIN));
    EXPECT_TRUE(c->ReceiveType(SdkSignalFrame::JOIN_ACK, 3000ms).has_value());
    EXPECT_TRUE(c->ReceiveType(SdkSignalFrame::INDEX, 3000ms).has_value());
    return c;
  }

  uint16_t RefusalCode(const std::string& meeting, const std::string& token) {
    SignalingClient c;
    std::string error;
    if (!c.Connect("127.0.0.1", port_, meeting, token, SignalingClient::TokenVia::kSubprotocol, &error)) return 1;
    return c.WaitForClose(3000ms);
  }

  bool PingPong(SignalingClient& c, uint32_t id) {
    c.Send(proto::MakePingPong(proto::PING, id));
    auto f = c.ReceiveType(SdkSignalFrame::PING_PONG, 3000ms);
    return f && f->ping_pong().type() == proto::PONG && f->ping_pong().ping_id() == id;
  }

  sfu::testing::ScopedTempDir dir_;
  base::SystemClock clock_;
  metrics::ServerMetrics metrics_{{"test", "t", "none"}};
  SignalingHub hub_;
  HubListener listener_{hub_};
  std::unique_ptr<store::MeetingStore> store_;
  std::unique_ptr<api::JoinTokenSigner> signer_;
  std::unique_ptr<api::ControlApi> api_;
  std::unique_ptr<SignalingFront> front_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(SignalingFrontTest, JoinWithSubprotocolGetsJoinAckIndexAndPong) {
  const std::string m = NewMeeting();
  auto [aid, token] = NewAttendee(m, "alice");
  SignalingClient c;
  std::string error;
  ASSERT_TRUE(c.Connect("127.0.0.1", port_, m, token, SignalingClient::TokenVia::kSubprotocol, &error)) << error;
  EXPECT_EQ(c.accepted_subprotocol(), "_aws_wt_session");
  c.Send(proto::MakeFrame(SdkSignalFrame::JOIN));
  auto ack = c.ReceiveType(SdkSignalFrame::JOIN_ACK, 3000ms);
  ASSERT_TRUE(ack);
  EXPECT_TRUE(ack->has_joinack());
  EXPECT_FALSE(ack->joinack().has_turn_credentials()) << "no TURN: host candidates against ICE-lite";
  auto index = c.ReceiveType(SdkSignalFrame::INDEX, 3000ms);
  ASSERT_TRUE(index);
  EXPECT_EQ(index->index().num_participants(), 1u);
  EXPECT_TRUE(PingPong(c, 7));
  EXPECT_TRUE(PingPong(c, 8));
  c.Send(proto::MakeFrame(SdkSignalFrame::LEAVE));
  EXPECT_TRUE(c.ReceiveType(SdkSignalFrame::LEAVE_ACK, 3000ms));
}

TEST_F(SignalingFrontTest, CookieTokenWorksToo) {
  const std::string m = NewMeeting();
  auto [aid, token] = NewAttendee(m, "cpp-client");
  auto c = Join(m, token, SignalingClient::TokenVia::kCookie);
  EXPECT_EQ(c->accepted_subprotocol(), "");
  EXPECT_TRUE(PingPong(*c, 1));
  EXPECT_EQ(OnControl([&] { return hub_.JoinedCount(m); }), 1u);
}

TEST_F(SignalingFrontTest, RefusalsUseTheCloseCodesTheClientUnderstands) {
  const std::string m1 = NewMeeting();
  const std::string m2 = NewMeeting();
  auto [a1, t1] = NewAttendee(m1, "alice");
  auto [a2, t2] = NewAttendee(m1, "bob");
  EXPECT_EQ(RefusalCode(m1, "garbage-token"), 4403);
  EXPECT_EQ(RefusalCode(m1, t1.substr(0, 65) + (t1.back() == 'A' ? "B" : "A")), 4403);  // forged
  EXPECT_EQ(RefusalCode(m2, t1), 4403);  // token for another meeting: nothing learned about m2
  Api("DELETE", "/meetings/" + m1 + "/attendees/" + a2);
  EXPECT_EQ(RefusalCode(m1, t2), 4403);  // revoked with its attendee
  Api("DELETE", "/meetings/" + m1);
  EXPECT_EQ(RefusalCode(m1, t1), 4410);  // meeting ended
  // A path that is not /control/<id> is not a WebSocket endpoint at all.
  SignalingClient c;
  std::string error;
  EXPECT_FALSE(c.Connect("127.0.0.1", port_, "x/y", t1, SignalingClient::TokenVia::kSubprotocol, &error));
}

TEST_F(SignalingFrontTest, BadFramesAreDroppedAndAFloodIsClosedWhileOthersContinue) {
  const std::string m = NewMeeting();
  auto [a1, t1] = NewAttendee(m, "victim");
  auto [a2, t2] = NewAttendee(m, "abuser");
  auto good = Join(m, t1);
  auto bad = Join(m, t2);
  // Garbage, truncated, wrong prefix, a frame without its sub-message, a text frame's worth of
  // bytes: all dropped; the session still answers.
  const std::vector<std::vector<uint8_t>> junk = {
      {}, {0x05}, {0x07, 0x08, 0x01}, {0x05, 0xff, 0xff, 0xff}, {0x05, 0x08, 0x01, 0x10, 0x01}};
  for (const auto& j : junk) bad->SendRaw(j);
  EXPECT_TRUE(PingPong(*bad, 99));
  // 1,000 frames as fast as possible: closed with 1008.
  for (int i = 0; i < 1000 && !bad->closed(); ++i) bad->Send(proto::MakePingPong(proto::PING, static_cast<uint32_t>(i)));
  EXPECT_EQ(bad->WaitForClose(5000ms), 1008);
  // The other attendee is unharmed.
  EXPECT_TRUE(PingPong(*good, 5));
}

TEST_F(SignalingFrontTest, DeletingAttendeeAndMeetingSendStatusBeforeClosing) {
  const std::string m = NewMeeting();
  auto [a1, t1] = NewAttendee(m, "one");
  auto [a2, t2] = NewAttendee(m, "two");
  auto c1 = Join(m, t1);
  auto c2 = Join(m, t2);
  Api("DELETE", "/meetings/" + m + "/attendees/" + a1);
  auto status = c1->ReceiveType(SdkSignalFrame::AUDIO_STATUS, 3000ms);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->audio_status().audio_status(), 411u);
  EXPECT_NE(c1->WaitForClose(3000ms), 0);
  Api("DELETE", "/meetings/" + m);
  status = c2->ReceiveType(SdkSignalFrame::AUDIO_STATUS, 3000ms);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->audio_status().audio_status(), 410u);
  EXPECT_NE(c2->WaitForClose(3000ms), 0);
}

}  // namespace
}  // namespace sfu::signaling

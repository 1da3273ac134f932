#pragma once
// The signaling front in-process over real loopback sockets (Beast listener, control API on a
// control thread, one media shard), as the signaling and mixer tests use it.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "loadtest/signaling_client.h"
#include "metrics/server_metrics.h"
#include "sfu/shard_set.h"
#include "signaling/control/control_api.h"
#include "signaling/http/http_server.h"
#include "signaling/sdp/session_description.h"
#include "signaling/signaling_front.h"
#include "signaling/signaling_hub.h"
#include "signaling/signaling_metrics.h"
#include "tests/test_util.h"
#include "transport/dtls/dtls_context.h"
#include "transport/tls/tls_server_context.h"

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
  void OnAttendeeDeleted(const std::string& m, const std::string& a) override {
    hub_.RemoveAttendee(m, a);
  }
  void OnAttendeeCapabilitiesChanged(const store::AttendeeRecord& a) override {
    hub_.SetCapabilities(a.meeting_id, a.attendee_id, a.capabilities_audio, a.capabilities_video,
                         a.capabilities_content);
  }

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
    api_ = std::make_unique<api::ControlApi>(*store_, *signer_, clock_, api::ControlApiConfig{},
                                             &listener_);
    SignalingLimits limits;
    limits.frames_per_second = 50;
    limits.frame_burst = 100;
    dtls_ = transport::DtlsContext::Create(&error);
    ASSERT_TRUE(dtls_) << error;
    shards_ = std::make_unique<ShardSet>(1, "127.0.0.1", 0, dtls_.get());
    if (turn_) {  // as sfu-server does, with a self-signed certificate
      turn_tls_ = transport::TlsServerContext::Create("", "", {"127.0.0.1"}, &error);
      ASSERT_TRUE(turn_tls_) << error;
      ShardTurn turn;
      turn.tls = turn_tls_.get();
      turn.secret = kTurnSecret;
      turn.announce_ips = {"127.0.0.1"};
      shards_->EnableTurn(0, turn);
    }
    ASSERT_TRUE(shards_->Start(&error)) << error;
    shards_->SetOverloadLateTicks(0);  // a shared test machine: late ticks are not the server's
    media_ = MediaContext{shards_.get(),
                          dtls_.get(),
                          {"127.0.0.1"},
                          [this](std::function<void()> task) { asio::post(ioc_, std::move(task)); },
                          {},
                          25,
                          {}};
    if (turn_) {
      media_.turn.secret = kTurnSecret;
      media_.turn.policy = TurnOffer::Policy::kAlways;
    }
    front_ = std::make_unique<SignalingFront>(*store_, *signer_, hub_, metrics_, clock_, limits,
                                              &media_);
    http::HttpServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    server_ = std::make_unique<http::HttpServer>(ioc_, config, [](const http::HttpRequest&) {
      http::HttpResponse r;
      r.status = 404;
      return r;
    });
    server_->SetUpgradeHandler(
        [this](const http::HttpRequest& req, std::shared_ptr<ws::WsConnection> c) {
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
    shards_->Stop();
  }

  // Creates through the API on the control thread; returns the parsed JSON body.
  boost::json::value Api(const std::string& method, const std::string& path,
                         const std::string& body = "") {
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
  std::string NewMeeting() {
    return std::string(Api("POST", "/meetings", "{}").at("Meeting").at("MeetingId").as_string());
  }
  std::pair<std::string, std::string> NewAttendee(const std::string& meeting,
                                                  const std::string& user) {
    auto a =
        Api("POST", "/meetings/" + meeting + "/attendees", "{\"ExternalUserId\":\"" + user + "\"}")
            .at("Attendee");
    return {std::string(a.at("AttendeeId").as_string()),
            std::string(a.at("JoinToken").as_string())};
  }

  std::unique_ptr<SignalingClient> Join(
      const std::string& meeting, const std::string& token,
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
    if (!c.Connect("127.0.0.1", port_, meeting, token, SignalingClient::TokenVia::kSubprotocol,
                   &error))
      return 1;
    return c.WaitForClose(3000ms);
  }

  template <class F>
  bool WaitForShard(F f) {
    for (int i = 0; i < 300 && !f(); ++i) std::this_thread::sleep_for(10ms);
    return f();
  }

  bool PingPong(SignalingClient& c, uint32_t id) {
    c.Send(proto::MakePingPong(proto::PING, id));
    auto f = c.ReceiveType(SdkSignalFrame::PING_PONG, 3000ms);
    return f && f->ping_pong().type() == proto::PONG && f->ping_pong().ping_id() == id;
  }

  // Set before SetUp (in a subclass's constructor): the shard runs the embedded TURN server
  // (TCP and TLS) and every JOIN_ACK carries credentials for it (`--turn-policy always`).
  bool turn_ = false;
  static constexpr char kTurnSecret[] = "test-turn-secret";
  std::unique_ptr<transport::DtlsContext> dtls_;
  std::unique_ptr<transport::TlsServerContext> turn_tls_;
  std::unique_ptr<ShardSet> shards_;
  MediaContext media_;
  sfu::testing::ScopedTempDir dir_;
  base::SystemClock clock_;
  metrics::ServerMetrics exposition_{{"test", "t", "none"}};
  SignalingMetrics metrics_{exposition_};
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

std::string ChromeOffer() {
  std::ifstream in(std::string(SFU_TEST_DATA_DIR) + "/chrome_offer.sdp");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SdkSignalFrame Subscribe(const std::string& sdp, bool muted = false) {
  SdkSignalFrame f = proto::MakeFrame(SdkSignalFrame::SUBSCRIBE);
  f.mutable_sub()->set_sdp_offer(sdp);
  f.mutable_sub()->set_audio_host("host");
  f.mutable_sub()->set_audio_muted(muted);
  return f;
}

class SignalingMeetingTest : public SignalingFrontTest {
 protected:
  // Joins and subscribes; returns the client and its first AUDIO_STREAM_ID_INFO (the snapshot).
  std::unique_ptr<SignalingClient> JoinAndSubscribe(const std::string& meeting,
                                                    const std::string& token,
                                                    proto::SdkAudioStreamIdInfoFrame* snapshot) {
    auto c = Join(meeting, token);
    c->Send(Subscribe(ChromeOffer()));
    auto ack = c->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
    EXPECT_TRUE(ack && !ack->suback().sdp_answer().empty());
    auto info = c->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
    EXPECT_TRUE(info);
    if (info && snapshot) *snapshot = info->audio_stream_id_info();
    return c;
  }
};

}  // namespace
}  // namespace sfu::signaling

#pragma once
// The server's parts in one process for benchmarks: SQLite store in a temporary directory,
// control API (called directly on the control thread), signaling front on a Beast listener on
// 127.0.0.1 (ephemeral port), media shards (UDP, ICE-TCP on the same port number, and with
// Options::turn the embedded TURN server over TCP and TLS, credentials in every JOIN_ACK, as
// `sfu-server --turn-policy always`). Real sockets on loopback throughout.
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "metrics/server_metrics.h"
#include "sfu/shard_set.h"
#include "signaling/control/control_api.h"
#include "signaling/http/http_server.h"
#include "signaling/signaling_front.h"
#include "signaling/signaling_hub.h"
#include "signaling/signaling_metrics.h"
#include "transport/dtls/dtls_context.h"
#include "transport/tls/tls_server_context.h"

namespace sfu::bench {

class InprocServer {
 public:
  struct Options {
    int shards = 1;
    int max_attendees = 250;
    double frames_per_second = 200;
    double frame_burst = 400;
    size_t max_connections = 100000;
    mixer::RoomMixerConfig mixer;
    bool turn = false;  // shards run the embedded TURN server; JOIN_ACK offers it to everyone
  };

  explicit InprocServer(Options o)
      : options_(o), dir_("/tmp/sfu-bench-" + std::to_string(::getpid())) {}

  bool Start(std::string* error) {
    store_ = store::MeetingStore::Open(dir_, error);
    dtls_ = transport::DtlsContext::Create(error);
    if (!store_ || !dtls_) return false;
    signer_ = std::make_unique<api::JoinTokenSigner>(store_->token_secret());
    api::ControlApiConfig api_config;
    api_config.limits.max_attendees_per_meeting = options_.max_attendees;
    control_ = std::make_unique<api::ControlApi>(*store_, *signer_, clock_, api_config, nullptr);
    shards_ = std::make_unique<ShardSet>(options_.shards, "127.0.0.1", 0, dtls_.get());
    if (options_.turn) {  // as server/server.cc does: TLS self-signed for the announced address
      turn_tls_ = transport::TlsServerContext::Create("", "", {"127.0.0.1"}, error);
      if (!turn_tls_) return false;
      ShardTurn turn;
      turn.tls = turn_tls_.get();
      turn.secret = kTurnSecret;
      turn.announce_ips = {"127.0.0.1"};
      shards_->EnableTurn(0, turn);
    }
    if (!shards_->Start(error)) return false;
    shards_->SetOverloadLateTicks(0);  // benchmarks measure cost, not admission
    media_ = signaling::MediaContext{
        shards_.get(),
        dtls_.get(),
        {"127.0.0.1"},
        [this](std::function<void()> t) { boost::asio::post(ioc_, std::move(t)); },
        options_.mixer,
        25,
        {}};
    if (options_.turn) {
      media_.turn.secret = kTurnSecret;
      media_.turn.policy = signaling::TurnOffer::Policy::kAlways;
    }
    signaling::SignalingLimits limits;
    limits.frames_per_second = options_.frames_per_second;
    limits.frame_burst = options_.frame_burst;
    front_ = std::make_unique<signaling::SignalingFront>(*store_, *signer_, hub_, metrics_, clock_,
                                                         limits, &media_);
    http::HttpServerConfig hc;
    hc.host = "127.0.0.1";
    hc.port = 0;
    hc.max_connections = options_.max_connections;
    server_ = std::make_unique<http::HttpServer>(
        ioc_, hc, [](const http::HttpRequest&) { return http::HttpResponse{}; });
    server_->SetUpgradeHandler(
        [this](const http::HttpRequest& r, std::shared_ptr<ws::WsConnection> c) {
          return front_->OnUpgrade(r, std::move(c));
        });
    if (!server_->Start(error)) return false;
    thread_ = std::thread([this] { ioc_.run(); });
    return true;
  }

  template <class F>
  auto OnControl(F f) {
    std::packaged_task<decltype(f())()> t(std::move(f));
    auto fut = t.get_future();
    boost::asio::post(ioc_, [&t] { t(); });
    return fut.get();
  }

  ~InprocServer() {
    if (thread_.joinable()) {
      OnControl([this] {
        server_->Stop();
        return 0;
      });
      work_.reset();
      ioc_.stop();
      thread_.join();
    }
    if (shards_) shards_->Stop();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string CreateMeeting() {
    return OnControl([this] {
      http::HttpRequest req;
      req.method = "POST";
      req.path = "/meetings";
      req.body = "{}";
      auto r = control_->Handle(req, "bench");
      return std::string(
          boost::json::parse(r.response.body).at("Meeting").at("MeetingId").as_string());
    });
  }
  // The new attendee's join token.
  std::string CreateAttendee(const std::string& meeting, const std::string& user) {
    return OnControl([&] {
      http::HttpRequest req;
      req.method = "POST";
      req.path = "/meetings/" + meeting + "/attendees";
      req.body = "{\"ExternalUserId\":\"" + user + "\"}";
      auto r = control_->Handle(req, "bench");
      return std::string(
          boost::json::parse(r.response.body).at("Attendee").at("JoinToken").as_string());
    });
  }

  uint16_t port() const { return server_->port(); }
  ShardSet& shards() { return *shards_; }

 private:
  static constexpr char kTurnSecret[] = "bench-turn-secret";
  Options options_;
  std::string dir_;
  base::SystemClock clock_;
  std::unique_ptr<store::MeetingStore> store_;
  std::unique_ptr<transport::DtlsContext> dtls_;
  std::unique_ptr<transport::TlsServerContext> turn_tls_;
  std::unique_ptr<api::JoinTokenSigner> signer_;
  std::unique_ptr<api::ControlApi> control_;
  metrics::ServerMetrics exposition_{{"bench", "bench", "bench"}};
  signaling::SignalingMetrics metrics_{exposition_};
  signaling::SignalingHub hub_;
  std::unique_ptr<ShardSet> shards_;
  signaling::MediaContext media_;
  std::unique_ptr<signaling::SignalingFront> front_;
  boost::asio::io_context ioc_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(ioc_);
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
};

}  // namespace sfu::bench

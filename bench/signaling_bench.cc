// Signaling benchmarks against the real front (Beast WebSocket, token checks, SDP answer, media
// transport creation on a shard) on loopback:
//  1. join time with N attendees joining at once: WebSocket open -> SUBSCRIBE_ACK received,
//     p50/p99/max (client-side clock, so it includes loopback and client parsing);
//  2. frames handled per second of control-thread CPU (PING -> PONG on several connections).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "base/log.h"
#include "bench/bench_util.h"
#include "loadtest/signaling_client.h"
#include "metrics/server_metrics.h"
#include "sfu/shard_set.h"
#include "signaling/control/control_api.h"
#include "signaling/http/http_server.h"
#include "signaling/signaling_front.h"
#include "signaling/signaling_hub.h"
#include "signaling/signaling_metrics.h"
#include "transport/dtls/dtls_context.h"

namespace asio = boost::asio;
using namespace sfu;
using namespace std::chrono_literals;
using signaling::proto::SdkSignalFrame;

int main(int argc, char** argv) {
  const int attendees = argc > 1 ? std::atoi(argv[1]) : 100;
  base::SetLogLevel(base::LogLevel::kWarn);
  const std::string dir = "/tmp/sfu-signaling-bench-" + std::to_string(::getpid());
  std::string error;
  auto store = store::MeetingStore::Open(dir, &error);
  auto dtls = transport::DtlsContext::Create(&error);
  if (!store || !dtls) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  api::JoinTokenSigner signer(store->token_secret());
  base::SystemClock clock;
  api::ControlApiConfig api_config;
  api_config.limits.max_attendees_per_meeting = std::max(250, attendees);
  api::ControlApi control(*store, signer, clock, api_config, nullptr);
  metrics::ServerMetrics exposition({"bench", "bench", "bench"});
  signaling::SignalingMetrics metrics(exposition);
  signaling::SignalingHub hub;
  ShardSet shards(2, "127.0.0.1", 0, dtls.get());
  if (!shards.Start(&error)) return 1;
  asio::io_context ioc(1);
  auto work = asio::make_work_guard(ioc);
  signaling::MediaContext media{&shards, dtls.get(), {"127.0.0.1"}, nullptr, {}, 25, {}};
  signaling::SignalingLimits limits;
  limits.frames_per_second = 1e6;  // the benchmark floods on purpose
  limits.frame_burst = 1e6;
  signaling::SignalingFront front(*store, signer, hub, metrics, clock, limits, &media);
  http::HttpServerConfig hc;
  hc.host = "127.0.0.1";
  hc.port = 0;
  hc.max_connections = 100000;
  http::HttpServer server(ioc, hc, [](const http::HttpRequest&) { return http::HttpResponse{}; });
  server.SetUpgradeHandler([&](const http::HttpRequest& r, std::shared_ptr<ws::WsConnection> c) {
    return front.OnUpgrade(r, std::move(c));
  });
  if (!server.Start(&error)) return 1;
  std::thread control_thread([&] { ioc.run(); });
  auto on_control = [&](auto f) {
    std::packaged_task<decltype(f())()> t(std::move(f));
    auto fut = t.get_future();
    asio::post(ioc, [&t] { t(); });
    return fut.get();
  };

  // Meeting and attendees.
  const std::string meeting = on_control([&] {
    http::HttpRequest req;
    req.method = "POST";
    req.path = "/meetings";
    req.body = "{}";
    auto r = control.Handle(req, "b");
    return std::string(
        boost::json::parse(r.response.body).at("Meeting").at("MeetingId").as_string());
  });
  const std::vector<std::string> tokens = on_control([&] {
    std::vector<std::string> out;
    for (int i = 0; i < attendees; ++i) {
      http::HttpRequest req;
      req.method = "POST";
      req.path = "/meetings/" + meeting + "/attendees";
      req.body = "{\"ExternalUserId\":\"user-" + std::to_string(i) + "\"}";
      auto r = control.Handle(req, "b");
      out.emplace_back(
          boost::json::parse(r.response.body).at("Attendee").at("JoinToken").as_string());
    }
    return out;
  });
  std::ifstream in(std::string(SFU_TEST_DATA_DIR) + "/chrome_offer.sdp");
  std::stringstream offer;
  offer << in.rdbuf();

  // 1. Everyone joins at once.
  std::vector<double> join_ms(static_cast<size_t>(attendees), -1);
  std::vector<std::unique_ptr<loadtest::SignalingClient>> clients(static_cast<size_t>(attendees));
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < attendees; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      auto c = std::make_unique<loadtest::SignalingClient>();
      std::string err;
      const auto t0 = std::chrono::steady_clock::now();
      if (!c->Connect("127.0.0.1", server.port(), meeting, tokens[static_cast<size_t>(i)],
                      loadtest::SignalingClient::TokenVia::kSubprotocol, &err))
        return;
      c->Send(signaling::proto::MakeFrame(SdkSignalFrame::JOIN));
      SdkSignalFrame sub = signaling::proto::MakeFrame(SdkSignalFrame::SUBSCRIBE);
      sub.mutable_sub()->set_sdp_offer(offer.str());
      c->Send(sub);
      if (c->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 20s)) {
        join_ms[static_cast<size_t>(i)] =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
      }
      clients[static_cast<size_t>(i)] = std::move(c);
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  std::vector<double> ok;
  for (double v : join_ms)
    if (v >= 0) ok.push_back(v);
  std::sort(ok.begin(), ok.end());
  auto pct = [&](double p) {
    return ok.empty() ? 0.0
                      : ok[std::min(ok.size() - 1,
                                    static_cast<size_t>(p * static_cast<double>(ok.size())))];
  };
  std::printf(
      "join (WebSocket open -> SUBSCRIBE_ACK), %d attendees at once: %zu joined, p50 %.1f ms, p99 "
      "%.1f ms, max %.1f ms\n",
      attendees, ok.size(), pct(0.5), pct(0.99), ok.empty() ? 0.0 : ok.back());

  // 2. Frames per second of control-thread CPU: 8 connections x 2,000 PINGs each.
  const int conns = std::min(8, attendees), pings = 2000;
  const int64_t cpu0 = on_control([] { return bench::ThreadCpuNs(); });
  std::vector<std::thread> pingers;
  std::atomic<int> pongs{0};
  for (int k = 0; k < conns; ++k) {
    pingers.emplace_back([&, k] {
      auto& c = *clients[static_cast<size_t>(k)];
      for (int i = 0; i < pings; ++i)
        c.Send(signaling::proto::MakePingPong(signaling::proto::PING, static_cast<uint32_t>(i)));
      int got = 0;
      while (got < pings) {
        auto f = c.Receive(5s);
        if (!f) break;
        if (f->type() == SdkSignalFrame::PING_PONG) ++got;
      }
      pongs += got;
    });
  }
  for (auto& t : pingers) t.join();
  const int64_t cpu1 = on_control([] { return bench::ThreadCpuNs(); });
  const double cpu_s = static_cast<double>(cpu1 - cpu0) / 1e9;
  std::printf(
      "PING->PONG: %d frames answered using %.3f s of control-thread CPU: %.0f frames/s per core "
      "(%.1f us each)\n",
      pongs.load(), cpu_s, pongs / cpu_s, cpu_s * 1e6 / pongs);

  for (auto& c : clients) c.reset();
  on_control([&] {
    server.Stop();
    return 0;
  });
  work.reset();
  ioc.stop();
  control_thread.join();
  shards.Stop();
  store.reset();
  std::filesystem::remove_all(dir);
  return 0;
}

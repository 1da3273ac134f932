#pragma once
// Routes one HTTP request on the main listener:
//   GET /healthz   200 while the process runs
//   GET /readyz    200 when the store is open and every shard runs, else 503
//   GET /metrics   Prometheus text format
//   /meetings...   authenticate (SigV4, or unsigned loopback when no keys are set), rate
//                  limit per caller, then ControlApi; every call is counted and timed.
//   routes         exact paths added with AddRoute (/echo, /app/join, ...)
//   fallback       any other GET/HEAD (the meeting app's pages and assets, server/web_app.h);
//                  paths it does not serve answer like an unknown AWS operation (404).
// Pure request -> response (no sockets): tested directly in tests/signaling.
// Thread: control thread.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/rate_limited.h"
#include "signaling/api/http_message.h"
#include "signaling/api/rate_limiter.h"
#include "signaling/api/replay_cache.h"
#include "signaling/control/control_api.h"
#include "signaling/signaling_metrics.h"

namespace sfu::signaling {

struct HttpRouterConfig {
  std::map<std::string, std::string, std::less<>> api_keys;  // access key id -> secret
  std::string sigv4_service = "chime";
};

class HttpRouter {
 public:
  // All references are borrowed and must outlive the router.
  HttpRouter(api::ControlApi& api, SignalingMetrics& metrics, api::RateLimiter& limiter,
             const base::Clock& clock, HttpRouterConfig config);

  // Called before /metrics renders, to refresh gauges from the store.
  void set_before_scrape(std::function<void()> f) { before_scrape_ = std::move(f); }
  // Readiness: store open and shards running.
  void set_ready_check(std::function<bool(std::string*)> f) { ready_ = std::move(f); }

  // Extra endpoints (e.g. POST /echo), matched by exact path, any method.
  using Route = std::function<http::HttpResponse(const http::HttpRequest&)>;
  void AddRoute(std::string path, Route route) { routes_[std::move(path)] = std::move(route); }
  // GET/HEAD of paths nothing above serves; nullopt for "not mine" (404).
  using Fallback = std::function<std::optional<http::HttpResponse>(const http::HttpRequest&)>;
  void SetFallback(Fallback f) { fallback_ = std::move(f); }

  http::HttpResponse Handle(const http::HttpRequest& req);

 private:
  http::HttpResponse HandleApi(const http::HttpRequest& req);
  http::HttpResponse HandleOther(const http::HttpRequest& req);

  api::ControlApi& api_;
  SignalingMetrics& metrics_;
  api::RateLimiter& limiter_;
  const base::Clock& clock_;
  HttpRouterConfig config_;
  std::function<void()> before_scrape_;
  std::function<bool(std::string*)> ready_;
  std::map<std::string, Route, std::less<>> routes_;
  Fallback fallback_;
  // Refused signatures are logged once per 10 s with the count held back: anyone can send them.
  base::RateLimitedEvent refusal_log_{10'000};
  // Signatures of non-idempotent requests, refused when sent again within their window.
  api::ReplayCache replays_;
};

}  // namespace sfu::signaling

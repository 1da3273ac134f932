#include "signaling/http_router.h"

#include <chrono>

#include "base/log.h"
#include "signaling/api/crypto_util.h"
#include "signaling/api/sigv4.h"

namespace sfu::signaling {
using http::HttpRequest;
using http::HttpResponse;

namespace {
HttpResponse Text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}
}  // namespace

HttpRouter::HttpRouter(api::ControlApi& api, SignalingMetrics& metrics, api::RateLimiter& limiter,
                       const base::Clock& clock, HttpRouterConfig config)
    : api_(api), metrics_(metrics), limiter_(limiter), clock_(clock), config_(std::move(config)) {}

HttpResponse HttpRouter::Handle(const HttpRequest& req) {
  if (api::ControlApi::IsApiPath(req.path)) return HandleApi(req);
  HttpResponse r = HandleOther(req);
  if (!r.Header("x-amzn-RequestId")) r.SetHeader("x-amzn-RequestId", api::NewUuid());
  return r;
}

HttpResponse HttpRouter::HandleOther(const HttpRequest& req) {
  // Unknown paths answer like an unknown AWS operation, so SDK callers get NotFoundException.
  auto not_found = [&req] {
    return api::ControlApi::ErrorResponse(
        api::NotFound("No such operation: " + req.method + " " + req.path), api::NewUuid());
  };
  if (auto it = routes_.find(req.path); it != routes_.end()) return it->second(req);
  if (req.method != "GET" && req.method != "HEAD") {
    if (req.path == "/healthz" || req.path == "/readyz" || req.path == "/metrics") {
      HttpResponse r = Text(405, "method not allowed\n");
      r.SetHeader("Allow", "GET, HEAD");
      return r;
    }
    return not_found();
  }
  if (req.path == "/healthz") return Text(200, "ok\n");
  if (req.path == "/readyz") {
    std::string why;
    if (ready_ && !ready_(&why)) return Text(503, "not ready: " + why + "\n");
    return Text(200, "ready\n");
  }
  if (req.path == "/metrics") {
    if (before_scrape_) before_scrape_();
    return Text(200, metrics_.RenderText(), "text/plain; version=0.0.4; charset=utf-8");
  }
  if (fallback_) {
    if (std::optional<HttpResponse> r = fallback_(req)) return std::move(*r);
  }
  return not_found();
}

HttpResponse HttpRouter::HandleApi(const HttpRequest& req) {
  const auto start = std::chrono::steady_clock::now();
  const std::string request_id = api::NewUuid();
  std::string operation = api::ControlApi::OperationName(req);
  HttpResponse response;
  std::string caller;
  bool allowed = true;
  if (config_.api_keys.empty()) {
    if (!req.remote_is_loopback) {
      allowed = false;
      response = api::ControlApi::ErrorResponse(
          api::Forbidden("This server has no API keys configured (--api-key) and accepts unsigned "
                         "requests from loopback only"),
          request_id);
    }
    caller = "unsigned:" + req.remote_address;
  } else {
    api::SigV4Request sreq{req.method, req.path, req.query, &req.headers, req.body};
    api::SigV4Verification v =
        api::VerifySigV4(sreq, config_.api_keys, config_.sigv4_service, clock_.NowUnixMs());
    // A signature is valid for 15 minutes either side of its X-Amz-Date: remember the ones whose
    // replay would create something again until they expire.
    if (v.status == api::SigV4Status::kOk && api::ControlApi::ReplayWouldRepeat(req) &&
        replays_.SeenOrRecord(v.signature, v.date_ms + 15 * 60 * 1000 + 1, clock_.NowUnixMs())) {
      v.status = api::SigV4Status::kReplayed;
    }
    if (v.status != api::SigV4Status::kOk) {
      allowed = false;
      if (uint64_t held = 0; refusal_log_.Allow(clock_.NowSteadyMs(), &held)) {
        SFU_LOG(kWarn, "api request refused")
            .Kv("reason", api::SigV4StatusMessage(v.status))
            .Kv("remote", req.remote_address)
            .Kv("access_key", v.access_key_id)
            .Kv("refusals_not_logged", held);
      }
      response = api::ControlApi::ErrorResponse(
          api::Forbidden(std::string(api::SigV4StatusMessage(v.status))), request_id);
    }
    caller = "key:" + v.access_key_id;
  }
  if (allowed && !limiter_.Allow(caller, clock_.NowSteadyMs())) {
    allowed = false;
    response = api::ControlApi::ErrorResponse(
        api::Throttling("Rate exceeded: at most " +
                        std::to_string(static_cast<int>(limiter_.rate())) +
                        " requests per second (burst " +
                        std::to_string(static_cast<int>(limiter_.burst())) + ") per caller"),
        request_id);
  }
  if (allowed) {
    api::ControlApi::Result result = api_.Handle(req, request_id);
    operation = std::move(result.operation);
    response = std::move(result.response);
  } else {
    response.SetHeader("x-amzn-RequestId", request_id);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.ObserveApiRequest(operation, response.status, seconds);
  SFU_LOG(kDebug, "api request")
      .Kv("operation", operation)
      .Kv("status", response.status)
      .Kv("request_id", request_id)
      .Kv("us", static_cast<int64_t>(seconds * 1e6));
  return response;
}

}  // namespace sfu::signaling

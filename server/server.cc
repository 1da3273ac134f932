#include "server/server.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <memory>

#include "base/log.h"
#include "metrics/server_metrics.h"
#include "server/announcement.h"
#include "server/cluster_node.h"
#include "server/echo_page.h"
#include "server/echo_service.h"
#include "server/fd_limit.h"
#include "server/interface_addresses.h"
#include "server/web_app.h"
#include "sfu/shard_metrics.h"
#include "sfu/shard_set.h"
#include "signaling/api/rate_limiter.h"
#include "signaling/control/app_join.h"
#include "signaling/control/control_api.h"
#include "signaling/events/event_dispatcher.h"
#include "signaling/events/event_metrics.h"
#include "signaling/events/webhook_worker.h"
#include "signaling/http/http_server.h"
#include "signaling/http/security_headers.h"
#include "signaling/http_router.h"
#include "signaling/signaling_front.h"
#include "signaling/signaling_hub.h"
#include "signaling/signaling_metrics.h"
#include "signaling/store/meeting_store.h"
#include "signaling/store/redis_rate_limiter.h"
#include "signaling/store/redis_store.h"
#include "transport/dtls/dtls_context.h"
#include "transport/srtp/srtp_library.h"
#include "transport/tls/self_signed_certificate.h"
#include "transport/tls/tls_server_context.h"
#include "transport/udp/udp_endpoint.h"

#ifndef SFU_VERSION
#define SFU_VERSION "0.0.0"
#endif
#ifndef SFU_GIT_COMMIT
#define SFU_GIT_COMMIT "unknown"
#endif

namespace sfu::server {
namespace asio = boost::asio;

namespace {

// Keeps shards and live signaling sessions in step with the store's meetings, and tells the
// application-event dispatcher (docs/EVENTS.md; null without --events-webhook).
class ShardPlacement final : public api::ControlApiListener {
 public:
  ShardPlacement(ShardSet& shards, signaling::SignalingHub& hub, signaling::EventDispatcher* events)
      : shards_(shards), hub_(hub), events_(events) {}
  void OnMeetingCreated(const store::MeetingRecord& m) override {
    // A replica's attendees join its primary's media: same shard (docs/DESIGN.md, "Replica
    // meetings").
    const int shard = m.primary_meeting_id ? shards_.PlaceWith(m.meeting_id, *m.primary_meeting_id)
                                           : shards_.Place(m.meeting_id);
    SFU_LOG(kDebug, "meeting placed").Kv("meeting", m.meeting_id).Kv("shard", shard);
    if (events_) events_->MeetingCreated(m);
  }
  void OnMeetingDeleted(const std::string& meeting_id, std::string_view) override {
    if (events_) events_->MeetingEnded(meeting_id);  // DELETE and idle expiry alike
    hub_.EndMeeting(meeting_id);                     // AUDIO_STATUS 410, then close
    shards_.Remove(meeting_id);
  }
  void OnAttendeeCreated(const store::AttendeeRecord& a) override {
    if (events_) events_->AttendeeAdded(a);
  }
  void OnAttendeeDeleted(const std::string& meeting_id, const std::string& attendee_id) override {
    if (events_) events_->AttendeeDeleted(meeting_id, attendee_id);
    hub_.RemoveAttendee(meeting_id, attendee_id);  // AUDIO_STATUS 411, then close
  }
  void OnAttendeeCapabilitiesChanged(const store::AttendeeRecord& a) override {
    hub_.SetCapabilities(a.meeting_id, a.attendee_id, a.capabilities_audio, a.capabilities_video,
                         a.capabilities_content);
  }
  bool AtCapacity() const override { return shards_.AllOverloaded(); }

 private:
  ShardSet& shards_;
  signaling::SignalingHub& hub_;
  signaling::EventDispatcher* events_;  // borrowed, may be null
};

// --announce-ip auto: fills config.announce_ips from this host's interface addresses, read once
// here, before any socket opens (server/interface_addresses.h says which are kept). False, with
// an error logged, when there is none: a server announcing nothing gives clients no candidate.
bool ResolveAutoAnnounce(ServerConfig& config) {
  std::string error;
  const std::vector<InterfaceAddress> interfaces = ReadInterfaceAddresses(&error);
  if (!error.empty()) {
    SFU_LOG(kError, "--announce-ip auto cannot list this host's addresses").Kv("error", error);
    return false;
  }
  // The shards bind the --listen host: only addresses that socket receives on are useful.
  config.announce_ips = PickAnnounceAddresses(interfaces, config.listen_host);
  if (config.announce_ips.empty()) {
    SFU_LOG(kError, "--announce-ip auto found no address to announce: give --announce-ip IP")
        .Kv("media_bind", config.listen_host)
        .Kv("excluded", DescribeExcluded(interfaces, config.listen_host));
    return false;
  }
  return true;
}

// The embedded TURN server's REST secret: HMAC-SHA256(store secret, label), hex. Derived, not
// stored, so it changes only with the store's secret (as join tokens do).
std::string DeriveTurnSecret(const std::string& store_secret) {
  static constexpr char kLabel[] = "sfu turn rest secret v1";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), store_secret.data(), static_cast<int>(store_secret.size()),
       reinterpret_cast<const unsigned char*>(kLabel), sizeof(kLabel) - 1, mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

// "host:port", with brackets around an IPv6 host.
std::string HostPort(const std::string& ip, uint16_t port) {
  const bool v6 = ip.find(':') != std::string::npos;
  return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

// --tls-self-signed: the certificate in the data dir (made, or reused when it still covers the
// names), for the announced addresses, the listen and public hosts, this host's name and
// localhost. Sets config.tls_cert_file/key_file, which the listener and TURN then load.
bool UseSelfSignedCertificate(ServerConfig& config) {
  std::vector<std::string> names;
  auto add = [&names](std::string n) {
    if (!n.empty() && n != "0.0.0.0" && n != "::" &&
        std::find(names.begin(), names.end(), n) == names.end())
      names.push_back(std::move(n));
  };
  for (const std::string& ip : config.announce_ips) add(ip);
  add(config.listen_host);
  std::string public_host = config.public_host;
  if (!public_host.empty() && public_host[0] == '[') {
    public_host = public_host.substr(1, public_host.find(']') - 1);
  } else if (const size_t colon = public_host.rfind(':'); colon != std::string::npos) {
    public_host.resize(colon);
  }
  add(public_host);
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) == 0) add(host);
  add("localhost");
  add("127.0.0.1");
  add("::1");
  const std::string cert = config.data_dir + "/tls-self-signed.crt";
  const std::string key = config.data_dir + "/tls-self-signed.key";
  bool made = false;
  std::string error;
  if (!transport::EnsureSelfSignedFiles(cert, key, names, &made, &error)) {
    SFU_LOG(kError, "cannot make the self-signed certificate").Kv("error", error);
    return false;
  }
  std::string listed;
  for (const std::string& n : names) listed += (listed.empty() ? "" : ",") + n;
  SFU_LOG(kInfo, made ? "self-signed certificate made" : "self-signed certificate reused")
      .Kv("file", cert)
      .Kv("names", listed)
      .Kv("sha256", transport::CertificateFingerprint(cert));
  config.tls_cert_file = cert;
  config.tls_key_file = key;
  return true;
}

// The meeting app's routes: GET /app/info, POST /app/join (counted with the API requests as
// operation "AppJoin"), and its pages for GET/HEAD of everything else (server/web_app.h).
void AddAppRoutes(signaling::HttpRouter& router, api::AppJoin& app, const WebApp& web,
                  signaling::SignalingMetrics& metrics) {
  router.AddRoute("/app/info", [&app](const http::HttpRequest& req) { return app.Info(req); });
  router.AddRoute("/app/join", [&app, &metrics](const http::HttpRequest& req) {
    const auto start = std::chrono::steady_clock::now();
    http::HttpResponse r = app.Join(req);
    metrics.ObserveApiRequest(
        "AppJoin", r.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return r;
  });
  router.SetFallback([&web](const http::HttpRequest& req) { return web.Serve(req); });
}

}  // namespace

// sfu-server --drain: asks the running node --node-id (through Redis) to drain, then exits.
int RequestDrain(const ServerConfig& config) {
  std::string error;
  std::optional<store::RedisAddress> address = store::ParseRedisUrl(config.redis_url, &error);
  std::unique_ptr<store::RedisClient> client;
  if (address) client = store::RedisClient::Connect(*address, {}, &error);
  if (!client) {
    std::fprintf(stderr, "sfu-server --drain: %s\n", error.c_str());
    return 2;
  }
  try {
    const bool live = store::NodeRegistry::RequestDrain(*client, config.node_id);
    std::printf("node %s asked to drain%s\n", config.node_id.c_str(),
                live ? ": it takes no new meetings and stops when its last meeting ends"
                     : " (no live node has that id now: check --node-id)");
  } catch (const store::StoreError& e) {
    std::fprintf(stderr, "sfu-server --drain: %s\n", e.what());
    return 2;
  }
  return 0;
}

int RunServer(const ServerConfig& given) {
  if (given.drain) return RequestDrain(given);
  base::SetLogLevel(given.log_level);
  ServerConfig config = given;  // with --announce-ip auto resolved
  if (config.announce_auto && !ResolveAutoAnnounce(config)) return 2;
  if (!transport::InitSrtpLibrary()) return 2;

  std::string error;
  // Cluster mode keeps the state in Redis (docs/DESIGN.md, "Cluster mode"); else SQLite.
  const bool cluster = !config.redis_url.empty();
  std::unique_ptr<store::MeetingStore> store;
  store::RedisStore* redis = nullptr;
  if (cluster) {
    std::optional<store::RedisAddress> address = store::ParseRedisUrl(config.redis_url, &error);
    std::unique_ptr<store::RedisStore> r;
    if (address) r = store::RedisStore::Open(*address, config.node_id, &error);
    if (!r) {
      SFU_LOG(kError, "cannot use Redis (--redis): start it or correct the URL").Kv("error", error);
      return 2;
    }
    redis = r.get();
    store = std::move(r);
  } else {
    store = store::MeetingStore::Open(config.data_dir, &error);
  }
  if (!store) {
    SFU_LOG(kError, "cannot open the store").Kv("error", error);
    return 2;
  }
  for (const std::string& w : store->permission_warnings())
    SFU_LOG(kWarn, "data dir permissions").Kv("detail", w);
  if (config.tls_self_signed && !UseSelfSignedCertificate(config)) return 2;

  asio::io_context ioc(1);  // the control thread
  base::SystemClock clock;
  api::JoinTokenSigner signer(store->token_secret());
  metrics::ServerMetrics exposition(
      {SFU_VERSION, SFU_GIT_COMMIT, transport::SrtpLibraryDescription()});
  signaling::SignalingMetrics metrics(exposition);

  std::unique_ptr<transport::DtlsContext> dtls = transport::DtlsContext::Create(&error);
  if (!dtls) {
    SFU_LOG(kError, "cannot set up DTLS").Kv("error", error);
    return 2;
  }
  transport::UdpEndpoint::SetGsoDefault(config.udp_gso);
  ShardSet shards(config.shards, config.listen_host, config.media_port, dtls.get());
  shards.SetIceTcp(config.ice_tcp);
  transport::StreamLimits stream_limits;
  stream_limits.max_per_address = config.stream_max_per_address;
  shards.SetStreamLimits(stream_limits);
  // The embedded TURN server: TLS with the listener's certificate, or a self-signed one for the
  // announced addresses; its REST secret is derived from the store's secret, so credentials
  // survive restarts like join tokens.
  std::unique_ptr<transport::TlsServerContext> turn_tls;
  std::string turn_secret = config.turn_secret;
  const bool embedded_turn = config.turn && config.turn_uris.empty();
  if (embedded_turn) {
    turn_tls = transport::TlsServerContext::Create(config.tls_cert_file, config.tls_key_file,
                                                   config.announce_ips, &error);
    if (!turn_tls) {
      SFU_LOG(kError, "cannot set up TLS for TURN").Kv("error", error);
      return 2;
    }
    turn_secret = DeriveTurnSecret(store->token_secret());
    ShardTurn turn;
    turn.tls = turn_tls.get();
    turn.secret = turn_secret;
    turn.announce_ips = config.announce_ips;
    shards.EnableTurn(static_cast<uint16_t>(config.turn_port), turn);
  }
  if (!shards.Start(&error)) {
    SFU_LOG(kError, "cannot start media shards").Kv("error", error);
    return 2;
  }
  exposition.AddCollectable(MakeShardCollector(shards.Stats()));
  signaling::SignalingHub hub;
  shards.SetOverloadLateTicks(config.overload_late_ticks);
  shards.SetMaxAttendees(config.shard_max_attendees);
  // Meeting events for the application (docs/EVENTS.md): the dispatcher on this thread owns the
  // queue in the store; one worker thread per webhook delivers and posts results back here.
  signaling::EventMetrics event_metrics(exposition);
  std::unique_ptr<signaling::EventDispatcher> events;
  std::vector<std::unique_ptr<signaling::WebhookWorker>> webhooks;
  if (!config.events_webhooks.empty()) {
    signaling::EventDispatcherConfig events_config;
    events_config.account_id = api::ControlApiConfig{}.account_id;
    events_config.max_queue_per_destination = config.events_queue_max;
    events = std::make_unique<signaling::EventDispatcher>(*store, clock, events_config,
                                                          config.events_webhooks, &event_metrics);
    std::vector<signaling::EventChannel*> channels;
    for (size_t i = 0; i < config.events_webhooks.size(); ++i) {
      signaling::WebhookWorkerConfig w;
      std::string why;
      w.url = *api::ParseWebhookUrl(config.events_webhooks[i], &why);  // validated by the config
      w.secret = config.events_secret;
      signaling::EventDispatcher* d = events.get();
      webhooks.push_back(std::make_unique<signaling::WebhookWorker>(
          std::move(w), [&ioc](std::function<void()> task) { asio::post(ioc, std::move(task)); },
          [d, i](int64_t seq) { d->OnDelivered(i, seq); }, [d, i] { d->OnAttemptFailed(i); }));
      channels.push_back(webhooks.back().get());
    }
    events->Start(std::move(channels));
    for (auto& w : webhooks) w->Start();
    hub.set_events(events.get());
  }
  ShardPlacement placement(shards, hub, events.get());

  api::ControlApiConfig api_config;
  api_config.http_base = config.http_base;
  api_config.ws_base = config.ws_base;
  api_config.media_host = HostPort(config.announce_ips.front(), shards.shard(0).media_port());
  api_config.limits.default_media_region = config.default_region;
  api_config.limits.max_attendees_per_meeting = config.max_attendees;
  std::unique_ptr<ClusterNode> node;
  if (cluster) {
    ClusterNodeConfig node_config;
    node_config.http_base = config.http_base;
    node_config.ws_base = config.ws_base;
    node_config.media_host = api_config.media_host;
    for (const std::string& ip : config.announce_ips)
      node_config.addresses += (node_config.addresses.empty() ? "" : ",") + ip;
    node_config.capacity = config.node_capacity;
    node_config.timeout_ms = static_cast<int64_t>(config.node_timeout_s) * 1000;
    node_config.version = SFU_VERSION;
    node_config.replica_placement =
        config.replica_placement == "spread"    ? store::ReplicaPlacement::kSpread
        : config.replica_placement == "primary" ? store::ReplicaPlacement::kPrimary
                                                : store::ReplicaPlacement::kAuto;
    node_config.mixer.max_talkers = config.mixer_talkers;
    node_config.mixer.encoder.bitrate_bps = config.audio_bitrate_kbps * 1000;
    node_config.mixer.encoder.complexity = config.audio_complexity;
    node = std::make_unique<ClusterNode>(*redis, node_config, placement, shards, hub);
    if (!node->Start(&error)) {
      SFU_LOG(kError, "cannot register this node in Redis").Kv("error", error);
      return 2;
    }
    if (events) node->set_on_swept([&events](const std::string& id) { events->MeetingEnded(id); });
    node->BindMetrics(exposition.registry());
  }
  api::ControlApi api(*store, signer, clock, api_config,
                      node ? static_cast<api::ControlApiListener*>(node.get()) : &placement);
  if (node) node->set_api(&api);
  // Every stored meeting this node hosts is placed again; replicas with their primaries, and the
  // API learns which replicas each primary has (they end with it).
  for (const std::string& id : store->ListMeetingIds()) {
    const std::optional<store::MeetingRecord> m = store->GetMeeting(id);
    if (!m) continue;
    api.NoteMeeting(*m);
    if (m->primary_meeting_id)
      shards.PlaceWith(id, *m->primary_meeting_id);
    else
      shards.Place(id);
    if (node) node->NoteHostedMeeting(*m, clock.NowSteadyMs());
  }

  // The API's per-caller rate limit: shared by every node in cluster mode.
  std::unique_ptr<api::RateLimiter> limiter;
  if (redis)
    limiter = std::make_unique<store::RedisRateLimiter>(redis->client(), config.api_rate,
                                                        config.api_burst);
  else
    limiter = std::make_unique<api::TokenBucketLimiter>(config.api_rate, config.api_burst);
  signaling::HttpRouterConfig router_config;
  router_config.api_keys = config.api_keys;
  signaling::HttpRouter router(api, metrics, *limiter, clock, router_config);
  router.set_before_scrape([&] {
    if (node) node->UpdateMetrics();
    try {
      metrics.SetMeetings(store->CountMeetings());
      metrics.SetAttendees(store->CountAllAttendees());
    } catch (const store::StoreError&) {
      // Redis away: the gauges keep their last values (/readyz says so)
    }
    metrics.SetConnectedAttendees(static_cast<int64_t>(hub.session_count()));
  });
  router.set_ready_check([&](std::string* why) {
    if (!shards.AllRunning()) {
      *why = "media shards not running";
      return false;
    }
    if (node && !node->store_reachable()) {
      *why = "Redis (--redis) unavailable: the API answers 503, live media continues";
      return false;
    }
    return true;
  });

  api::AppJoinConfig app_config;
  app_config.enabled = config.app;
  app_config.password = config.app_password;
  app_config.joins_per_minute = config.app_rate;
  app_config.tls = !config.tls_cert_file.empty();
  app_config.urls_from_host = !config.public_url_given;
  api::AppJoin app(api, clock, app_config);
  WebApp web(config.app);
  AddAppRoutes(router, app, web, metrics);
  if (node) {
    // Cluster mode: the app's page may join a meeting placed on any node, so its CSP lets it
    // connect to every live node's WebSocket base (docs/SECURITY.md §10).
    router.SetFallback([&web, &node, &clock](const http::HttpRequest& req) {
      std::optional<http::HttpResponse> r = web.Serve(req);
      if (r) {
        r->SetHeader("Content-Security-Policy",
                     http::ContentSecurityPolicy(node->ConnectSources(clock.NowSteadyMs())));
      }
      return r;
    });
  }

  // The echo endpoint creates a DTLS/SCTP transport per unauthenticated POST: off unless
  // --echo-endpoint, and then at most 1 offer per second per address (burst 5).
  EchoService echo(shards, *dtls, config.announce_ips);
  api::TokenBucketLimiter echo_limiter(1, 5);
  auto echo_asset = [&config](std::string_view type, std::string_view body) {
    return [&config, type, body](const http::HttpRequest&) {
      http::HttpResponse r;
      r.status = config.echo_endpoint ? 200 : 404;
      r.SetHeader("Content-Type", std::string(type));
      r.body = config.echo_endpoint ? std::string(body) : "The echo endpoint is off\n";
      return r;
    };
  };
  router.AddRoute("/echo.js", echo_asset("text/javascript; charset=utf-8", EchoPageScript()));
  router.AddRoute("/echo.css", echo_asset("text/css; charset=utf-8", EchoPageStyle()));
  router.AddRoute("/echo", [&](const http::HttpRequest& req) {
    http::HttpResponse r;
    if (!config.echo_endpoint) {
      r.status = 404;
      r.SetHeader("Content-Type", "text/plain; charset=utf-8");
      r.body = "The echo endpoint is off; start sfu-server with --echo-endpoint to use it\n";
      return r;
    }
    if (req.method == "POST" && !echo_limiter.Allow(req.remote_address, clock.NowSteadyMs())) {
      r.status = 429;
      r.SetHeader("Retry-After", "1");
      r.body = "Too many echo offers from this address: at most 1 per second (burst 5)\n";
      return r;
    }
    if (req.method == "GET" || req.method == "HEAD") {
      r.SetHeader("Content-Type", "text/html; charset=utf-8");
      r.body = std::string(EchoPageHtml());
      return r;
    }
    if (req.method != "POST") {
      r.status = 405;
      r.SetHeader("Allow", "GET, POST");
      r.body = "POST an SDP offer (Content-Type: application/sdp), or GET the check page\n";
      return r;
    }
    const std::string* type = req.Header("Content-Type");
    if (!type || type->rfind("application/sdp", 0) != 0) {
      r.status = 415;
      r.body = "Content-Type must be application/sdp\n";
      return r;
    }
    EchoService::Result e = echo.Offer(req.body);
    r.status = e.status;
    r.SetHeader("Content-Type", e.status == 201 ? "application/sdp" : "text/plain; charset=utf-8");
    r.body = std::move(e.body);
    return r;
  });

  http::HttpServerConfig http_config;
  http_config.host = config.listen_host;
  http_config.port = config.listen_port;
  http_config.max_body_bytes = config.max_body_bytes;
  http_config.tls_cert_file = config.tls_cert_file;
  http_config.tls_key_file = config.tls_key_file;
  http_config.header_timeout_seconds = config.http_header_timeout_s;
  http_config.max_connections_per_address = config.max_http_per_address;
  http_config.response_headers = http::SecurityHeaders(config.ws_base);
  {
    const FdLimit fds = RaiseFdLimit();
    http_config.max_connections = HttpConnectionCap(config.max_http_connections, fds.soft);
    http_config.reserved_for_upgrades = http_config.max_connections / 8;
    SFU_LOG(kInfo, "descriptor limit")
        .Kv("soft", fds.soft)
        .Kv("hard", fds.hard)
        .Kv("raised", fds.raised)
        .Kv("http_max_connections", static_cast<uint64_t>(http_config.max_connections));
    if (http_config.max_connections < config.max_http_connections) {
      SFU_LOG(kWarn, "--http-max-connections lowered to fit the descriptor limit")
          .Kv("asked", static_cast<uint64_t>(config.max_http_connections))
          .Kv("used", static_cast<uint64_t>(http_config.max_connections));
    }
  }
  http::HttpServer http_server(ioc, http_config,
                               [&](const http::HttpRequest& req) { return router.Handle(req); });
  signaling::MediaContext media{
      &shards,
      dtls.get(),
      config.announce_ips,
      [&ioc](std::function<void()> task) { asio::post(ioc, std::move(task)); },
      {},
      25,
      {}};
  media.mixer.max_talkers = config.mixer_talkers;
  media.mixer.encoder.bitrate_bps = config.audio_bitrate_kbps * 1000;
  media.mixer.encoder.complexity = config.audio_complexity;
  media.max_video_senders = static_cast<size_t>(config.max_video_senders);
  media.turn.secret = (embedded_turn || !config.turn_uris.empty()) ? turn_secret : "";
  media.turn.uris = config.turn_uris;
  media.turn.policy = config.turn_policy == "always"  ? signaling::TurnOffer::Policy::kAlways
                      : config.turn_policy == "never" ? signaling::TurnOffer::Policy::kNever
                                                      : signaling::TurnOffer::Policy::kAuto;
  // Volume indicators: AUDIO_METADATA every 250 ms while anyone is audible.
  asio::steady_timer metadata_timer(ioc);
  std::function<void()> arm_metadata = [&] {
    metadata_timer.expires_after(std::chrono::milliseconds(250));
    metadata_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      hub.PublishAudioMetadata(clock.NowSteadyMs());
      arm_metadata();
    });
  };
  arm_metadata();
  signaling::SignalingFront front(*store, signer, hub, metrics, clock, {}, &media);
  if (node) front.set_node_id(node->node_id());
  http_server.SetUpgradeHandler(
      [&front](const http::HttpRequest& req, std::shared_ptr<ws::WsConnection> c) {
        return front.OnUpgrade(req, std::move(c));
      });
  if (!http_server.Start(&error)) {
    SFU_LOG(kError, "cannot start the HTTP listener").Kv("error", error);
    return 2;
  }

  // Meetings with no connected attendee for the idle timeout end (checked a few times per period).
  asio::steady_timer expiry(ioc);
  const int64_t idle_ms = static_cast<int64_t>(config.meeting_idle_timeout_s) * 1000;
  const auto period = std::chrono::milliseconds(std::clamp<int64_t>(idle_ms / 4, 250, 30'000));
  std::function<void()> arm_expiry = [&] {
    expiry.expires_after(period);
    expiry.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      try {
        api.ExpireIdleMeetings(idle_ms,
                               [&hub](const std::string& id) { return hub.HasConnected(id); });
      } catch (const store::StoreError& e) {
        SFU_LOG(kError, "meeting expiry failed").Kv("error", e.what());
      }
      arm_expiry();
    });
  };
  arm_expiry();

  // Cluster mode: inbox every 100 ms, heartbeat/drain/sweep every second (server/cluster_node.h).
  asio::steady_timer cluster_timer(ioc);
  std::function<void()> arm_cluster = [&] {
    cluster_timer.expires_after(std::chrono::milliseconds(100));
    cluster_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (!node->Tick(clock.NowSteadyMs())) {
        http_server.Stop();
        expiry.cancel();
        metadata_timer.cancel();
        ioc.stop();
        return;
      }
      arm_cluster();
    });
  };
  if (node) arm_cluster();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    SFU_LOG(kInfo, "shutting down").Kv("signal", signo == SIGINT ? "SIGINT" : "SIGTERM");
    http_server.Stop();
    expiry.cancel();
    metadata_timer.cancel();
    cluster_timer.cancel();
    ioc.stop();
  });

  const std::string listen_text = config.listen_host + ":" + std::to_string(http_server.port());
  std::string ports;
  for (size_t i = 0; i < shards.size(); ++i)
    ports += (i ? "," : "") + std::to_string(shards.shard(i).media_port());
  std::printf(
      "sfu-server %s (%s), %s, DTLS fingerprint %s %s\n%s"
      "Ready. Create a meeting:  curl%s -X POST %s/meetings -d '{}'\n"
      "Point @aws-sdk/client-chime-sdk-meetings at endpoint %s\n",
      SFU_VERSION, SFU_GIT_COMMIT, transport::SrtpLibraryDescription().c_str(),
      dtls->fingerprint_algorithm().c_str(), dtls->fingerprint().c_str(),
      DescribeConfig(config).c_str(), config.tls_cert_file.empty() ? "" : " -k",
      config.http_base.c_str(), config.http_base.c_str());
  std::fflush(stdout);
  SFU_LOG(kInfo, "server started")
      .Kv("listen", listen_text)
      .Kv("media_ports", ports)
      .Kv("shards", static_cast<int>(shards.size()))
      .Kv("meetings", store->CountMeetings())
      .Kv("store", store->Describe());
  if (config.app) {
    std::string urls = config.http_base + "/";
    if (!config.public_url_given) {
      for (const std::string& ip : config.announce_ips) {
        if (ip == "127.0.0.1" || ip == "::1") continue;
        urls += " " + std::string(config.tls_cert_file.empty() ? "http://" : "https://") +
                HostPort(ip, http_server.port()) + "/";
      }
    }
    std::printf("Meeting app: %s%s\n", urls.c_str(),
                config.tls_self_signed ? "  (self-signed certificate: browsers ask to accept it)"
                : config.tls_cert_file.empty()
                    ? "  (cameras need https on other machines: --tls-self-signed)"
                    : "");
    std::fflush(stdout);
  }
  if (config.api_keys.empty()) {
    SFU_LOG(
        kWarn,
        "no --api-key configured: the control API accepts unsigned requests from loopback only");
  }
  Announcement announced;
  announced.ips = config.announce_ips;
  announced.automatic = config.announce_auto;
  for (size_t i = 0; i < shards.size(); ++i) {
    announced.udp_ports.push_back(shards.shard(i).media_port());
    if (shards.shard(i).tcp_port()) announced.tcp_ports.push_back(shards.shard(i).tcp_port());
    if (shards.shard(i).turn_port()) announced.turn_ports.push_back(shards.shard(i).turn_port());
  }
  announced.turn_tls = turn_tls != nullptr;
  announced.turn_policy = config.turn_policy;
  announced.external_turn_uris = config.turn_uris.size();
  SFU_LOG(kInfo, DescribeAnnouncement(announced));
  if (config.announce_ips.size() == 1 && config.announce_ips[0] == "127.0.0.1") {
    SFU_LOG(kWarn, "announcing 127.0.0.1 only: clients on other machines need --announce-ip");
  }

  ioc.run();

  if (events) {
    events->DropAllSessions();  // the attendees still joined are dropped (docs/EVENTS.md)
    hub.set_events(nullptr);
    for (auto& w : webhooks) w->Stop();  // deliveries not acknowledged yet go again next run
  }
  shards.Stop();
  SFU_LOG(kInfo, "stopped").Kv("meetings", store->CountMeetings());
  store.reset();  // checkpoints the WAL into sfu.db
  return 0;
}

}  // namespace sfu::server

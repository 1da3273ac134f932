#pragma once
// HTTP/1.1 and WebSocket listener on Boost.Beast (the only translation unit that includes Beast).
// Limits (docs/DESIGN.md, "HTTP listener"): request header 16 KiB, body max_body_bytes (413
// with an AWS-style error past it); at most max_connections HTTP connections (before a WebSocket
// upgrade), of which at most max_connections_per_address from one address (IPv6: one /64); past
// max_connections a further reserved_for_upgrades connections are taken for WebSocket joins only
// (anything else gets 503), and past that, or past the per-address limit, a connection is closed
// at once without reading it. A request's header must arrive within header_timeout_seconds of
// the connection (trickling bytes does not extend it); bodies, writes and keep-alive waits get
// timeout_seconds. Accept failures (EMFILE, ENFILE, ...) back off instead of spinning and are
// logged at most once per 10 s.
// Each request is converted to http::HttpRequest and answered by the handler, synchronously,
// on the io_context's thread (the control thread).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "signaling/api/http_message.h"
#include "signaling/ws/ws_connection.h"

namespace boost::asio {
class io_context;
}

namespace sfu::http {

struct HttpServerConfig {
  std::string host = "0.0.0.0";
  uint16_t port = 8080;
  size_t max_body_bytes = 64 * 1024;
  size_t max_header_bytes = 16 * 1024;
  size_t max_connections = 1024;
  size_t max_connections_per_address = 256;  // 0: no per-address limit (e.g. behind a proxy)
  size_t reserved_for_upgrades = 128;
  int header_timeout_seconds = 5;
  int timeout_seconds = 30;
  // PEM certificate chain and private key: when set, the listener speaks TLS only (https, wss).
  std::string tls_cert_file;
  std::string tls_key_file;
  ws::WsLimits ws;
  // Headers put on every HTTP response, the listener's own refusals (413, 431, 503, ...) and
  // WebSocket upgrade refusals included, unless the response sets the same header itself
  // (signaling/http/security_headers.h: the Content-Security-Policy and its companions).
  std::vector<std::pair<std::string, std::string>> response_headers;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  HttpServer(boost::asio::io_context& ioc, HttpServerConfig config, Handler handler);
  ~HttpServer();

  // WebSocket upgrades (any path) go to this handler; without one they get 404.
  void SetUpgradeHandler(ws::WsUpgradeHandler handler);

  // Binds and starts accepting. False with *error on failure (e.g. address in use).
  bool Start(std::string* error);
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Stops accepting and closes open connections.
  void Stop();

  // Connections refused or cut by the limits above (control thread; read for metrics).
  struct Stats {
    uint64_t refused_per_address = 0;    // closed at once: the address had its share
    uint64_t refused_over_capacity = 0;  // closed at once: past max_connections + reserve
    uint64_t refused_not_upgrade = 0;    // in the reserve, not a WebSocket join: 503
    uint64_t header_timeouts = 0;        // no complete request header in time
    uint64_t accept_errors = 0;          // accept(2) failures (EMFILE, ENFILE, ...)
  };
  const Stats& stats() const;
  size_t open_connections() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sfu::http

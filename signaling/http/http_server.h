#pragma once
// HTTP/1.1 and WebSocket listener on Boost.Beast (the only translation unit that includes Beast).
// Limits: request header 16 KiB, body max_body_bytes (413 with an AWS-style error past it),
// max_connections concurrent connections (503 past it), idle/read timeout per connection.
// Each request is converted to http::HttpRequest and answered by the handler, synchronously,
// on the io_context's thread (the control thread).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

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
  int timeout_seconds = 30;
  // PEM certificate chain and private key: when set, the listener speaks TLS only (https, wss).
  std::string tls_cert_file;
  std::string tls_key_file;
  ws::WsLimits ws;
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

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sfu::http

#pragma once
// The application's view of one WebSocket connection (the Beast session lives in
// http/http_server.cc). Thread: the control thread, like the HTTP server.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "signaling/api/http_message.h"

namespace sfu::ws {

// Handle for sending on a connection; safe to keep after the connection closed (calls then do
// nothing).
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  // Queues a binary message. False when the connection is closed or its send queue is over the
  // limit (the connection is then closed with 1008: a client that does not read is dropped).
  virtual bool SendBinary(std::vector<uint8_t> message) = 0;
  // Sends a close frame with code and reason after the queued messages.
  virtual void Close(uint16_t code, const std::string& reason) = 0;
  virtual bool closed() const = 0;
  virtual const std::string& remote_address() const = 0;
};

// Per-connection application handler, owned by the connection.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void OnBinaryMessage(std::span<const uint8_t> message) = 0;
  // Text frames are a protocol error for the Chime signaling protocol (closed with 1003 first).
  virtual void OnClosed(uint16_t code) = 0;
};

// What to do with an upgrade request.
struct WsAcceptance {
  bool upgrade = true;         // false: answer with `refusal` as plain HTTP instead
  http::HttpResponse refusal;  // when !upgrade
  std::string subprotocol;     // echoed in Sec-WebSocket-Protocol when non-empty
  uint16_t close_code = 0;     // non-zero: accept the upgrade, then close at once with it
  std::string close_reason;
  std::unique_ptr<WsHandler> handler;  // when accepted and not closing at once
};

// Decides on an upgrade request. `connection` is the handle the handler will send through.
using WsUpgradeHandler = std::function<WsAcceptance(const http::HttpRequest& request,
                                                    std::shared_ptr<WsConnection> connection)>;

struct WsLimits {
  size_t max_message_bytes = 256 * 1024;  // larger incoming messages close the connection (1009)
  size_t max_queued_bytes = 4 * 1024 * 1024;  // unsent data per connection before it is dropped
  int idle_timeout_seconds = 60;  // no frame (or pong) for this long closes the connection
  int handshake_timeout_seconds = 10;
};

}  // namespace sfu::ws

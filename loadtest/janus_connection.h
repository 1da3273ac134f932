#pragma once
// A client of Janus's WebSocket API (the "janus-protocol" subprotocol; JSON text frames) on a
// shared io_context: connects, sends requests each with its own transaction id, and delivers
// the answer to that request's callback - the first message carrying the transaction that is
// not an "ack" (a "success" or "error" for core requests, the plugin's "event" for asynchronous
// plugin messages). Everything else (events without a known transaction: "webrtcup", "media",
// "hangup", plugin events about other participants, trickled candidates) goes to on_event.
// Every frame in and out can be shown to a trace callback (--trace).
// Thread: the io_context's thread only (create, call and destroy there).

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sfu::loadtest {

class JanusConnection : public std::enable_shared_from_this<JanusConnection> {
 public:
  struct Callbacks {
    std::function<void()> on_open;
    std::function<void(const boost::json::object& message)> on_event;
    // The connection ended (not after Close()): the reason.
    std::function<void(const std::string& reason)> on_closed;
    // Each text frame: outgoing (true) or incoming, as sent or received.
    std::function<void(bool outgoing, const std::string& text)> on_trace;
  };
  using Reply = std::function<void(const boost::json::object& message)>;

  static std::shared_ptr<JanusConnection> Create(boost::asio::io_context& io, Callbacks callbacks);
  virtual ~JanusConnection() = default;

  // ws://host:port/ (path "/" unless given), subprotocol janus-protocol.
  virtual void Connect(const std::string& host, uint16_t port, const std::string& path) = 0;
  // Sends `request` with a fresh "transaction"; `reply` (may be empty) gets the answer.
  virtual void Request(boost::json::object request, Reply reply) = 0;
  virtual void Close() = 0;
  virtual bool open() const = 0;
};

// Janus's answer kinds: an "error" message's text ("janus error 458: No such session"), or the
// plugin's own error ("plugin error 485: No such room"); empty when the message is no error.
std::string JanusError(const boost::json::object& message);

// plugindata.data of a plugin message, or nullptr.
const boost::json::object* JanusPluginData(const boost::json::object& message);

}  // namespace sfu::loadtest

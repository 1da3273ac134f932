#pragma once
// A Chime signaling client on a shared io_context (the load tester runs thousands of them on one
// io_context per core): connects the WebSocket with the join token as the subprotocol pair, like
// the JS client, sends 0x05-framed protobuf frames from a queue and delivers each frame it
// receives to a callback. Every operation is asynchronous; a handshake or silence longer than
// the timeouts ends the connection with a reason.
// Thread: the io_context's thread only (create, call and destroy there).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "signaling/proto/frame_codec.h"

namespace boost::asio {
class io_context;
}

namespace sfu::loadtest {

class AsyncSignalingClient : public std::enable_shared_from_this<AsyncSignalingClient> {
 public:
  struct Callbacks {
    std::function<void()> on_open;
    std::function<void(const signaling::proto::SdkSignalFrame&)> on_frame;
    // The connection ended: close code (0 if none: failed connect, network error) and reason.
    std::function<void(uint16_t code, const std::string& reason)> on_closed;
  };

  static std::shared_ptr<AsyncSignalingClient> Create(boost::asio::io_context& io,
                                                      Callbacks callbacks);
  virtual ~AsyncSignalingClient() = default;

  // host:port, then GET /control/<meeting_id> with the token.
  virtual void Connect(const std::string& host, uint16_t port, const std::string& meeting_id,
                       const std::string& join_token) = 0;
  virtual void Send(const signaling::proto::SdkSignalFrame& frame) = 0;
  // Closes normally (code 1000); on_closed is not called after Close().
  virtual void Close() = 0;
  virtual bool open() const = 0;
};

}  // namespace sfu::loadtest

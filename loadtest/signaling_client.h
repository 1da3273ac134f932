#pragma once
// A blocking Chime signaling client (WebSocket + 0x05 protobuf frames) for tests and tools:
// connects to ws://host:port/control/<MeetingId> with the join token as the subprotocol pair
// (like the JS client) or as the _aws_wt_session cookie (like the C++ client), sends frames and
// reads them with a timeout. The load tester's asynchronous client will grow from this.
// Thread: one owner.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "signaling/proto/frame_codec.h"

namespace sfu::loadtest {

class SignalingClient {
 public:
  enum class TokenVia { kSubprotocol, kCookie };

  SignalingClient();
  ~SignalingClient();

  // False with *error if the TCP connect or the WebSocket handshake fails.
  bool Connect(const std::string& host, uint16_t port, const std::string& meeting_id,
               const std::string& join_token, TokenVia via, std::string* error);
  // The subprotocol the server answered with ("" if none).
  const std::string& accepted_subprotocol() const { return subprotocol_; }

  bool Send(const signaling::proto::SdkSignalFrame& frame);
  bool SendRaw(std::span<const uint8_t> bytes, bool binary = true);

  // Next decoded frame, or nullopt on timeout, close or a frame that does not decode.
  std::optional<signaling::proto::SdkSignalFrame> Receive(std::chrono::milliseconds timeout);
  // Reads until a frame of `type` arrives (others are skipped) or timeout/close.
  std::optional<signaling::proto::SdkSignalFrame> ReceiveType(
      signaling::proto::SdkSignalFrame::Type type, std::chrono::milliseconds timeout);
  // After Receive returned nullopt because the server closed: its close code (0 if none yet).
  uint16_t close_code() const { return close_code_; }
  bool closed() const { return closed_; }
  // Waits for the server to close; returns its close code (0 on timeout).
  uint16_t WaitForClose(std::chrono::milliseconds timeout);
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string subprotocol_;
  uint16_t close_code_ = 0;
  bool closed_ = false;
};

}  // namespace sfu::loadtest

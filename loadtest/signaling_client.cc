#include "loadtest/signaling_client.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace sfu::loadtest {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using signaling::proto::SdkSignalFrame;

struct SignalingClient::Impl {
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
};

SignalingClient::SignalingClient() : impl_(std::make_unique<Impl>()) {}
SignalingClient::~SignalingClient() { Close(); }

bool SignalingClient::Connect(const std::string& host, uint16_t port, const std::string& meeting_id,
                              const std::string& join_token, TokenVia via, std::string* error) {
  beast::error_code ec;
  tcp::resolver resolver(impl_->ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (!ec) asio::connect(impl_->ws.next_layer(), results, ec);
  if (ec) {
    *error = "connect: " + ec.message();
    return false;
  }
  impl_->ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    if (via == TokenVia::kSubprotocol) {
      req.set(beast::http::field::sec_websocket_protocol, "_aws_wt_session, " + join_token);
    } else {
      req.set(beast::http::field::cookie, "_aws_wt_session=" + join_token);
      req.set("X-Chime-Control-Protocol-Version", "3");
    }
  }));
  websocket::response_type res;
  const std::string target = "/control/" + meeting_id +
                             "?X-Chime-Control-Protocol-Version=3&X-Amzn-Chime-Send-Close-On-Error=1";
  impl_->ws.handshake(res, host + ":" + std::to_string(port), target, ec);
  if (ec) {
    *error = "handshake: " + ec.message() + " (HTTP " + std::to_string(res.result_int()) + ")";
    return false;
  }
  subprotocol_ = std::string(res[beast::http::field::sec_websocket_protocol]);
  impl_->ws.binary(true);
  return true;
}

bool SignalingClient::Send(const SdkSignalFrame& frame) {
  return SendRaw(signaling::proto::EncodeFrame(frame), true);
}

bool SignalingClient::SendRaw(std::span<const uint8_t> bytes, bool binary) {
  if (closed_) return false;
  beast::error_code ec;
  impl_->ws.binary(binary);
  impl_->ws.write(asio::buffer(bytes.data(), bytes.size()), ec);
  impl_->ws.binary(true);
  return !ec;
}

std::optional<SdkSignalFrame> SignalingClient::Receive(std::chrono::milliseconds timeout) {
  if (closed_) return std::nullopt;
  // Blocking read bounded by SO_RCVTIMEO on the socket.
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(impl_->ws.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  beast::flat_buffer buffer;
  beast::error_code ec;
  impl_->ws.read(buffer, ec);
  if (ec) {
    if (ec == websocket::error::closed) {
      closed_ = true;
      close_code_ = impl_->ws.reason().code;
    } else if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      closed_ = true;
    }
    return std::nullopt;
  }
  const auto data = buffer.cdata();
  std::string error;
  return signaling::proto::DecodeFrame(
      std::span<const uint8_t>(static_cast<const uint8_t*>(data.data()), data.size()), &error);
}

std::optional<SdkSignalFrame> SignalingClient::ReceiveType(SdkSignalFrame::Type type,
                                                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && !closed_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = Receive(std::max(left, std::chrono::milliseconds(1)));
    if (f && f->type() == type) return f;
    if (!f && closed_) break;
  }
  return std::nullopt;
}

uint16_t SignalingClient::WaitForClose(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && std::chrono::steady_clock::now() < deadline) {
    Receive(std::chrono::milliseconds(200));
  }
  return closed_ ? close_code_ : 0;
}

void SignalingClient::Close() {
  if (closed_ || !impl_->ws.is_open()) return;
  beast::error_code ec;
  impl_->ws.close(websocket::close_code::normal, ec);
  closed_ = true;
}

}  // namespace sfu::loadtest

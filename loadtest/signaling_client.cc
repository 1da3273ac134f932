#include "loadtest/signaling_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

namespace sfu::loadtest {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using signaling::proto::SdkSignalFrame;

// Blocking API over asynchronous operations on a private io_context, so a read that times out
// stays pending (and completes into the queue later) instead of breaking the stream.
struct SignalingClient::Impl {
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
  bool reading = false;
  std::deque<std::vector<uint8_t>> inbox;
  beast::error_code read_error;

  void StartRead() {
    if (reading || read_error) return;
    reading = true;
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      reading = false;
      if (ec) {
        read_error = ec;
        return;
      }
      const auto d = buffer.cdata();
      const auto* p = static_cast<const uint8_t*>(d.data());
      inbox.emplace_back(p, p + d.size());
      buffer.consume(buffer.size());
      StartRead();
    });
  }
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
  const std::string target =
      "/control/" + meeting_id +
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
  impl_->StartRead();  // keep reading so control frames (ping/close) are answered
  bool done = false;
  beast::error_code result;
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  impl_->ws.binary(binary);
  impl_->ws.async_write(asio::buffer(copy), [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  impl_->ioc.restart();
  while (!done && impl_->ioc.run_one_for(std::chrono::seconds(5)) > 0) {
  }
  impl_->ws.binary(true);
  return done && !result;
}

std::optional<SdkSignalFrame> SignalingClient::Receive(std::chrono::milliseconds timeout) {
  if (closed_ && impl_->inbox.empty()) return std::nullopt;
  impl_->StartRead();
  impl_->ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->inbox.empty() && !impl_->read_error) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    impl_->ioc.run_one_for(left);
  }
  if (impl_->inbox.empty()) {
    const beast::error_code ec = impl_->read_error;
    if (ec == websocket::error::closed) {
      closed_ = true;
      close_code_ = impl_->ws.reason().code;
    } else if (ec) {
      closed_ = true;
    }
    return std::nullopt;
  }
  std::vector<uint8_t> message = std::move(impl_->inbox.front());
  impl_->inbox.pop_front();
  std::string error;
  return signaling::proto::DecodeFrame(message, &error);
}

std::optional<SdkSignalFrame> SignalingClient::ReceiveType(SdkSignalFrame::Type type,
                                                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && !closed_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
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
  closed_ = true;
  bool done = false;
  impl_->ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  impl_->ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!done && std::chrono::steady_clock::now() < deadline)
    impl_->ioc.run_one_for(std::chrono::milliseconds(100));
  beast::error_code ec;
  impl_->ws.next_layer().close(ec);
}

}  // namespace sfu::loadtest

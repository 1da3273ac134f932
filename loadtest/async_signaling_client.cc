#include "loadtest/async_signaling_client.h"

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

namespace {

class Client final : public AsyncSignalingClient {
 public:
  Client(asio::io_context& io, Callbacks cb) : resolver_(io), ws_(io), callbacks_(std::move(cb)) {}

  void Connect(const std::string& host, uint16_t port, const std::string& meeting_id,
               const std::string& join_token) override {
    host_ = host + ":" + std::to_string(port);
    target_ = "/control/" + meeting_id +
              "?X-Chime-Control-Protocol-Version=3&X-Amzn-Chime-Send-Close-On-Error=1";
    token_ = join_token;
    auto self = std::static_pointer_cast<Client>(shared_from_this());
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    resolver_.async_resolve(host, std::to_string(port),
                            [self](beast::error_code ec, tcp::resolver::results_type r) {
                              if (ec) return self->Fail(0, "resolve: " + ec.message());
                              beast::get_lowest_layer(self->ws_).async_connect(
                                  r, [self](beast::error_code ec2, const tcp::endpoint&) {
                                    if (ec2) return self->Fail(0, "connect: " + ec2.message());
                                    self->Handshake();
                                  });
                            });
  }

  void Send(const signaling::proto::SdkSignalFrame& frame) override {
    if (!open_) return;
    outbox_.push_back(signaling::proto::EncodeFrame(frame));
    if (outbox_.size() == 1) WriteNext();
  }

  void Close() override {
    closed_by_us_ = true;
    if (!open_) {
      beast::error_code ec;
      beast::get_lowest_layer(ws_).socket().close(ec);
      return;
    }
    open_ = false;
    auto self = shared_from_this();
    ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {});
  }

  bool open() const override { return open_; }

 private:
  void Handshake() {
    auto self = std::static_pointer_cast<Client>(shared_from_this());
    ws_.set_option(
        websocket::stream_base::decorator([token = token_](websocket::request_type& req) {
          req.set(beast::http::field::sec_websocket_protocol, "_aws_wt_session, " + token);
        }));
    ws_.async_handshake(response_, host_, target_, [self](beast::error_code ec) {
      if (ec) {
        return self->Fail(0, "WebSocket handshake: " + ec.message() + " (HTTP " +
                                 std::to_string(self->response_.result_int()) + ")");
      }
      beast::get_lowest_layer(self->ws_).expires_never();
      websocket::stream_base::timeout t =
          websocket::stream_base::timeout::suggested(beast::role_type::client);
      self->ws_.set_option(t);
      self->ws_.binary(true);
      self->open_ = true;
      if (self->callbacks_.on_open) self->callbacks_.on_open();
      self->Read();
    });
  }

  void Read() {
    auto self = std::static_pointer_cast<Client>(shared_from_this());
    ws_.async_read(buffer_, [self](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::closed) {
          return self->Fail(self->ws_.reason().code,
                            std::string(self->ws_.reason().reason.c_str()));
        }
        return self->Fail(0, ec.message());
      }
      const auto d = self->buffer_.cdata();
      std::string error;
      auto frame = signaling::proto::DecodeFrame(
          std::span<const uint8_t>(static_cast<const uint8_t*>(d.data()), d.size()), &error);
      self->buffer_.consume(self->buffer_.size());
      if (frame && self->callbacks_.on_frame && !self->closed_by_us_)
        self->callbacks_.on_frame(*frame);
      if (!self->closed_by_us_) self->Read();
    });
  }

  void WriteNext() {
    auto self = std::static_pointer_cast<Client>(shared_from_this());
    ws_.async_write(asio::buffer(outbox_.front()), [self](beast::error_code ec, std::size_t) {
      if (ec) return self->Fail(0, "write: " + ec.message());
      self->outbox_.pop_front();
      if (!self->outbox_.empty() && self->open_) self->WriteNext();
    });
  }

  void Fail(uint16_t code, const std::string& reason) {
    const bool was = open_ || !failed_;
    open_ = false;
    if (failed_) return;
    failed_ = true;
    if (was && !closed_by_us_ && callbacks_.on_closed) callbacks_.on_closed(code, reason);
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  std::deque<std::vector<uint8_t>> outbox_;
  Callbacks callbacks_;
  std::string host_, target_, token_;
  bool open_ = false;
  bool failed_ = false;
  bool closed_by_us_ = false;
};

}  // namespace

std::shared_ptr<AsyncSignalingClient> AsyncSignalingClient::Create(asio::io_context& io,
                                                                   Callbacks callbacks) {
  return std::make_shared<Client>(io, std::move(callbacks));
}

}  // namespace sfu::loadtest

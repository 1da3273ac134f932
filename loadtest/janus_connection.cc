#include "loadtest/janus_connection.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <deque>
#include <map>

namespace sfu::loadtest {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

class Connection final : public JanusConnection {
 public:
  Connection(asio::io_context& io, Callbacks cb)
      : resolver_(io), ws_(io), callbacks_(std::move(cb)) {}

  void Connect(const std::string& host, uint16_t port, const std::string& path) override {
    host_ = host + ":" + std::to_string(port);
    path_ = path.empty() ? "/" : path;
    auto self = std::static_pointer_cast<Connection>(shared_from_this());
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    resolver_.async_resolve(host, std::to_string(port),
                            [self](beast::error_code ec, tcp::resolver::results_type r) {
                              if (ec) return self->Fail("resolve: " + ec.message());
                              beast::get_lowest_layer(self->ws_).async_connect(
                                  r, [self](beast::error_code ec2, const tcp::endpoint&) {
                                    if (ec2) return self->Fail("connect: " + ec2.message());
                                    self->Handshake();
                                  });
                            });
  }

  void Request(json::object request, Reply reply) override {
    if (!open_) return;
    const std::string txn = "t" + std::to_string(++next_txn_);
    request["transaction"] = txn;
    if (reply) pending_[txn] = std::move(reply);
    std::string text = json::serialize(request);
    if (callbacks_.on_trace) callbacks_.on_trace(true, text);
    outbox_.push_back(std::move(text));
    if (outbox_.size() == 1) WriteNext();
  }

  void Close() override {
    closed_by_us_ = true;
    pending_.clear();
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
    auto self = std::static_pointer_cast<Connection>(shared_from_this());
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::sec_websocket_protocol, "janus-protocol");
    }));
    ws_.async_handshake(host_, path_, [self](beast::error_code ec) {
      if (ec) return self->Fail("WebSocket handshake: " + ec.message());
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      self->ws_.text(true);
      self->open_ = true;
      if (self->callbacks_.on_open) self->callbacks_.on_open();
      self->Read();
    });
  }

  void Read() {
    auto self = std::static_pointer_cast<Connection>(shared_from_this());
    ws_.async_read(buffer_, [self](beast::error_code ec, std::size_t) {
      if (ec) return self->Fail(ec == websocket::error::closed ? "closed by Janus" : ec.message());
      const std::string text = beast::buffers_to_string(self->buffer_.cdata());
      self->buffer_.consume(self->buffer_.size());
      if (!self->closed_by_us_) self->Deliver(text);
      if (!self->closed_by_us_) self->Read();
    });
  }

  void Deliver(const std::string& text) {
    if (callbacks_.on_trace) callbacks_.on_trace(false, text);
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return;
    const json::object& m = v.as_object();
    const json::value* janus = m.if_contains("janus");
    if (janus && janus->is_string() && janus->as_string() == "ack") return;
    if (const json::value* txn = m.if_contains("transaction"); txn && txn->is_string()) {
      auto it = pending_.find(std::string(txn->as_string()));
      if (it != pending_.end()) {
        Reply reply = std::move(it->second);
        pending_.erase(it);
        reply(m);
        return;
      }
    }
    if (callbacks_.on_event) callbacks_.on_event(m);
  }

  void WriteNext() {
    auto self = std::static_pointer_cast<Connection>(shared_from_this());
    ws_.async_write(asio::buffer(outbox_.front()), [self](beast::error_code ec, std::size_t) {
      if (ec) return self->Fail("write: " + ec.message());
      self->outbox_.pop_front();
      if (!self->outbox_.empty() && self->open_) self->WriteNext();
    });
  }

  void Fail(const std::string& reason) {
    open_ = false;
    if (failed_) return;
    failed_ = true;
    pending_.clear();
    if (!closed_by_us_ && callbacks_.on_closed) callbacks_.on_closed(reason);
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  std::map<std::string, Reply> pending_;  // by transaction
  Callbacks callbacks_;
  std::string host_, path_;
  uint64_t next_txn_ = 0;
  bool open_ = false;
  bool failed_ = false;
  bool closed_by_us_ = false;
};

}  // namespace

std::shared_ptr<JanusConnection> JanusConnection::Create(asio::io_context& io,
                                                         Callbacks callbacks) {
  return std::make_shared<Connection>(io, std::move(callbacks));
}

const json::object* JanusPluginData(const json::object& m) {
  const json::value* pd = m.if_contains("plugindata");
  if (!pd || !pd->is_object()) return nullptr;
  const json::value* data = pd->as_object().if_contains("data");
  return data && data->is_object() ? &data->as_object() : nullptr;
}

std::string JanusError(const json::object& m) {
  const json::value* janus = m.if_contains("janus");
  if (janus && janus->is_string() && janus->as_string() == "error") {
    const json::value* e = m.if_contains("error");
    if (e && e->is_object()) {
      const json::object& eo = e->as_object();
      const json::value* code = eo.if_contains("code");
      const json::value* reason = eo.if_contains("reason");
      return "janus error " + (code ? json::serialize(*code) : std::string("?")) + ": " +
             (reason && reason->is_string() ? std::string(reason->as_string()) : "");
    }
    return "janus error";
  }
  if (const json::object* d = JanusPluginData(m)) {
    const json::value* code = d->if_contains("error_code");
    const json::value* reason = d->if_contains("error");
    if (code || reason)
      return "plugin error " + (code ? json::serialize(*code) : std::string("?")) + ": " +
             (reason && reason->is_string() ? std::string(reason->as_string()) : "");
  }
  return "";
}

}  // namespace sfu::loadtest

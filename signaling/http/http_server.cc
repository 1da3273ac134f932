#include "signaling/http/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <deque>
#include <list>
#include <unordered_map>

#include "base/log.h"
#include "base/rate_limited.h"
#include "signaling/api/crypto_util.h"

namespace sfu::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string ErrorJson(std::string_view code, std::string_view message,
                      std::string_view request_id) {
  std::string body = "{\"Code\":\"";
  body += code;
  body += "\",\"Message\":\"";
  body += message;
  body += "\",\"RequestId\":\"";
  body += request_id;
  body += "\"}";
  return body;
}

// The response's own headers, then each configured one it does not set itself.
void SetHeaders(bhttp::response<bhttp::string_body>& res,
                const std::vector<std::pair<std::string, std::string>>& own,
                const std::vector<std::pair<std::string, std::string>>& defaults) {
  for (const auto& [k, v] : own) res.set(k, v);
  for (const auto& [k, v] : defaults)
    if (res.find(k) == res.end()) res.set(k, v);
}

// Type-erased handles so the server can close sessions of either stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Close() = 0;
};
class WsSessionBase {
 public:
  virtual ~WsSessionBase() = default;
  virtual void Abort() = 0;
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

HttpRequest ToHttpRequest(const bhttp::request<bhttp::string_body>& msg, const std::string& remote,
                          bool loopback) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  const std::string_view target(msg.target().data(), msg.target().size());
  const size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  for (const auto& field : msg) {
    req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = msg.body();
  req.remote_address = remote;
  req.remote_is_loopback = loopback;
  return req;
}

// The key the per-address limit counts by: the IPv4 address (v4-mapped IPv6 included), or the
// /64 prefix of an IPv6 address (one host usually owns a whole /64).
std::string AddressKey(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  if (a.is_v4()) return a.to_string();
  auto bytes = a.to_v6().to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& ioc, HttpServerConfig c, Handler h)
      : ioc(ioc), config(std::move(c)), handler(std::move(h)), acceptor(ioc), accept_backoff(ioc) {}

  void Accept();
  void OnAcceptError(const beast::error_code& ec);

  asio::io_context& ioc;
  HttpServerConfig config;
  Handler handler;
  ws::WsUpgradeHandler upgrade_handler;
  tcp::acceptor acceptor;
  asio::steady_timer accept_backoff;
  base::RateLimitedEvent accept_log{10'000};
  size_t connections = 0;
  std::unordered_map<std::string, size_t> per_address;  // open HTTP connections by AddressKey
  HttpServer::Stats stats;
  bool stopped = false;
  std::optional<asio::ssl::context> tls;  // set when a certificate is configured
  std::list<std::weak_ptr<SessionBase>> sessions;
  std::list<std::weak_ptr<WsSessionBase>> ws_sessions;
};

namespace {

// One accepted WebSocket: read loop, bounded write queue, close with a code. Stream is the
// plain TCP stream or the TLS stream (wss).
template <class Stream>
class WsSession : public ws::WsConnection,
                  public WsSessionBase,
                  public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, std::shared_ptr<HttpServer::Impl> server, std::string remote)
      : ws_(std::move(stream)), server_(std::move(server)), remote_(std::move(remote)) {}
  using std::enable_shared_from_this<WsSession<Stream>>::shared_from_this;

  void Run(bhttp::request<bhttp::string_body> request, bool loopback) {
    const ws::WsLimits& limits = server_->config.ws;
    ws::WsAcceptance acceptance =
        server_->upgrade_handler(ToHttpRequest(request, remote_, loopback), shared_from_this());
    if (!acceptance.upgrade) return Refuse(std::move(acceptance.refusal));
    handler_ = std::move(acceptance.handler);
    close_code_ = acceptance.close_code;
    close_reason_ = acceptance.close_reason;
    beast::websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(limits.handshake_timeout_seconds);
    timeouts.idle_timeout = std::chrono::seconds(limits.idle_timeout_seconds);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(limits.max_message_bytes);
    ws_.binary(true);
    const std::string subprotocol = acceptance.subprotocol;
    ws_.set_option(beast::websocket::stream_base::decorator(
        [subprotocol](beast::websocket::response_type& res) {
          res.set(bhttp::field::server, "sfu-server");
          if (!subprotocol.empty()) res.set(bhttp::field::sec_websocket_protocol, subprotocol);
        }));
    ws_.async_accept(request, beast::bind_front_handler(&WsSession::OnAccept, shared_from_this()));
  }

  bool SendBinary(std::vector<uint8_t> message) override {
    if (closed_ || closing_) return false;
    if (queued_bytes_ + message.size() > server_->config.ws.max_queued_bytes) {
      Close(1008, "send queue over limit");
      return false;
    }
    queued_bytes_ += message.size();
    queue_.push_back(std::move(message));
    if (!writing_) DoWrite();
    return true;
  }

  void Close(uint16_t code, const std::string& reason) override {
    if (closed_ || closing_) return;
    closing_ = true;
    close_code_ = code;
    close_reason_ = reason;
    if (!writing_) DoClose();
  }

  bool closed() const override { return closed_ || closing_; }
  const std::string& remote_address() const override { return remote_; }

  // The server stops: close the socket and tell the handler now. The handler holds this
  // connection (its send handle), so releasing it here breaks that cycle even when the
  // io_context stops before the failed read would have run Finish.
  void Abort() override {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    Finish(1001);
  }

 private:
  void Refuse(HttpResponse r) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    SetHeaders(*res, r.headers, server_->config.response_headers);
    res->keep_alive(false);
    res->body() = std::move(r.body);
    res->prepare_payload();
    bhttp::async_write(ws_.next_layer(), *res,
                       [self = shared_from_this(), res](beast::error_code, std::size_t) {
                         self->Abort();
                         self->closed_ = true;
                       });
  }

  void OnAccept(beast::error_code ec) {
    if (ec) return Finish(1006);
    if (close_code_ != 0) {
      closing_ = true;
      return DoClose();
    }
    Read();
  }

  void Read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == beast::websocket::error::message_too_big) {
        closing_ = false;
        return Close(1009, "message too big");
      }
      return Finish(ec == beast::websocket::error::closed ? ws_.reason().code : 1006);
    }
    if (!ws_.got_binary()) {
      buffer_.consume(buffer_.size());
      return Close(1003, "binary frames only");
    }
    const auto data = buffer_.cdata();
    if (handler_ && !closing_) {
      handler_->OnBinaryMessage(
          std::span<const uint8_t>(static_cast<const uint8_t*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    if (!closed_) Read();
  }

  void DoWrite() {
    writing_ = true;
    ws_.async_write(asio::buffer(queue_.front()),
                    beast::bind_front_handler(&WsSession::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
    if (ec) return Finish(1006);
    if (!queue_.empty()) return DoWrite();
    if (closing_) DoClose();
  }

  void DoClose() {
    beast::websocket::close_reason reason(static_cast<beast::websocket::close_code>(close_code_));
    reason.reason = close_reason_;
    ws_.async_close(reason, [self = shared_from_this()](beast::error_code) {
      self->Finish(self->close_code_);
    });
  }

  void Finish(uint16_t code) {
    if (closed_) return;
    closed_ = true;
    closing_ = true;
    if (handler_) {
      auto handler = std::move(handler_);
      handler->OnClosed(code);
    }
  }

  beast::websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::string remote_;
  std::unique_ptr<ws::WsHandler> handler_;
  std::deque<std::vector<uint8_t>> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  uint16_t close_code_ = 0;
  std::string close_reason_;
};

}  // namespace

namespace {

// Builds the session's stream over an accepted socket.
inline PlainStream MakeStream(tcp::socket socket, HttpServer::Impl&, PlainStream*) {
  return PlainStream(std::move(socket));
}
inline TlsStream MakeStream(tcp::socket socket, HttpServer::Impl& server, TlsStream*) {
  return TlsStream(std::move(socket), *server.tls);
}

// One HTTP connection (keep-alive, pipelined requests read one at a time). Stream is plain TCP
// or TLS; with TLS the handshake comes first, under the same timeout.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server, std::string address_key)
      : stream_(MakeStream(std::move(socket), *server, static_cast<Stream*>(nullptr))),
        server_(std::move(server)),
        address_key_(std::move(address_key)) {
    ++server_->connections;
    ++server_->per_address[address_key_];
    beast::error_code ec;
    const auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = ep.address().to_string();
      loopback_ =
          ep.address().is_loopback() ||
          (ep.address().is_v6() && ep.address().to_v6().is_v4_mapped() &&
           asio::ip::make_address_v4(asio::ip::v4_mapped, ep.address().to_v6()).is_loopback());
    }
  }
  ~Session() {
    --server_->connections;
    auto it = server_->per_address.find(address_key_);
    if (it != server_->per_address.end() && --it->second == 0) server_->per_address.erase(it);
  }

  // upgrades_only: the connection was taken from the reserve; only a WebSocket join may use it.
  void Start(bool upgrades_only) {
    upgrades_only_ = upgrades_only;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      // The handshake counts against the first request's header deadline.
      beast::get_lowest_layer(stream_).expires_after(
          std::chrono::seconds(server_->config.header_timeout_seconds));
      stream_.async_handshake(
          asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
            if (ec) return self->Close();  // not TLS, or a failed handshake: nothing to answer
            self->Read();
          });
    } else {
      Read();
    }
  }
  void Close() override {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

 private:
  // The first request's header must arrive within header_timeout_seconds of the connection (a
  // deadline, not an idle timer: trickled bytes do not extend it). A kept-alive connection waits
  // up to timeout_seconds for its next request. The body then gets timeout_seconds.
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->config.max_header_bytes));
    parser_->body_limit(server_->config.max_body_bytes);
    const int header_s =
        first_request_ ? server_->config.header_timeout_seconds : server_->config.timeout_seconds;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(header_s));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session<Stream>::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t n) {
    if (ec) {
      if (ec == beast::error::timeout && first_request_) ++server_->stats.header_timeouts;
      return OnRead(ec, n);
    }
    first_request_ = false;
    if (upgrades_only_ && !beast::websocket::is_upgrade(parser_->get())) {
      ++server_->stats.refused_not_upgrade;
      return SendError(503, "ServiceUnavailableException", "ServiceUnavailable",
                       "Too many open connections");
    }
    if (parser_->is_done()) return OnRead({}, 0);
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(server_->config.timeout_seconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session<Stream>::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::ssl::error::stream_truncated) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return SendError(413, "BadRequestException", "BadRequest",
                       "Request body exceeds the limit of " +
                           std::to_string(server_->config.max_body_bytes) + " bytes");
    }
    if (ec == bhttp::error::header_limit) {
      return SendError(431, "BadRequestException", "BadRequest", "Request headers too large");
    }
    if (ec) {
      return SendError(400, "BadRequestException", "BadRequest", "Malformed HTTP request");
    }
    auto& msg = parser_->get();
    if (beast::websocket::is_upgrade(msg) && server_->upgrade_handler && !server_->stopped) {
      beast::get_lowest_layer(stream_).expires_never();  // the WebSocket sets its own timeouts
      auto ws = std::make_shared<WsSession<Stream>>(std::move(stream_), server_, remote_);
      server_->ws_sessions.remove_if(
          [](const std::weak_ptr<WsSessionBase>& w) { return w.expired(); });
      server_->ws_sessions.push_back(ws);
      ws->Run(parser_->release(), loopback_);
      return;
    }
    HttpRequest req = ToHttpRequest(msg, remote_, loopback_);
    HttpResponse resp;
    try {
      resp = server_->handler(req);
    } catch (const std::exception& e) {
      SFU_LOG(kError, "http handler threw").Kv("error", e.what()).Kv("path", req.path);
      resp.status = 500;
      resp.SetHeader("Content-Type", "application/json");
      resp.SetHeader("x-amzn-ErrorType", "ServiceFailureException");
      const std::string id = api::NewUuid();
      resp.SetHeader("x-amzn-RequestId", id);
      resp.body = ErrorJson("ServiceFailure", "internal error", id);
    }
    Send(std::move(resp), msg.keep_alive(), req.method == "HEAD");
  }

  void SendError(int status, std::string_view type, std::string_view code,
                 const std::string& message) {
    HttpResponse r;
    r.status = status;
    r.SetHeader("Content-Type", "application/json");
    r.SetHeader("x-amzn-ErrorType", std::string(type));
    const std::string id = api::NewUuid();
    r.SetHeader("x-amzn-RequestId", id);
    r.body = ErrorJson(code, message, id);
    Send(std::move(r), false, false);
  }

  void Send(HttpResponse resp, bool keep_alive, bool head) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(resp.status));
    res->set(bhttp::field::server, "sfu-server");
    SetHeaders(*res, resp.headers, server_->config.response_headers);
    const bool closing = !keep_alive || server_->stopped;
    res->keep_alive(!closing);
    res->body() = std::move(resp.body);
    res->prepare_payload();
    if (head) res->body().clear();
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(server_->config.timeout_seconds));
    bhttp::async_write(
        stream_, *res,
        [self = shared_from_this(), res, closing](beast::error_code ec, std::size_t) {
          if (ec || closing) return self->Close();
          self->Read();
        });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::string address_key_;
  std::string remote_;
  bool loopback_ = false;
  bool upgrades_only_ = false;
  bool first_request_ = true;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec,
                                                                            tcp::socket socket) {
    if (self->stopped) return;
    if (ec) return self->OnAcceptError(ec);
    beast::error_code ignored;
    const auto remote = socket.remote_endpoint(ignored);
    std::string key = ignored ? std::string("?") : AddressKey(remote.address());
    const HttpServerConfig& c = self->config;
    const auto held = self->per_address.find(key);
    const size_t from_address = held == self->per_address.end() ? 0 : held->second;
    if (c.max_connections_per_address > 0 && from_address >= c.max_connections_per_address) {
      ++self->stats.refused_per_address;
      socket.close(ignored);  // at once: reading it would let the address hold one more slot
      return self->Accept();
    }
    if (self->connections >= c.max_connections + c.reserved_for_upgrades) {
      ++self->stats.refused_over_capacity;
      socket.close(ignored);
      return self->Accept();
    }
    const bool upgrades_only = self->connections >= c.max_connections;
    socket.set_option(tcp::no_delay(true), ignored);
    std::shared_ptr<SessionBase> session;
    if (self->tls) {
      auto s = std::make_shared<Session<TlsStream>>(std::move(socket), self, std::move(key));
      s->Start(upgrades_only);
      session = s;
    } else {
      auto s = std::make_shared<Session<PlainStream>>(std::move(socket), self, std::move(key));
      s->Start(upgrades_only);
      session = s;
    }
    self->sessions.remove_if([](const std::weak_ptr<SessionBase>& w) { return w.expired(); });
    self->sessions.push_back(session);
    self->Accept();
  });
}

// Out of descriptors (EMFILE/ENFILE) or kernel memory, accept fails at once for every queued
// connection: retrying at once would spin a core and flood the log. Wait, then try again; the
// connections wait in the listen backlog meanwhile.
void HttpServer::Impl::OnAcceptError(const beast::error_code& ec) {
  if (ec == asio::error::operation_aborted) return;
  ++stats.accept_errors;
  if (uint64_t held = 0; accept_log.Allow(SteadyMs(), &held)) {
    SFU_LOG(kWarn, "accept failed")
        .Kv("error", ec.message())
        .Kv("suppressed", held)
        .Kv("open_connections", static_cast<uint64_t>(connections));
  }
  const bool resources = ec == asio::error::no_descriptors || ec.value() == ENFILE ||
                         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
  accept_backoff.expires_after(std::chrono::milliseconds(resources ? 250 : 10));
  accept_backoff.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
    if (!wait_ec && !self->stopped) self->Accept();
  });
}

HttpServer::HttpServer(asio::io_context& ioc, HttpServerConfig config, Handler handler)
    : impl_(std::make_shared<Impl>(ioc, std::move(config), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::Start(std::string* error) {
  beast::error_code ec;
  if (!impl_->config.tls_cert_file.empty() || !impl_->config.tls_key_file.empty()) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    asio::ssl::context& ctx = *impl_->tls;
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    ctx.use_certificate_chain_file(impl_->config.tls_cert_file, ec);
    if (ec) {
      *error = "cannot load TLS certificate " + impl_->config.tls_cert_file + ": " + ec.message();
      impl_->tls.reset();
      return false;
    }
    ctx.use_private_key_file(impl_->config.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      *error = "cannot load TLS key " + impl_->config.tls_key_file + ": " + ec.message();
      impl_->tls.reset();
      return false;
    }
  }
  const auto address = asio::ip::make_address(impl_->config.host, ec);
  if (ec) {
    *error = "bad listen address '" + impl_->config.host + "': " + ec.message();
    return false;
  }
  const tcp::endpoint ep(address, impl_->config.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + impl_->config.host + ":" + std::to_string(impl_->config.port) +
             ": " + ec.message();
    return false;
  }
  impl_->Accept();
  return true;
}

void HttpServer::SetUpgradeHandler(ws::WsUpgradeHandler handler) {
  impl_->upgrade_handler = std::move(handler);
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

const HttpServer::Stats& HttpServer::stats() const { return impl_->stats; }
size_t HttpServer::open_connections() const { return impl_->connections; }

void HttpServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ec;
  impl_->acceptor.close(ec);
  impl_->accept_backoff.cancel();
  for (auto& w : impl_->sessions)
    if (auto s = w.lock()) s->Close();
  impl_->sessions.clear();
  for (auto& w : impl_->ws_sessions)
    if (auto s = w.lock()) s->Abort();
  impl_->ws_sessions.clear();
}

}  // namespace sfu::http

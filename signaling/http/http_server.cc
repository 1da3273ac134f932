#include "signaling/http/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <list>

#include "transport/base/log.h"

namespace sfu::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string ErrorJson(std::string_view type, std::string_view code, std::string_view message) {
  std::string body = "{\"Code\":\"";
  body += code;
  body += "\",\"Message\":\"";
  body += message;
  body += "\"}";
  (void)type;
  return body;
}

class Session;

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& ioc, HttpServerConfig c, Handler h)
      : ioc(ioc), config(std::move(c)), handler(std::move(h)), acceptor(ioc) {}

  void Accept();

  asio::io_context& ioc;
  HttpServerConfig config;
  Handler handler;
  tcp::acceptor acceptor;
  size_t connections = 0;
  bool stopped = false;
  std::list<std::weak_ptr<Session>> sessions;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    ++server_->connections;
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = ep.address().to_string();
      loopback_ = ep.address().is_loopback() ||
                  (ep.address().is_v6() && ep.address().to_v6().is_v4_mapped() &&
                   asio::ip::make_address_v4(asio::ip::v4_mapped, ep.address().to_v6()).is_loopback());
    }
  }
  ~Session() { --server_->connections; }

  void Start(bool over_capacity) {
    over_capacity_ = over_capacity;
    Read();
  }
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->config.max_header_bytes));
    parser_->body_limit(server_->config.max_body_bytes);
    buffer_.consume(buffer_.size() > 0 ? 0 : 0);
    stream_.expires_after(std::chrono::seconds(server_->config.timeout_seconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::eof || ec == asio::error::connection_reset) {
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
    if (over_capacity_) {
      return SendError(503, "ServiceUnavailableException", "ServiceUnavailable",
                       "Too many open connections");
    }
    auto& msg = parser_->get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    const std::string_view target(msg.target().data(), msg.target().size());
    const size_t q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    for (const auto& field : msg) {
      req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(msg.body());
    req.remote_address = remote_;
    req.remote_is_loopback = loopback_;
    HttpResponse resp;
    try {
      resp = server_->handler(req);
    } catch (const std::exception& e) {
      SFU_LOG(kError, "http handler threw").Kv("error", e.what()).Kv("path", req.path);
      resp.status = 500;
      resp.SetHeader("Content-Type", "application/json");
      resp.SetHeader("x-amzn-ErrorType", "ServiceFailureException");
      resp.body = ErrorJson("ServiceFailureException", "ServiceFailure", "internal error");
    }
    Send(std::move(resp), msg.keep_alive(), req.method == "HEAD");
  }

  void SendError(int status, std::string_view type, std::string_view code, const std::string& message) {
    HttpResponse r;
    r.status = status;
    r.SetHeader("Content-Type", "application/json");
    r.SetHeader("x-amzn-ErrorType", std::string(type));
    r.body = ErrorJson(type, code, message);
    Send(std::move(r), false, false);
  }

  void Send(HttpResponse resp, bool keep_alive, bool head) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(resp.status));
    res->set(bhttp::field::server, "sfu-server");
    for (auto& [k, v] : resp.headers) res->set(k, v);
    const bool closing = !keep_alive || server_->stopped;
    res->keep_alive(!closing);
    res->body() = std::move(resp.body);
    res->prepare_payload();
    if (head) res->body().clear();
    stream_.expires_after(std::chrono::seconds(server_->config.timeout_seconds));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, closing](beast::error_code ec, std::size_t) {
                         if (ec || closing) return self->Close();
                         self->Read();
                       });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::string remote_;
  bool loopback_ = false;
  bool over_capacity_ = false;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec,
                                                                             tcp::socket socket) {
    if (self->stopped) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      auto session = std::make_shared<Session>(std::move(socket), self);
      // Over the limit: the connection is answered 503 on its first request and closed.
      session->Start(self->connections > self->config.max_connections);
      self->sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
      self->sessions.push_back(session);
    } else if (ec != asio::error::operation_aborted) {
      SFU_LOG(kWarn, "accept failed").Kv("error", ec.message());
    }
    self->Accept();
  });
}

HttpServer::HttpServer(asio::io_context& ioc, HttpServerConfig config, Handler handler)
    : impl_(std::make_shared<Impl>(ioc, std::move(config), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::Start(std::string* error) {
  beast::error_code ec;
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

uint16_t HttpServer::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ec;
  impl_->acceptor.close(ec);
  for (auto& w : impl_->sessions)
    if (auto s = w.lock()) s->Close();
  impl_->sessions.clear();
}

}  // namespace sfu::http

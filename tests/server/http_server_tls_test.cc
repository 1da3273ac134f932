// HTTPS and WSS on the main listener (--tls-cert/--tls-key): a real TLS handshake on loopback,
// HTTP over it, a WebSocket upgrade over it carrying binary messages, and the errors.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdio>
#include <thread>

#include "server/server_config.h"
#include "signaling/http/http_server.h"
#include "tests/test_util.h"

namespace sfu::http {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// Writes a self-signed P-256 certificate and key as PEM files.
void WriteSelfSigned(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_set_pubkey(cert, key);
  X509_sign(cert, key, EVP_sha256());
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

// Echoes binary messages back.
class EchoHandler : public ws::WsHandler {
 public:
  explicit EchoHandler(std::shared_ptr<ws::WsConnection> c) : c_(std::move(c)) {}
  void OnBinaryMessage(std::span<const uint8_t> m) override {
    c_->SendBinary(std::vector<uint8_t>(m.begin(), m.end()));
  }
  void OnClosed(uint16_t) override {}

 private:
  std::shared_ptr<ws::WsConnection> c_;
};

class HttpServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path());
    cert_ = (dir_.path() / "cert.pem").string();
    key_ = (dir_.path() / "key.pem").string();
    WriteSelfSigned(cert_, key_);
  }
  void TearDown() override {
    if (server_) {
      asio::post(ioc_, [this] { server_->Stop(); });
    }
    work_.reset();
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }
  bool StartServer(std::string* error, std::string cert = "", std::string key = "") {
    HttpServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.tls_cert_file = cert.empty() ? cert_ : cert;
    config.tls_key_file = key.empty() ? key_ : key;
    server_ = std::make_unique<HttpServer>(ioc_, config, [](const HttpRequest& req) {
      HttpResponse r;
      r.body = "hello over tls " + req.path;
      return r;
    });
    server_->SetUpgradeHandler([](const HttpRequest&, std::shared_ptr<ws::WsConnection> c) {
      ws::WsAcceptance a;
      a.handler = std::make_unique<EchoHandler>(c);
      return a;
    });
    if (!server_->Start(error)) return false;
    thread_ = std::thread([this] { ioc_.run(); });
    return true;
  }

  sfu::testing::ScopedTempDir dir_;
  std::string cert_, key_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTlsTest, HttpsAndWssWork) {
  std::string error;
  ASSERT_TRUE(StartServer(&error)) << error;
  asio::io_context client;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  tcp::resolver resolver(client);
  const auto endpoints = resolver.resolve("127.0.0.1", std::to_string(server_->port()));
  {
    beast::ssl_stream<beast::tcp_stream> s(client, ctx);
    beast::get_lowest_layer(s).connect(endpoints);
    s.handshake(asio::ssl::stream_base::client);
    beast::http::request<beast::http::empty_body> req(beast::http::verb::get, "/x", 11);
    req.set(beast::http::field::host, "127.0.0.1");
    beast::http::write(s, req);
    beast::flat_buffer b;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(s, b, res);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "hello over tls /x");
  }
  {
    beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(client, ctx);
    beast::get_lowest_layer(ws).connect(endpoints);
    ws.next_layer().handshake(asio::ssl::stream_base::client);
    ws.handshake("127.0.0.1", "/control/x");
    ws.binary(true);
    const std::vector<uint8_t> msg = {5, 1, 2, 3};
    ws.write(asio::buffer(msg));
    beast::flat_buffer b;
    ws.read(b);
    const auto d = b.cdata();
    EXPECT_EQ(std::vector<uint8_t>(static_cast<const uint8_t*>(d.data()),
                                   static_cast<const uint8_t*>(d.data()) + d.size()),
              msg);
    ws.close(beast::websocket::close_code::normal);
  }
}

TEST_F(HttpServerTlsTest, PlainTextToTheTlsPortGetsNoHttpAnswer) {
  std::string error;
  ASSERT_TRUE(StartServer(&error)) << error;
  asio::io_context client;
  beast::tcp_stream s(client);
  tcp::resolver resolver(client);
  s.connect(resolver.resolve("127.0.0.1", std::to_string(server_->port())));
  beast::http::request<beast::http::empty_body> req(beast::http::verb::get, "/", 11);
  req.set(beast::http::field::host, "127.0.0.1");
  beast::http::write(s, req);
  beast::flat_buffer b;
  beast::http::response<beast::http::string_body> res;
  beast::error_code ec;
  s.expires_after(std::chrono::seconds(5));
  beast::http::read(s, b, res, ec);
  EXPECT_TRUE(ec) << "got HTTP " << res.result_int();
}

TEST_F(HttpServerTlsTest, UnreadableCertificateIsAClearError) {
  std::string error;
  EXPECT_FALSE(StartServer(&error, "/nonexistent/cert.pem"));
  EXPECT_NE(error.find("/nonexistent/cert.pem"), std::string::npos) << error;
}

TEST(ServerConfigTlsTest, CertAndKeyGoTogetherAndMakeHttpsUrls) {
  sfu::testing::ScopedTempDir dir;
  std::filesystem::create_directories(dir.path());
  const std::string cert = (dir.path() / "c.pem").string(), key = (dir.path() / "k.pem").string();
  WriteSelfSigned(cert, key);
  auto parse = [](std::vector<const char*> args) {
    args.insert(args.begin(), "sfu-server");
    const char* env[] = {nullptr};
    return server::ParseServerConfig(static_cast<int>(args.size()), args.data(), env);
  };
  auto only_cert = parse({"--tls-cert", cert.c_str()});
  EXPECT_FALSE(only_cert.config);
  EXPECT_NE(only_cert.message.find("--tls-key"), std::string::npos);
  auto missing = parse({"--tls-cert", "/nonexistent", "--tls-key", key.c_str()});
  EXPECT_FALSE(missing.config);
  auto both =
      parse({"--tls-cert", cert.c_str(), "--tls-key", key.c_str(), "--listen", "127.0.0.1:8443"});
  ASSERT_TRUE(both.config) << both.message;
  EXPECT_EQ(both.config->http_base, "https://127.0.0.1:8443");
  EXPECT_EQ(both.config->ws_base, "wss://127.0.0.1:8443");
}

}  // namespace
}  // namespace sfu::http

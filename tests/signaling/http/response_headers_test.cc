// The Content-Security-Policy and its companions (signaling/http/security_headers.h) on every
// response of the listener: handler answers, the listener's own 413, and a handler's own value
// of a header winning over the default.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <thread>

#include "signaling/http/http_server.h"
#include "signaling/http/security_headers.h"

namespace sfu::http {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;

TEST(SecurityHeadersTest, PolicyFollowsTheChimeGuidanceForOneOrigin) {
  const std::string csp = ContentSecurityPolicy("wss://meet.example.com");
  for (const char* part :
       {"default-src 'self'", "script-src 'self';", "connect-src 'self' wss://meet.example.com;",
        "worker-src blob:", "child-src blob:", "frame-ancestors 'none'", "object-src 'none'",
        "base-uri 'none'", "style-src 'self';"})
    EXPECT_NE(csp.find(part), std::string::npos) << part;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("wasm"), std::string::npos) << csp;
  EXPECT_NE(ContentSecurityPolicy("").find("connect-src 'self'; "), std::string::npos);
  const auto headers = SecurityHeaders("ws://127.0.0.1:8080");
  std::map<std::string, std::string> m(headers.begin(), headers.end());
  EXPECT_EQ(m["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(m["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(m["X-Frame-Options"], "DENY");
}

class ResponseHeadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.max_body_bytes = 1024;
    config.response_headers = SecurityHeaders("ws://127.0.0.1:1");
    server_ = std::make_unique<HttpServer>(ioc_, config, [](const HttpRequest& req) {
      HttpResponse r;
      if (req.path == "/own") r.SetHeader("Referrer-Policy", "same-origin");
      r.body = "ok";
      return r;
    });
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    asio::post(ioc_, [this] { server_->Stop(); });
    work_.reset();
    ioc_.stop();
    thread_.join();
  }
  beast::http::response<beast::http::string_body> Request(const std::string& target,
                                                          std::string body = "") {
    asio::io_context client;
    asio::ip::tcp::socket s(client);
    s.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    beast::http::request<beast::http::string_body> req(
        body.empty() ? beast::http::verb::get : beast::http::verb::post, target, 11);
    req.set(beast::http::field::host, "127.0.0.1");
    req.body() = std::move(body);
    req.prepare_payload();
    beast::http::write(s, req);
    beast::flat_buffer buf;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(s, buf, res);
    return res;
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(ResponseHeadersTest, EveryResponseCarriesThem) {
  auto ok = Request("/x");
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_NE(ok["Content-Security-Policy"].find("connect-src 'self' ws://127.0.0.1:1"),
            std::string::npos);
  EXPECT_EQ(ok["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(ok["Referrer-Policy"], "no-referrer");

  auto too_big = Request("/x", std::string(4096, 'b'));
  EXPECT_EQ(too_big.result_int(), 413);
  EXPECT_NE(too_big["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(too_big["X-Frame-Options"], "DENY");

  auto own = Request("/own");
  EXPECT_EQ(own["Referrer-Policy"], "same-origin");
  EXPECT_EQ(own.count("Referrer-Policy"), 1u);
}

}  // namespace
}  // namespace sfu::http

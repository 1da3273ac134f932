// The HTTP listener's connection limits (signaling/http/http_server.h) against clients that hold
// connections open with half a request, from several loopback source addresses (127.0.0.x):
// the per-address limit closes extra connections at once, the first request's header has a
// deadline that trickled bytes do not extend, past max_connections only WebSocket joins are
// taken, and running out of descriptors makes accept back off instead of spinning.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "signaling/http/http_server.h"

namespace sfu::http {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

class NullHandler : public ws::WsHandler {
 public:
  void OnBinaryMessage(std::span<const uint8_t>) override {}
  void OnClosed(uint16_t) override {}
};

// A blocking TCP client bound to a chosen loopback source address.
class Client {
 public:
  Client(const std::string& source, uint16_t port, bool connect_now = true) : port_(port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &a.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    if (connect_now) Connect();
  }
  bool Connect() {
    sockaddr_in s{};
    s.sin_family = AF_INET;
    s.sin_port = htons(port_);
    ::inet_pton(AF_INET, "127.0.0.1", &s.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&s), sizeof(s)) == 0;
    return connected_;
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  bool Send(const std::string& s) {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  // Reads what arrives within timeout; closed() tells whether the server closed the connection.
  std::string Read(std::chrono::milliseconds timeout) {
    std::string out;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            end - std::chrono::steady_clock::now())
                                            .count());
      if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
      if (out.find("\r\n\r\n") != std::string::npos) break;
    }
    return out;
  }
  bool closed() const { return closed_; }
  int fd() const { return fd_; }

 private:
  uint16_t port_;
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
};

constexpr char kHalfRequest[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
constexpr char kRequest[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr char kUpgrade[] =
    "GET /control/x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

class HttpServerLimitsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) {
      std::promise<void> stopped;
      asio::post(ioc_, [&] {
        server_->Stop();
        stopped.set_value();
      });
      stopped.get_future().wait();
    }
    work_.reset();
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
  }
  void Start(HttpServerConfig config) {
    config.host = "127.0.0.1";
    config.port = 0;
    server_ = std::make_unique<HttpServer>(ioc_, config, [](const HttpRequest&) {
      HttpResponse r;
      r.body = "ok";
      return r;
    });
    server_->SetUpgradeHandler([](const HttpRequest&, std::shared_ptr<ws::WsConnection>) {
      ws::WsAcceptance a;
      a.handler = std::make_unique<NullHandler>();
      return a;
    });
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    port_ = server_->port();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  HttpServer::Stats Stats() {
    std::promise<HttpServer::Stats> p;
    asio::post(ioc_, [&] { p.set_value(server_->stats()); });
    return p.get_future().get();
  }
  size_t Open() {
    std::promise<size_t> p;
    asio::post(ioc_, [&] { p.set_value(server_->open_connections()); });
    return p.get_future().get();
  }
  // Waits until the server holds n connections (they are accepted asynchronously).
  void WaitOpen(size_t n) {
    for (int i = 0; i < 200 && Open() < n; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(Open(), n);
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerLimitsTest, PerAddressLimitClosesExtraConnectionsAtOnce) {
  HttpServerConfig c;
  c.max_connections_per_address = 3;
  Start(c);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>("127.0.0.2", port_));
    ASSERT_TRUE(held.back()->Send(kHalfRequest));
  }
  WaitOpen(3);
  Client extra("127.0.0.2", port_);
  extra.Read(3s);
  EXPECT_TRUE(extra.closed()) << "a fourth connection from the same address must be closed at once";
  EXPECT_EQ(Stats().refused_per_address, 1u);
  // Another address is served meanwhile.
  Client other("127.0.0.3", port_);
  ASSERT_TRUE(other.Send(kRequest));
  EXPECT_NE(other.Read(3s).find("200 OK"), std::string::npos);
}

TEST_F(HttpServerLimitsTest, HeaderDeadlineIsNotExtendedByTrickledBytes) {
  HttpServerConfig c;
  c.header_timeout_seconds = 1;
  Start(c);
  Client slow("127.0.0.2", port_);
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\n"));
  // One header line every 200 ms for up to 4 s: an idle timer would never fire.
  bool cut = false;
  for (int i = 0; i < 20 && !cut; ++i) {
    std::this_thread::sleep_for(200ms);
    if (!slow.Send("X-Slow: 1\r\n")) cut = true;
    slow.Read(1ms);
    cut = cut || slow.closed();
  }
  EXPECT_TRUE(cut) << "the header deadline did not close a trickling connection";
  EXPECT_EQ(Stats().header_timeouts, 1u);
  // A prompt client on a fresh connection is unaffected.
  Client ok("127.0.0.3", port_);
  ASSERT_TRUE(ok.Send(kRequest));
  EXPECT_NE(ok.Read(3s).find("200 OK"), std::string::npos);
}

TEST_F(HttpServerLimitsTest, PastCapacityOnlyWebSocketJoinsAreTakenThenConnectionsAreClosed) {
  HttpServerConfig c;
  c.max_connections = 4;
  c.reserved_for_upgrades = 2;
  c.max_connections_per_address = 2;
  Start(c);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<Client>("127.0.0." + std::to_string(10 + i / 2), port_));
    ASSERT_TRUE(held.back()->Send(kHalfRequest));
  }
  WaitOpen(4);
  // From the reserve: a plain request is refused with 503, a WebSocket join is accepted.
  Client plain("127.0.0.20", port_);
  ASSERT_TRUE(plain.Send(kRequest));
  EXPECT_NE(plain.Read(3s).find("503"), std::string::npos);
  Client join("127.0.0.21", port_);
  ASSERT_TRUE(join.Send(kUpgrade));
  EXPECT_NE(join.Read(3s).find("101 Switching Protocols"), std::string::npos);
  EXPECT_EQ(Stats().refused_not_upgrade, 1u);
  // Fill the reserve with half requests: the next connection is closed without being read.
  Client r1("127.0.0.30", port_), r2("127.0.0.31", port_);
  ASSERT_TRUE(r1.Send(kHalfRequest));
  ASSERT_TRUE(r2.Send(kHalfRequest));
  WaitOpen(6);
  Client over("127.0.0.32", port_);
  over.Read(3s);
  EXPECT_TRUE(over.closed());
  EXPECT_EQ(Stats().refused_over_capacity, 1u);
}

std::mutex g_log_mutex;
std::vector<std::string> g_log;
void CaptureLog(std::string_view line) {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  g_log.emplace_back(line);
}

TEST_F(HttpServerLimitsTest, OutOfDescriptorsAcceptBacksOffAndRecovers) {
  Start(HttpServerConfig{});
  base::SetLogSink(&CaptureLog);
  // A small descriptor limit for this process (restored at the end), the clients' sockets
  // first (they need descriptors of their own), then every descriptor left used up, then the
  // clients connect: the server's accept fails with EMFILE.
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 512);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &small), 0);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 5; ++i)
    clients.push_back(std::make_unique<Client>("127.0.0.2", port_, false));
  std::vector<int> hogs;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) hogs.push_back(fd);
  ASSERT_EQ(errno, EMFILE);
  for (auto& c : clients) {
    ASSERT_TRUE(c->Connect());
    ASSERT_TRUE(c->Send(kRequest));
  }
  std::this_thread::sleep_for(1500ms);
  const uint64_t errors = Stats().accept_errors;
  for (int fd : hogs) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  // A spinning accept loop fails hundreds of thousands of times in 1.5 s; backing off 250 ms
  // fails about six times.
  EXPECT_GE(errors, 1u);
  EXPECT_LE(errors, 20u);
  size_t accept_lines = 0;
  {
    std::lock_guard<std::mutex> lock(g_log_mutex);
    for (const auto& l : g_log) accept_lines += l.find("accept failed") != std::string::npos;
  }
  EXPECT_LE(accept_lines, 1u) << "accept failures must be logged at most once per 10 s";
  // Descriptors are back: every waiting client is served.
  for (auto& c : clients) EXPECT_NE(c->Read(5s).find("200 OK"), std::string::npos);
  base::SetLogSink(nullptr);
}

}  // namespace
}  // namespace sfu::http

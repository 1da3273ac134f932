#pragma once
// A private redis-server for the tests of the Redis store (signaling/store/redis_store.h): Debian's
// /usr/bin/redis-server (scripts/setup.sh installs it and keeps the system service off) on
// 127.0.0.1, a free TCP port and a unix socket in a fresh temporary directory, nothing persisted.
// Test processes run in parallel (ctest -j2) each get their own port and directory.
//
// A server that cannot be started is an error the test must report, never a reason to skip:
//   ASSERT_TRUE(server.running()) << server.error();

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sfu::testing {

class ScopedRedisServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";

  // Starts the server; running() says whether it answers PING, error() why not.
  ScopedRedisServer() {
    char tmpl[] = "/tmp/sfu-redis-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      error_ = std::string("mkdtemp: ") + std::strerror(errno);
      return;
    }
    dir_ = tmpl;
    // Another process may take the port between our probe and redis-server's bind: pick again.
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = PickFreePort();
      if (port_ == 0) {
        error_ = std::string("cannot find a free TCP port: ") + std::strerror(errno);
        return;
      }
      if (Start() || error_.find("already in use") == std::string::npos) return;
    }
  }
  ~ScopedRedisServer() {
    Stop();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  ScopedRedisServer(const ScopedRedisServer&) = delete;
  ScopedRedisServer& operator=(const ScopedRedisServer&) = delete;

  bool running() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  std::string unix_socket() const { return dir_ + "/redis.sock"; }
  const std::string& dir() const { return dir_; }

  // (Re)starts the server on the same port (after Stop(), for reconnect tests). Waits up to 5 s
  // for it to answer PING. False with error() set.
  bool Start() {
    if (running()) return true;
    error_.clear();
    const std::string port = std::to_string(port_);
    const std::string log = dir_ + "/redis.log";
    const std::string out = dir_ + "/stdout.log";
    std::vector<std::string> args = {kBinary,
                                     "--port",
                                     port,
                                     "--bind",
                                     "127.0.0.1",
                                     "--protected-mode",
                                     "yes",
                                     "--dir",
                                     dir_,
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no",
                                     "--daemonize",
                                     "no",
                                     "--logfile",
                                     log,
                                     "--unixsocket",
                                     unix_socket(),
                                     "--unixsocketperm",
                                     "700"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string exec_failed =
        std::string("exec ") + kBinary + " failed: is redis-server installed (scripts/setup.sh)?\n";
    // Each start's logs alone, for the error message.
    for (const std::string& f : {log, out}) std::ofstream(f, std::ios::trunc).flush();
    // Only async-signal-safe calls between fork and exec.
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      error_ = std::string("fork: ") + std::strerror(errno);
      return false;
    }
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test leaves no server behind
      if (::getppid() != parent) ::_exit(126);
      const int null_fd = ::open("/dev/null", O_RDONLY);
      const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (null_fd >= 0) ::dup2(null_fd, 0);
      if (out_fd >= 0) {
        ::dup2(out_fd, 1);
        ::dup2(out_fd, 2);
      }
      ::execv(kBinary, argv.data());
      [[maybe_unused]] ssize_t n = ::write(2, exec_failed.data(), exec_failed.size());
      ::_exit(127);
    }
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error_ = "redis-server (" + std::string(kBinary) + ", port " + port + ") exited with " +
                 DescribeStatus(status) + "; " + Logs();
        return false;
      }
      if (Ping()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Kill(SIGKILL);
    error_ = "redis-server on port " + port + " did not answer PING within 5 s; " + Logs();
    return false;
  }

  // SIGTERM, and waits for the process to exit (SIGKILL after 5 s).
  void Stop() {
    if (!running()) return;
    Kill(SIGTERM);
  }

 private:
  static int PickFreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
  }

  static std::string DescribeStatus(int status) {
    if (WIFEXITED(status)) return "status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
    return "wait status " + std::to_string(status);
  }

  // The tails of the server's log and of its stdout/stderr, for error messages.
  std::string Logs() const {
    std::string all;
    for (const char* name : {"/stdout.log", "/redis.log"}) {
      std::ifstream in(dir_ + name);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      if (text.size() > 1500) text = "..." + text.substr(text.size() - 1500);
      all += std::string(name + 1) + ": " + (text.empty() ? "(empty)" : text) + "\n";
    }
    return all;
  }

  // True if our server answers PING with +PONG within 500 ms. Asked on its unix socket, which
  // is in our own directory: another test's redis-server that won the race for the TCP port
  // cannot answer there, and ours creates it only after binding the TCP port.
  bool Ping() const {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = unix_socket();
    if (path.size() >= sizeof(addr.sun_path)) {
      ::close(fd);
      return false;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      const char ping[] = "PING\r\n";
      if (::send(fd, ping, sizeof(ping) - 1, MSG_NOSIGNAL) == sizeof(ping) - 1) {
        std::string got;
        pollfd p{fd, POLLIN, 0};
        while (got.size() < 7 && ::poll(&p, 1, 500) == 1) {
          char buf[16];
          const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
          if (n <= 0) break;
          got.append(buf, static_cast<size_t>(n));
        }
        ok = got.rfind("+PONG\r\n", 0) == 0;
      }
    }
    ::close(fd);
    return ok;
  }

  void Kill(int sig) {
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace sfu::testing

#include "signaling/events/webhook_worker.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "base/log.h"

namespace sfu::signaling {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Waits for `events` on fd until deadline_ms (steady) in slices that notice *stop. 1 ready,
// 0 timed out or stopped, -1 error.
int WaitFd(int fd, short events, int64_t deadline_ms, const std::atomic<bool>* stop) {
  for (;;) {
    if (stop && stop->load()) return 0;
    const int64_t left = deadline_ms - NowMs();
    if (left <= 0) return 0;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 100)));
    if (r > 0) return 1;
    if (r < 0 && errno != EINTR) return -1;
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

int PostOnce(const api::WebhookUrl& url,
             const std::vector<std::pair<std::string, std::string>>& headers,
             const std::string& body, int connect_timeout_ms, int response_timeout_ms,
             const std::atomic<bool>* stop, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (const int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    *error = std::string("cannot resolve ") + url.host + ": " + gai_strerror(rc);
    return 0;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, &freeaddrinfo);
  const int64_t connect_deadline = NowMs() + connect_timeout_ms;
  int connected = -1;
  *error = "no address";
  for (addrinfo* a = found; a && connected < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      connected = fd;
      break;
    }
    if (errno == EINPROGRESS && WaitFd(fd, POLLOUT, connect_deadline, stop) == 1) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) {
        connected = fd;
        break;
      }
      *error = std::string("connect: ") + std::strerror(err);
    } else {
      *error = errno == EINPROGRESS ? "connect timed out"
                                    : std::string("connect: ") + std::strerror(errno);
    }
    ::close(fd);
  }
  if (connected < 0) return 0;
  Fd sock(connected);
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != 80) host += ":" + port;
  std::string request = "POST " + url.target + " HTTP/1.1\r\nHost: " + host +
                        "\r\nUser-Agent: sfu-server\r\nConnection: close\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  request += body;
  const int64_t deadline = NowMs() + response_timeout_ms;
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n =
        ::send(sock.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (WaitFd(sock.get(), POLLOUT, deadline, stop) != 1) {
        *error = "send timed out";
        return 0;
      }
      continue;
    }
    *error = std::string("send: ") + std::strerror(errno);
    return 0;
  }
  // Only the status line matters: "HTTP/1.x NNN ...".
  std::string head;
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    char buf[1024];
    const ssize_t n = ::recv(sock.get(), buf, sizeof(buf), 0);
    if (n > 0) {
      head.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) break;
    if (errno == EAGAIN || errno == EINTR) {
      if (WaitFd(sock.get(), POLLIN, deadline, stop) != 1) {
        *error = "no response in time";
        return 0;
      }
      continue;
    }
    *error = std::string("recv: ") + std::strerror(errno);
    return 0;
  }
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12 || head[8] != ' ') {
    *error = "not an HTTP response";
    return 0;
  }
  const std::string code = head.substr(9, 3);
  if (code.find_first_not_of("0123456789") != std::string::npos) {
    *error = "bad status line";
    return 0;
  }
  return std::stoi(code);
}

WebhookWorker::WebhookWorker(WebhookWorkerConfig config,
                             std::function<void(std::function<void()>)> post,
                             std::function<void(int64_t seq)> on_delivered,
                             std::function<void()> on_failed)
    : config_(std::move(config)),
      post_(std::move(post)),
      on_delivered_(std::move(on_delivered)),
      on_failed_(std::move(on_failed)) {}

WebhookWorker::~WebhookWorker() { Stop(); }

void WebhookWorker::Start() {
  thread_ = std::thread([this] { Run(); });
}

void WebhookWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookWorker::Hand(std::vector<store::QueuedEvent> events) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (store::QueuedEvent& e : events) queue_.push_back(std::move(e));
  }
  cv_.notify_all();
}

void WebhookWorker::DropThrough(int64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  drop_through_ = std::max(drop_through_, seq);
}

void WebhookWorker::Run() {
  int64_t backoff_ms = config_.initial_backoff_ms;
  int attempt = 0;
  int64_t current_seq = 0;
  for (;;) {
    store::QueuedEvent event;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        while (!queue_.empty() && queue_.front().seq <= drop_through_) queue_.pop_front();
        if (stop_ || !queue_.empty()) break;
        cv_.wait(lock);
      }
      if (stop_) return;
      event = queue_.front();  // a copy: the queue may drop it while we deliver
    }
    if (event.seq != current_seq) {
      current_seq = event.seq;
      attempt = 0;
    }
    ++attempt;
    // detail.timestamp, without parsing the body: the dispatcher wrote it.
    std::string timestamp;
    if (const size_t at = event.body.find("\"timestamp\":"); at != std::string::npos) {
      const size_t start = at + 12;
      timestamp =
          event.body.substr(start, event.body.find_first_not_of("0123456789", start) - start);
    }
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/json"},
        {"X-Sfu-Signature", api::WebhookSignature(config_.secret, event.body)},
        {"X-Sfu-Event-Id", event.event_id},
        {"X-Sfu-Event-Seq", std::to_string(event.seq)},
        {"X-Sfu-Event-Timestamp", timestamp},
        {"X-Sfu-Delivery-Attempt", std::to_string(attempt)}};
    std::string error;
    const int status = PostOnce(config_.url, headers, event.body, config_.connect_timeout_ms,
                                config_.response_timeout_ms, &stop_, &error);
    if (stop_) return;
    if (status >= 200 && status < 300) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!queue_.empty() && queue_.front().seq == event.seq) queue_.pop_front();
      }
      backoff_ms = config_.initial_backoff_ms;
      post_([cb = on_delivered_, seq = event.seq] { cb(seq); });
      continue;
    }
    if (attempt == 1 || attempt % 10 == 0) {
      SFU_LOG(kWarn, "webhook delivery failed, will retry")
          .Kv("destination", config_.url.text)
          .Kv("attempt", attempt)
          .Kv("status", status)
          .Kv("error", status ? std::string("HTTP status") : error)
          .Kv("retry_in_ms", backoff_ms);
    }
    post_([cb = on_failed_] { cb(); });
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [this] { return stop_.load(); });
    if (stop_) return;
    backoff_ms = std::min(backoff_ms * 2, config_.max_backoff_ms);
  }
}

}  // namespace sfu::signaling

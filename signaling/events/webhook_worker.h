#pragma once
// Delivers one destination's meeting events (docs/EVENTS.md) on a thread of its own: POSTs the
// oldest handed event, and only after a 2xx the next one, so the receiver sees them in queue
// order. A failure (refused or reset connection, timeout, any status but 2xx) is retried with
// exponential backoff (initial_backoff_ms doubling to max_backoff_ms) until it succeeds or the
// dispatcher drops the event for the queue bound. Each request is a fresh HTTP/1.1 connection
// (Connection: close) with the headers:
//   Content-Type: application/json
//   X-Sfu-Signature: sha256=<hex HMAC-SHA256 of the body under --events-secret>
//   X-Sfu-Event-Id: <the envelope's id>    X-Sfu-Event-Seq: <queue sequence number>
//   X-Sfu-Event-Timestamp: <detail.timestamp, Unix ms>    X-Sfu-Delivery-Attempt: <1, 2, ...>
// Blocking POSIX sockets with poll() deadlines: no Asio here, and nothing on the control thread
// or a shard ever waits for a receiver.
//
// Thread: Hand/DropThrough/Stop from the control thread; results go back through `post` (a task
// run on the control thread), so the dispatcher and the store stay single-owner.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "signaling/api/meeting_event.h"
#include "signaling/events/event_dispatcher.h"

namespace sfu::signaling {

struct WebhookWorkerConfig {
  api::WebhookUrl url;
  std::string secret;
  int64_t initial_backoff_ms = 250;
  int64_t max_backoff_ms = 10'000;
  int connect_timeout_ms = 5'000;
  int response_timeout_ms = 10'000;
};

class WebhookWorker final : public EventChannel {
 public:
  // post runs a task on the control thread; on_delivered(seq) and on_failed() run there.
  WebhookWorker(WebhookWorkerConfig config, std::function<void(std::function<void()>)> post,
                std::function<void(int64_t seq)> on_delivered, std::function<void()> on_failed);
  ~WebhookWorker() override;  // Stop()
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

  void Start();
  // Ends the thread within about 100 ms (an attempt in progress is abandoned, not acknowledged:
  // the event is delivered again by the next run).
  void Stop();

  void Hand(std::vector<store::QueuedEvent> events) override;
  void DropThrough(int64_t seq) override;

 private:
  void Run();

  WebhookWorkerConfig config_;
  std::function<void(std::function<void()>)> post_;
  std::function<void(int64_t)> on_delivered_;
  std::function<void()> on_failed_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<store::QueuedEvent> queue_;  // guarded by mu_
  int64_t drop_through_ = 0;              // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One HTTP/1.1 POST over a new connection. Returns the response status, or 0 when the request
// failed before one arrived (*error says why). Gives up early once *stop is set.
int PostOnce(const api::WebhookUrl& url,
             const std::vector<std::pair<std::string, std::string>>& headers,
             const std::string& body, int connect_timeout_ms, int response_timeout_ms,
             const std::atomic<bool>* stop, std::string* error);

}  // namespace sfu::signaling

#include "transport/sctp/sctp_hub.h"

#include <arpa/inet.h>
#include <usrsctp.h>

#include <chrono>
#include <cstdlib>
#include <utility>

#include "base/log.h"

namespace sfu::transport {
namespace {

constexpr auto kTimerInterval = std::chrono::milliseconds(10);
// usrsctp_finish() retries at shutdown: 300 x 10 ms, as libwebrtc does.
constexpr int kFinishAttempts = 300;
constexpr auto kFinishRetryDelay = std::chrono::milliseconds(10);
// Streams announced in INIT (libwebrtc's kMaxSctpStreams); RFC 8831 §6.2 allows up to 65535.
constexpr uint32_t kMaxStreams = 1024;

uint64_t IdOf(void* addr) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(addr)); }

}  // namespace

// The usrsctp callbacks. They run inside a usrsctp call (hub mutex held, except for usrsctp's
// own iterator thread) and only route by id; the endpoint copies and posts.
struct SctpHubCallbacks {
  static int ConnOutput(void* addr, void* buffer, size_t length, uint8_t /*tos*/,
                        uint8_t /*set_df*/) {
    SctpHub::Instance().RouteOutput(
        IdOf(addr), std::span<const uint8_t>(static_cast<uint8_t*>(buffer), length));
    return 0;
  }

  static int Receive(struct socket* /*sock*/, union sctp_sockstore /*addr*/, void* data,
                     size_t length, struct sctp_rcvinfo rcv, int flags, void* ulp_info) {
    SctpDelivery d;
    d.eof = data == nullptr;
    if (data != nullptr) d.data = std::span<const uint8_t>(static_cast<uint8_t*>(data), length);
    d.stream_id = rcv.rcv_sid;
    d.ppid = ntohl(rcv.rcv_ppid);
    d.end_of_record = (flags & MSG_EOR) != 0;
    d.notification = (flags & MSG_NOTIFICATION) != 0;
    SctpHub::Instance().RouteDelivery(IdOf(ulp_info), d);
    free(data);  // usrsctp malloc()ed it for us
    return 1;
  }
};

SctpHub& SctpHub::Instance() {
  static SctpHub hub;
  return hub;
}

SctpHub::~SctpHub() {
  if (!Shutdown()) {
    SFU_LOG(kWarn, "usrsctp_finish did not complete at exit");
  }
  // If finish failed the timer thread is still running; it must not outlive the hub.
  std::thread timer;
  {
    std::lock_guard l(mutex_);
    stop_timer_ = true;
    timer = std::move(timer_);
  }
  timer_cv_.notify_all();
  if (timer.joinable()) timer.join();
}

bool SctpHub::InitLocked() {
  // No usrsctp timer or receive threads: our timer thread drives usrsctp_handle_timers under
  // mutex_, so usrsctp only ever runs under the hub mutex. UDP encapsulation port 0 (none).
  usrsctp_init_nothreads(0, &SctpHubCallbacks::ConnOutput, nullptr);
  // As libwebrtc: no ECN, and no ASCONF or AUTH (WebRTC uses neither; less attack surface).
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_sysctl_set_sctp_asconf_enable(0);
  usrsctp_sysctl_set_sctp_auth_enable(0);
  usrsctp_sysctl_set_sctp_nr_outgoing_streams_default(kMaxStreams);
  initialised_ = true;
  stop_timer_ = false;
  timer_ = std::thread([this] { TimerLoop(); });
  return true;
}

void SctpHub::TimerLoop() {
  std::unique_lock l(mutex_);
  auto last = std::chrono::steady_clock::now();
  while (!stop_timer_) {
    timer_cv_.wait_for(l, kTimerInterval);
    if (stop_timer_) break;
    const auto now = std::chrono::steady_clock::now();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - last);
    if (elapsed.count() <= 0) continue;
    last += elapsed;
    if (initialised_) usrsctp_handle_timers(static_cast<uint32_t>(elapsed.count()));
  }
}

uint64_t SctpHub::Add(const Lock& /*lock*/, Endpoint* endpoint) {
  if (shutting_down_) return 0;
  if (!initialised_ && !InitLocked()) return 0;
  const uint64_t id = next_id_++;
  {
    std::lock_guard r(route_mutex_);
    routes_[id] = endpoint;
  }
  void* addr = ConnAddress(id);
  usrsctp_register_address(addr);
  struct socket* s = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &SctpHubCallbacks::Receive,
                                    nullptr, 0, addr);
  // Close without lingering: the association is aborted at once (ABORT to the peer), as
  // libwebrtc does, so teardown never waits on a peer that has gone away with DTLS.
  struct linger no_linger = {1, 0};
  if (s == nullptr || usrsctp_set_non_blocking(s, 1) < 0 ||
      usrsctp_setsockopt(s, SOL_SOCKET, SO_LINGER, &no_linger, sizeof(no_linger)) < 0) {
    SFU_LOG(kWarn, "usrsctp socket setup failed").Kv("errno", errno);
    if (s != nullptr) usrsctp_close(s);
    usrsctp_deregister_address(addr);
    std::lock_guard r(route_mutex_);
    routes_.erase(id);
    return 0;
  }
  entries_[id] = Entry{s, true};
  return id;
}

struct socket* SctpHub::Socket(const Lock& /*lock*/, uint64_t id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.socket;
}

void SctpHub::ConnInput(const Lock& /*lock*/, uint64_t id, std::span<const uint8_t> packet) {
  auto it = entries_.find(id);
  if (!initialised_ || it == entries_.end() || !it->second.address_registered) return;
  usrsctp_conninput(ConnAddress(id), packet.data(), packet.size(), 0);
}

void SctpHub::CloseSocket(const Lock& /*lock*/, uint64_t id) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.socket == nullptr) return;
  usrsctp_close(it->second.socket);
  it->second.socket = nullptr;
}

void SctpHub::Remove(const Lock& /*lock*/, uint64_t id) {
  // Route first: whatever usrsctp emits while closing (the ABORT) is for an endpoint on its way
  // out and is dropped here.
  {
    std::lock_guard r(route_mutex_);
    routes_.erase(id);
  }
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (it->second.socket != nullptr) usrsctp_close(it->second.socket);
  if (it->second.address_registered) usrsctp_deregister_address(ConnAddress(id));
  entries_.erase(it);
}

void SctpHub::RouteOutput(uint64_t id, std::span<const uint8_t> packet) {
  std::lock_guard r(route_mutex_);
  auto it = routes_.find(id);
  if (it != routes_.end()) it->second->OnSctpHubOutput(packet);
}

void SctpHub::RouteDelivery(uint64_t id, const SctpDelivery& delivery) {
  std::lock_guard r(route_mutex_);
  auto it = routes_.find(id);
  if (it != routes_.end()) it->second->OnSctpHubDelivery(delivery);
}

bool SctpHub::Shutdown() {
  {
    auto lock = Acquire();
    if (!initialised_) return true;
    if (shutting_down_) return false;  // another thread is shutting down
    shutting_down_ = true;
    // Close first, deregister after: the aborts go out while the addresses still exist.
    for (auto& [id, e] : entries_) {
      if (e.socket != nullptr) usrsctp_close(e.socket);
      e.socket = nullptr;
    }
    for (auto& [id, e] : entries_) {
      if (e.address_registered) usrsctp_deregister_address(ConnAddress(id));
      e.address_registered = false;
    }
  }
  // usrsctp frees closed endpoints from its timers, which the timer thread keeps running
  // between attempts (mutex_ is released while we sleep).
  bool finished = false;
  for (int i = 0; i < kFinishAttempts && !finished; ++i) {
    {
      auto lock = Acquire();
      finished = usrsctp_finish() == 0;
      if (finished) initialised_ = false;
    }
    if (!finished) std::this_thread::sleep_for(kFinishRetryDelay);
  }
  std::thread timer;
  {
    auto lock = Acquire();
    if (finished) {
      stop_timer_ = true;
      timer = std::move(timer_);
    }
    shutting_down_ = false;
  }
  timer_cv_.notify_all();
  if (timer.joinable()) timer.join();
  if (!finished) SFU_LOG(kWarn, "usrsctp_finish still busy after retries");
  return finished;
}

bool SctpHub::running() const {
  std::lock_guard l(mutex_);
  return initialised_;
}

size_t SctpHub::endpoint_count() const {
  std::lock_guard r(route_mutex_);
  return routes_.size();
}

size_t SctpHub::open_socket_count() const {
  std::lock_guard l(mutex_);
  size_t n = 0;
  for (const auto& [id, e] : entries_) n += e.socket != nullptr ? 1 : 0;
  return n;
}

}  // namespace sfu::transport

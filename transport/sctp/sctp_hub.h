#pragma once
// SctpHub: the process-wide owner of usrsctp (docs/DESIGN.md, "Media transport"; Debian 12 ships
// usrsctp 0.9.5.0).
//
// usrsctp is one global stack per process, while our transports live on shards. The hub makes
// that safe:
//  * It initialises usrsctp lazily with usrsctp_init_nothreads() (no usrsctp timer thread, no
//    UDP/raw receive threads) and runs its own timer thread that calls usrsctp_handle_timers()
//    every 10 ms. So every usrsctp entry point, timers included, runs under the one hub mutex,
//    and usrsctp is effectively single-threaded: no lock-order cycles between our locks and
//    usrsctp's internal ones (the classic deadlock when conn_output, called by usrsctp's own
//    timer thread with its locks held, takes a lock that a shard holds while calling usrsctp).
//  * Each association is an Endpoint registered under a numeric id. The id, cast to a pointer,
//    is its AF_CONN address (local and remote sconn_addr, WebRTC style) and the socket's
//    ulp_info, so usrsctp callbacks carry an id, never an object pointer. The callbacks look the
//    id up in a route table under a second, leaf mutex (never held while calling usrsctp) and
//    hand the data to the endpoint, which copies it and posts it to its owning shard. An id
//    removed from the table (association destroyed) makes late callbacks no-ops. The leaf mutex
//    also keeps routing correct should usrsctp ever call back from a thread of its own (0.9.5
//    always starts an iterator thread, though nothing we use gives it work).
//  * Shutdown() closes every socket, deregisters every address and retries usrsctp_finish()
//    until it returns 0 (bounded, about 3 s), then stops the timer thread. A later association
//    initialises usrsctp again. The destructor (process exit) calls Shutdown().
//
// Threads: any. Endpoint callbacks run on whichever thread is inside usrsctp (a shard calling
// in, or the timer thread), with the route mutex held: they must only copy and post, and must
// not call the hub or usrsctp.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>

struct socket;  // usrsctp's opaque socket (usrsctp.h stays out of our headers)

namespace sfu::transport {

// One usrsctp receive-callback delivery: a whole message, a piece of one (partial delivery,
// end_of_record false), a notification, or end of file. `data` is only valid during the call.
struct SctpDelivery {
  std::span<const uint8_t> data;
  uint16_t stream_id = 0;
  uint32_t ppid = 0;  // host order
  bool end_of_record = false;
  bool notification = false;  // data is a union sctp_notification
  bool eof = false;           // the association is gone (usrsctp passes no data)
};

class SctpHub {
 public:
  class Endpoint {
   public:
    virtual ~Endpoint() = default;
    // An SCTP packet usrsctp wants sent to the peer (conn_output).
    virtual void OnSctpHubOutput(std::span<const uint8_t> packet) = 0;
    virtual void OnSctpHubDelivery(const SctpDelivery& delivery) = 0;
  };

  // Proof that the hub mutex is held: usrsctp may be called while a Lock is alive, and the hub
  // methods that touch usrsctp take one. Not reentrant: never Acquire() while holding one.
  class Lock {
   public:
    Lock(Lock&&) = default;
    Lock& operator=(Lock&&) = delete;

   private:
    friend class SctpHub;
    explicit Lock(std::mutex& m) : lock_(m) {}
    std::unique_lock<std::mutex> lock_;
  };

  static SctpHub& Instance();

  ~SctpHub();
  SctpHub(const SctpHub&) = delete;
  SctpHub& operator=(const SctpHub&) = delete;

  [[nodiscard]] Lock Acquire() { return Lock(mutex_); }

  // Initialises usrsctp if needed, registers the endpoint (borrowed until Remove) and its AF_CONN
  // address, and creates its non-blocking one-to-one AF_CONN socket. Returns the id (never 0), or
  // 0 if usrsctp could not be initialised, the socket failed, or Shutdown() is in progress.
  uint64_t Add(const Lock& lock, Endpoint* endpoint);
  // The endpoint's socket; nullptr once closed (CloseSocket, Shutdown) or for an unknown id.
  struct socket* Socket(const Lock& lock, uint64_t id) const;
  // Feeds one received SCTP packet to usrsctp (usrsctp_conninput on the id's address). A no-op
  // for an unknown id or once Shutdown() has finished usrsctp under a still-living endpoint.
  void ConnInput(const Lock& lock, uint64_t id, std::span<const uint8_t> packet);
  // Closes the socket (a SO_LINGER{1,0} socket aborts its association). The route stays, so
  // packets usrsctp emits while tearing down still reach the endpoint.
  void CloseSocket(const Lock& lock, uint64_t id);
  // Closes the socket if open, deregisters the address and removes the route. After this
  // returns no callback for `id` is running or will run.
  void Remove(const Lock& lock, uint64_t id);

  // The AF_CONN address of an id (sconn_addr, also passed to usrsctp_conninput).
  static void* ConnAddress(uint64_t id) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>(id));
  }

  // Closes all sockets and finishes usrsctp. True if usrsctp_finish() returned 0 (or usrsctp was
  // not running). Endpoints still registered keep their ids but have no socket any more.
  bool Shutdown();

  // For tests and metrics.
  bool running() const;
  size_t endpoint_count() const;
  size_t open_socket_count() const;

 private:
  struct Entry {
    struct socket* socket = nullptr;
    bool address_registered = false;
  };

  friend struct SctpHubCallbacks;  // the usrsctp callbacks (sctp_hub.cc)

  SctpHub() = default;
  bool InitLocked();
  void TimerLoop();
  // Called from the usrsctp callbacks: look the id up under route_mutex_ and hand the data over
  // with it held. Unknown ids (removed endpoints) are dropped.
  void RouteOutput(uint64_t id, std::span<const uint8_t> packet);
  void RouteDelivery(uint64_t id, const SctpDelivery& delivery);

  // Serialises every usrsctp call (the hub mutex). Guards everything below except routes_.
  mutable std::mutex mutex_;
  bool initialised_ = false;
  bool shutting_down_ = false;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Entry> entries_;
  std::thread timer_;
  bool stop_timer_ = false;
  std::condition_variable timer_cv_;

  // Leaf lock: id -> endpoint for callbacks. Taken inside usrsctp callbacks, and by Add/Remove
  // while holding mutex_ (so the order is always mutex_ -> route_mutex_).
  mutable std::mutex route_mutex_;
  std::unordered_map<uint64_t, Endpoint*> routes_;  // borrowed endpoints
};

}  // namespace sfu::transport

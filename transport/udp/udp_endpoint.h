#pragma once
// One UDP socket per shard (docs/DESIGN.md, "Media transport"): receives in batches with recvmmsg
// into fixed slots (no allocation), hands each datagram to the Receiver in place, and sends through
// a fixed queue flushed with sendmmsg after each receive batch and each timer tick: datagrams to
// the same destination with equal sizes leave as one UDP GSO message (gso_plan.h). EAGAIN on
// send drops and counts; nothing blocks the shard.
// Thread: the shard's thread only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "transport/transport_stats.h"
#include "transport/wire/stun_message.h"

namespace boost::asio {
class io_context;
}

namespace sfu::transport {

// A remote address: IPv4 or IPv6 and port (the 5-tuple's remote half; the local half is the
// shard's socket).
using PeerAddress = wire::StunAddress;
struct PeerAddressHash {
  size_t operator()(const PeerAddress& a) const noexcept;
};
std::string PeerAddressToString(const PeerAddress& a);

class UdpEndpoint {
 public:
  static constexpr size_t kSlotSize = 2048;     // per received datagram, incl. SRTP headroom
  static constexpr size_t kMaxDatagram = 1800;  // larger datagrams are dropped (too_large)
  static constexpr size_t kBatch = 32;          // recvmmsg batch (and plain sendmmsg batch)
  static constexpr size_t kSendQueue = 256;     // datagrams queued between flushes

  // UDP GSO (UDP_SEGMENT) for endpoints created after the call (default on; a kernel that
  // refuses it turns it off per endpoint by itself). `sfu-server --no-udp-gso`.
  static void SetGsoDefault(bool enabled);

  class Receiver {
   public:
    virtual ~Receiver() = default;
    // data has kSlotSize capacity (room to protect in place); valid only during the call.
    virtual void OnDatagram(const PeerAddress& from, uint8_t* data, size_t len,
                            size_t capacity) = 0;
    // After each receive batch, before the endpoint flushes its own queue.
    virtual void OnBatchEnd() {}
  };

  UdpEndpoint(boost::asio::io_context& ioc, TransportStats& stats);
  ~UdpEndpoint();
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  bool Bind(const std::string& ip, uint16_t port, std::string* error);
  uint16_t port() const;
  // Starts the receive loop (receiver borrowed, must outlive the endpoint's loop).
  void Start(Receiver* receiver);
  void Close();

  // Queues a datagram (copied) and flushes when the queue is full.
  bool Send(const PeerAddress& to, std::span<const uint8_t> data);
  void Flush();
  // Sends use GSO (false: off by SetGsoDefault, or the kernel refused it).
  bool gso_active() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sfu::transport

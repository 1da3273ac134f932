#pragma once
// The load of video_forward_bench and transport_path_bench: on a bench::InprocServer (real
// signaling, ICE/DTLS/SRTP on loopback, one shard), one publisher over UDP sends synthetic VP8
// (1,000-byte payloads, 67 packets per frame, a key frame every 30 frames) at a fixed packet rate;
// N subscribers receive it, all on one media path (UDP, ICE-TCP, TURN over TLS or TCP). The
// shard's own CPU time (CLOCK_THREAD_CPUTIME_ID, read on the shard) is divided by the packets it
// forwarded. The clients run on a thread of their own.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/inproc_server.h"
#include "loadtest/client_transport.h"

namespace sfu::bench {

struct ForwardMeasurement {
  uint64_t forwarded = 0;    // video packets the shard forwarded
  uint64_t received = 0;     // video packets the subscribers received
  uint64_t dropped = 0;      // by the shard's ICE-TCP and TURN connections (send buffers full)
  double cpu_pct = 0;        // the shard's CPU time over the wall time
  double us_per_packet = 0;  // the shard's CPU microseconds per forwarded packet
};

class ForwardLoad {
 public:
  explicit ForwardLoad(InprocServer& server);
  // Closes the clients' media on their thread, then stops it.
  ~ForwardLoad();
  ForwardLoad(const ForwardLoad&) = delete;
  ForwardLoad& operator=(const ForwardLoad&) = delete;

  // Joins the publisher (UDP, audio and camera) and `subscribers` subscribers on `path` (audio
  // and the publisher's video) to a new meeting; each has its media connected on return. False,
  // with a line on stderr, when one does not.
  bool Connect(loadtest::MediaPath path, int subscribers);
  // Sends `rate` packets per second (whole thousands: a 1 ms tick) for `seconds`, waits 100 ms
  // for the last to arrive, and measures the shard over that time.
  ForwardMeasurement Drive(int rate, int seconds);

 private:
  struct Client;

  InprocServer& server_;
  std::unique_ptr<transport::DtlsContext> dtls_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  std::unique_ptr<Client> publisher_;
  std::vector<std::unique_ptr<Client>> subscribers_;
};

}  // namespace sfu::bench

// The full media path of one shard, measured as the shard thread's CPU time per packet:
// recvmmsg -> demux -> SRTP unprotect -> (echo: SSRC rewrite) -> SRTP protect -> sendmmsg.
// A client transport on another thread streams SRTP at a fixed packet rate to an echo session
// on loopback; the shard's CPU time is read on the shard itself (CLOCK_THREAD_CPUTIME_ID).
#include <time.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <cstring>
#include <future>
#include <thread>

#include "bench/bench_util.h"
#include "loadtest/client_transport.h"
#include "server/echo_service.h"
#include "sfu/shard.h"
#include "sfu/shard_set.h"
#include "signaling/sdp/session_description.h"
#include "transport/dtls/dtls_context.h"

namespace asio = boost::asio;
using namespace sfu;

namespace {

int64_t ShardCpuNs(Shard& shard) {
  std::promise<int64_t> p;
  shard.Post([&p] { p.set_value(bench::ThreadCpuNs()); });
  return p.get_future().get();
}

struct Run {
  size_t payload;
  int rate_pps;
  int seconds;
};

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 4;
  std::string error;
  auto server_dtls = transport::DtlsContext::Create(&error);
  auto client_dtls = transport::DtlsContext::Create(&error);
  ShardSet shards(1, "127.0.0.1", 0, server_dtls.get());
  if (!shards.Start(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  server::EchoService echo(shards, *server_dtls, {"127.0.0.1"});
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });

  std::printf("%-28s %10s %12s %14s %16s\n", "packet", "rate pps", "echoed", "shard CPU %",
              "CPU us / packet");
  for (Run run : {Run{100, 20000, seconds}, Run{1200, 20000, seconds}, Run{1200, 50000, seconds}}) {
    const std::string offer =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
        "a=ice-ufrag:benc\r\na=ice-pwd:benchpassword01234567890\r\na=fingerprint:sha-256 " +
        client_dtls->fingerprint() +
        "\r\na=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\n"
        "a=rtpmap:96 VP8/90000\r\na=ssrc:4242 cname:bench\r\n";
    auto r = echo.Offer(offer);
    auto answer = sdp::Parse(r.body);
    if (r.status != 201 || !answer.description) return 1;
    loadtest::ClientTransportParams p;
    p.server_port = shards.shard(0).media_port();
    p.server_ufrag = answer.description->media[0].ice_ufrag;
    p.server_pwd = answer.description->media[0].ice_pwd;
    p.server_fingerprint = answer.description->media[0].fingerprint;
    p.local_ufrag = "benc";
    p.local_pwd = "benchpassword01234567890";
    std::atomic<bool> connected{false};
    std::atomic<uint64_t> echoed{0};
    loadtest::ClientTransport::Callbacks cb;
    cb.on_connected = [&] { connected = true; };
    cb.on_rtp = [&](std::span<const uint8_t>) { ++echoed; };
    std::unique_ptr<loadtest::ClientTransport> client;
    asio::post(io, [&] {
      client = std::make_unique<loadtest::ClientTransport>(io, *client_dtls, p, cb);
      client->Start();
    });
    for (int i = 0; i < 500 && !connected; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!connected) {
      std::fprintf(stderr, "client did not connect\n");
      return 1;
    }
    // Pace in 1 ms batches on the client's io_context.
    std::vector<uint8_t> pkt(12 + run.payload, 0x5a);
    pkt[0] = 0x80;
    pkt[1] = 96;
    pkt[8] = 0;
    pkt[9] = 0;
    pkt[10] = 0x10;
    pkt[11] = 0x92;  // SSRC 4242
    const int per_ms = run.rate_pps / 1000;
    const uint64_t total = static_cast<uint64_t>(run.rate_pps) * static_cast<uint64_t>(run.seconds);
    std::promise<void> done;
    asio::steady_timer timer(io);
    uint64_t sent = 0;
    uint16_t seq = 0;
    std::function<void()> tick = [&] {
      for (int i = 0; i < per_ms && sent < total; ++i, ++sent) {
        ++seq;
        pkt[2] = static_cast<uint8_t>(seq >> 8);
        pkt[3] = static_cast<uint8_t>(seq);
        client->SendRtp(pkt);
      }
      if (sent >= total) return done.set_value();
      timer.expires_at(timer.expiry() + std::chrono::milliseconds(1));
      timer.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) tick();
      });
    };
    const uint64_t in0 = shards.Stats()[0]->rtp_packets_in.load();
    const int64_t cpu0 = ShardCpuNs(shards.shard(0));
    const auto wall0 = std::chrono::steady_clock::now();
    asio::post(io, [&] {
      timer.expires_after(std::chrono::milliseconds(1));
      tick();
    });
    done.get_future().get();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // drain
    const int64_t cpu1 = ShardCpuNs(shards.shard(0));
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const uint64_t in = shards.Stats()[0]->rtp_packets_in.load() - in0;
    const double cpu_us = static_cast<double>(cpu1 - cpu0) / 1000.0;
    char label[64];
    std::snprintf(label, sizeof(label), "%zu B RTP (SRTP GCM)", run.payload);
    std::printf("%-28s %10d %12llu %13.1f%% %16.2f\n", label, run.rate_pps,
                static_cast<unsigned long long>(echoed.load()), 100.0 * cpu_us / 1e6 / wall_s,
                in ? cpu_us / static_cast<double>(in) : 0.0);
    std::fflush(stdout);
    std::promise<void> gone;
    asio::post(io, [&] {
      client.reset();
      gone.set_value();
    });
    gone.get_future().get();
  }
  work.reset();
  io.stop();
  io_thread.join();
  shards.Stop();
  return 0;
}

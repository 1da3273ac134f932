// Video forwarding cost: server CPU per forwarded video packet. One publisher sends synthetic VP8
// (1,000-byte payloads, a key frame every 30 frames) at a fixed packet rate to an in-process
// server (real signaling, ICE/DTLS/SRTP on loopback, one shard); N subscribers receive it. The
// shard's own CPU time (CLOCK_THREAD_CPUTIME_ID, read on the shard) is divided by the packets
// forwarded: receive + unprotect once, then per subscriber rewrite + SRTP protect + sendmmsg.
// Each configuration runs twice, side by side: plain sendmmsg (one message per datagram) and UDP
// GSO (the shard's default: a subscriber's same-sized packets of a receive batch in one message).
//   video_forward_bench [seconds] [packets-per-second-in] (defaults 4, 2000; multiples of 1000)
#include <algorithm>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <future>
#include <thread>

#include "base/log.h"
#include "bench/bench_util.h"
#include "bench/inproc_server.h"
#include "loadtest/audio_offer.h"
#include "loadtest/client_transport.h"
#include "loadtest/signaling_client.h"
#include "signaling/sdp/session_description.h"
#include "transport/udp/udp_endpoint.h"
#include "transport/wire/rtp_packet.h"

namespace asio = boost::asio;
using namespace sfu;
using namespace std::chrono_literals;
using signaling::proto::SdkSignalFrame;

namespace {

int64_t ShardCpuNs(Shard& shard) {
  std::promise<int64_t> p;
  shard.Post([&p] { p.set_value(bench::ThreadCpuNs()); });
  return p.get_future().get();
}

struct Client {
  std::unique_ptr<loadtest::SignalingClient> sig;
  std::unique_ptr<loadtest::ClientTransport> media;
  std::atomic<bool> connected{false};
  std::atomic<uint64_t> video{0};
};

bool Connect(Client& c, bench::InprocServer& server, asio::io_context& io,
             const transport::DtlsContext& dtls, const std::string& meeting,
             const std::string& token, bool camera, uint32_t want, int index, uint32_t* allocated) {
  c.sig = std::make_unique<loadtest::SignalingClient>();
  std::string error;
  if (!c.sig->Connect("127.0.0.1", server.port(), meeting, token,
                      loadtest::SignalingClient::TokenVia::kSubprotocol, &error))
    return false;
  c.sig->Send(signaling::proto::MakeFrame(SdkSignalFrame::JOIN));
  if (!c.sig->ReceiveType(SdkSignalFrame::JOIN_ACK, 3s)) return false;
  const std::string ufrag = "b" + std::to_string(1000 + index);
  loadtest::AudioOfferParams ap{ufrag, "benchpassword0123456789x", dtls.fingerprint(), 1111, false};
  SdkSignalFrame f = signaling::proto::MakeFrame(SdkSignalFrame::SUBSCRIBE);
  f.mutable_sub()->set_sdp_offer(loadtest::MakeOffer(ap, {camera, 0xA11CE, camera ? 0 : 1}));
  f.mutable_sub()->add_send_streams()->set_media_type(signaling::proto::AUDIO);
  if (camera) f.mutable_sub()->add_send_streams()->set_media_type(signaling::proto::VIDEO);
  f.mutable_sub()->add_receive_stream_ids(0);
  if (!camera) f.mutable_sub()->add_receive_stream_ids(want);
  c.sig->Send(f);
  auto ack = c.sig->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3s);
  if (!ack) return false;
  if (camera && ack->suback().allocations_size() > 0)
    *allocated = ack->suback().allocations(0).stream_id();
  auto parsed = sdp::Parse(ack->suback().sdp_answer());
  if (!parsed.description) return false;
  loadtest::ClientTransportParams p;
  p.server_port = server.shards().shard(0).media_port();
  p.server_ufrag = parsed.description->media[0].ice_ufrag;
  p.server_pwd = parsed.description->media[0].ice_pwd;
  p.server_fingerprint = parsed.description->media[0].fingerprint;
  p.local_ufrag = ufrag;
  p.local_pwd = "benchpassword0123456789x";
  loadtest::ClientTransport::Callbacks cb;
  cb.on_connected = [&c] { c.connected = true; };
  cb.on_rtp = [&c](std::span<const uint8_t> d) {
    if (d.size() > 1 && (d[1] & 0x7f) == loadtest::kOfferVp8Pt) ++c.video;
  };
  std::promise<void> made;
  asio::post(io, [&] {
    c.media = std::make_unique<loadtest::ClientTransport>(io, dtls, p, cb);
    c.media->Start();
    made.set_value();
  });
  made.get_future().wait();
  for (int i = 0; i < 500 && !c.connected; ++i) std::this_thread::sleep_for(10ms);
  return c.connected;
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 4;
  const int rate_in = argc > 2 ? std::max(1000, std::atoi(argv[2]) / 1000 * 1000) : 2000;
  base::SetLogLevel(base::LogLevel::kWarn);
  std::printf("%-6s %-12s %10s %12s %12s %12s %16s\n", "send", "subscribers", "in pps", "forwarded",
              "received", "shard CPU %", "CPU us / fwd pkt");
  for (int subscribers : {1, 4, 10})
    for (bool gso : {false, true}) {
      transport::UdpEndpoint::SetGsoDefault(gso);
      bench::InprocServer server({});
      std::string error;
      if (!server.Start(&error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
      }
      auto dtls = transport::DtlsContext::Create(&error);
      asio::io_context io;
      auto work = asio::make_work_guard(io);
      std::thread io_thread([&] { io.run(); });
      const std::string meeting = server.CreateMeeting();
      Client pub;
      uint32_t stream = 0;
      if (!Connect(pub, server, io, *dtls, meeting, server.CreateAttendee(meeting, "pub"), true, 0,
                   0, &stream) ||
          !stream) {
        std::fprintf(stderr, "publisher did not connect\n");
        return 1;
      }
      std::vector<std::unique_ptr<Client>> subs;
      for (int i = 0; i < subscribers; ++i) {
        subs.push_back(std::make_unique<Client>());
        if (!Connect(*subs.back(), server, io, *dtls, meeting,
                     server.CreateAttendee(meeting, "s" + std::to_string(i)), false, stream, i + 1,
                     nullptr)) {
          std::fprintf(stderr, "subscriber did not connect\n");
          return 1;
        }
      }
      // 2,000 packets per second by default: 30 fps frames of ~67 packets, a key frame every 30
      // frames.
      const int rate = rate_in;
      const uint64_t total = static_cast<uint64_t>(rate) * static_cast<uint64_t>(seconds);
      std::vector<uint8_t> pkt(12 + 1000, 0x5a);
      std::promise<void> done;
      asio::steady_timer timer(io);
      uint64_t sent = 0;
      uint16_t seq = 0;
      uint32_t ts = 0;
      std::function<void()> tick = [&] {
        for (int i = 0; i < rate / 1000 && sent < total; ++i, ++sent) {
          const bool frame_start = sent % 67 == 0;
          const bool key = frame_start && (sent / 67) % 30 == 0;
          if (frame_start) ts += 3000;
          wire::RtpHeaderWriter w;
          w.SetPayloadType(loadtest::kOfferVp8Pt);
          w.SetSequenceNumber(seq++);
          w.SetTimestamp(ts);
          w.SetSsrc(0xA11CE);
          w.SetMarker(sent % 67 == 66);
          const size_t h = w.WriteTo(pkt);
          pkt[h] = static_cast<uint8_t>(frame_start ? 0x10 : 0x00);
          pkt[h + 1] = key ? 0x00 : 0x01;
          pub.media->SendRtp(pkt);
        }
        if (sent >= total) return done.set_value();
        timer.expires_at(timer.expiry() + 1ms);
        timer.async_wait([&](const boost::system::error_code& ec) {
          if (!ec) tick();
        });
      };
      Shard& shard = server.shards().shard(0);
      const uint64_t fwd0 = server.shards().Stats()[0]->video_packets_forwarded.load();
      const int64_t cpu0 = ShardCpuNs(shard);
      const auto t0 = std::chrono::steady_clock::now();
      asio::post(io, [&] {
        timer.expires_after(1ms);
        tick();
      });
      done.get_future().wait();
      std::this_thread::sleep_for(100ms);
      const int64_t cpu1 = ShardCpuNs(shard);
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const uint64_t fwd = server.shards().Stats()[0]->video_packets_forwarded.load() - fwd0;
      const double cpu_us = static_cast<double>(cpu1 - cpu0) / 1000.0;
      uint64_t received = 0;
      for (const auto& c : subs) received += c->video.load();
      std::printf("%-6s %-12d %10d %12llu %12llu %11.1f%% %16.2f\n", gso ? "gso" : "plain",
                  subscribers, rate, static_cast<unsigned long long>(fwd),
                  static_cast<unsigned long long>(received), 100.0 * cpu_us / 1e6 / wall,
                  fwd ? cpu_us / static_cast<double>(fwd) : 0.0);
      std::promise<void> gone;
      asio::post(io, [&] {
        pub.media.reset();
        for (auto& s : subs) s->media.reset();
        gone.set_value();
      });
      gone.get_future().wait();
      work.reset();
      io.stop();
      io_thread.join();
    }
  return 0;
}

// Media over TCP and TLS: server CPU per forwarded video packet when the subscribers' media
// takes UDP, ICE-TCP (RFC 6544, RFC 4571 framing), or the shard's TURN server over TLS or TCP
// (RFC 8656, ChannelData), side by side in one run. The load is video_forward_bench's: an
// in-process server (real signaling, ICE/DTLS/SRTP on loopback, one shard, TURN on as with
// `--turn-policy always`), one publisher over UDP sending synthetic VP8 (1,000-byte payloads,
// 67 packets per frame, a key frame every 30 frames) at a fixed packet rate, N subscribers all on
// one path. The shard's own CPU time (CLOCK_THREAD_CPUTIME_ID, read on the shard) is divided by
// the packets forwarded. The paths alternate within each round (a fresh server for each run);
// the summary gives each path's median over the rounds and its ratio to UDP's, and the median of
// the per-round ratios (each against the UDP run of the same round).
//   transport_path_bench [seconds] [packets-per-second-in] [subscribers] [rounds] [paths]
//   (defaults 4, 2000, 10, 3, udp,tcp,turn-tls,turn-tcp; the rate in multiples of 1000; one
//   path alone is for profiling)
#include <algorithm>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <future>
#include <map>
#include <thread>

#include "base/log.h"
#include "bench/bench_util.h"
#include "bench/inproc_server.h"
#include "loadtest/audio_offer.h"
#include "loadtest/client_transport.h"
#include "loadtest/signaling_client.h"
#include "signaling/sdp/session_description.h"
#include "transport/wire/rtp_packet.h"

namespace asio = boost::asio;
using namespace sfu;
using namespace std::chrono_literals;
using loadtest::MediaPath;
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
  std::atomic<bool> failed{false};
  std::atomic<uint64_t> video{0};
};

bool Connect(Client& c, bench::InprocServer& server, asio::io_context& io,
             const transport::DtlsContext& dtls, const std::string& meeting,
             const std::string& token, bool camera, uint32_t want, int index, MediaPath path,
             uint32_t* allocated) {
  c.sig = std::make_unique<loadtest::SignalingClient>();
  std::string error;
  if (!c.sig->Connect("127.0.0.1", server.port(), meeting, token,
                      loadtest::SignalingClient::TokenVia::kSubprotocol, &error))
    return false;
  c.sig->Send(signaling::proto::MakeFrame(SdkSignalFrame::JOIN));
  auto join = c.sig->ReceiveType(SdkSignalFrame::JOIN_ACK, 3s);
  if (!join) return false;
  loadtest::ClientTransportParams p;
  p.path = path;
  if (loadtest::IsTurn(path)) {
    const auto& creds = join->joinack().turn_credentials();
    p.turn.username = creds.username();
    p.turn.password = creds.password();
    if (!loadtest::PickTurnUri({creds.uris().begin(), creds.uris().end()}, path, &p.turn)) {
      std::fprintf(stderr, "JOIN_ACK without a TURN URI for %s\n", loadtest::MediaPathName(path));
      return false;
    }
  }
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
  const std::string& answer = ack->suback().sdp_answer();
  auto parsed = sdp::Parse(answer);
  if (!parsed.description || !loadtest::ReadAnswerCandidates(answer, &p)) return false;
  p.server_ufrag = parsed.description->media[0].ice_ufrag;
  p.server_pwd = parsed.description->media[0].ice_pwd;
  p.server_fingerprint = parsed.description->media[0].fingerprint;
  p.local_ufrag = ufrag;
  p.local_pwd = "benchpassword0123456789x";
  loadtest::ClientTransport::Callbacks cb;
  cb.on_connected = [&c] { c.connected = true; };
  cb.on_failed = [&c](const std::string& why) {
    std::fprintf(stderr, "media failed: %s\n", why.c_str());
    c.failed = true;
  };
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
  for (int i = 0; i < 500 && !c.connected && !c.failed; ++i) std::this_thread::sleep_for(10ms);
  return c.connected;
}

struct Run {
  uint64_t forwarded = 0, received = 0, dropped = 0;
  double cpu_pct = 0, us_per_packet = 0;
};

// One run: a fresh server, the publisher on UDP, `subscribers` on `path`.
bool RunOnce(MediaPath path, int subscribers, int seconds, int rate, Run* out) {
  bench::InprocServer::Options options;
  options.turn = true;
  bench::InprocServer server(options);
  std::string error;
  if (!server.Start(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return false;
  }
  auto dtls = transport::DtlsContext::Create(&error);
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  bool ok = true;
  const std::string meeting = server.CreateMeeting();
  Client pub;
  uint32_t stream = 0;
  std::vector<std::unique_ptr<Client>> subs;
  if (!Connect(pub, server, io, *dtls, meeting, server.CreateAttendee(meeting, "pub"), true, 0, 0,
               MediaPath::kUdp, &stream) ||
      !stream) {
    std::fprintf(stderr, "publisher did not connect\n");
    ok = false;
  }
  for (int i = 0; ok && i < subscribers; ++i) {
    subs.push_back(std::make_unique<Client>());
    if (!Connect(*subs.back(), server, io, *dtls, meeting,
                 server.CreateAttendee(meeting, "s" + std::to_string(i)), false, stream, i + 1,
                 path, nullptr)) {
      std::fprintf(stderr, "subscriber %d did not connect over %s\n", i,
                   loadtest::MediaPathName(path));
      ok = false;
    }
  }
  if (ok) {
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
    // Let the subscriptions settle (key frame requests, the first probes) before measuring.
    std::this_thread::sleep_for(200ms);
    Shard& shard = server.shards().shard(0);
    const ShardStats& stats = *server.shards().Stats()[0];
    auto drops = [&stats] {
      return stats.ice_tcp.send_dropped.load() + stats.turn_connections.send_dropped.load();
    };
    const uint64_t fwd0 = stats.video_packets_forwarded.load();
    const uint64_t drop0 = drops();
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
    out->forwarded = stats.video_packets_forwarded.load() - fwd0;
    out->dropped = drops() - drop0;
    const double cpu_us = static_cast<double>(cpu1 - cpu0) / 1000.0;
    for (const auto& c : subs) out->received += c->video.load();
    out->cpu_pct = 100.0 * cpu_us / 1e6 / wall;
    out->us_per_packet = out->forwarded ? cpu_us / static_cast<double>(out->forwarded) : 0.0;
  }
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
  return ok;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty()      ? 0
         : v.size() % 2 ? v[v.size() / 2]
                        : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 4;
  const int rate = argc > 2 ? std::max(1000, std::atoi(argv[2]) / 1000 * 1000) : 2000;
  const int subscribers = argc > 3 ? std::max(1, std::atoi(argv[3])) : 10;
  const int rounds = argc > 4 ? std::max(1, std::atoi(argv[4])) : 3;
  base::SetLogLevel(base::LogLevel::kWarn);
  std::vector<MediaPath> paths;
  const std::string names = argc > 5 ? argv[5] : "udp,tcp,turn-tls,turn-tcp";
  for (size_t at = 0; at <= names.size();) {
    const size_t comma = std::min(names.find(',', at), names.size());
    const auto path = loadtest::ParseMediaPath(names.substr(at, comma - at));
    if (!path) {
      std::fprintf(stderr, "paths: a comma-separated list of udp, tcp, turn-tls, turn-tcp\n");
      return 2;
    }
    paths.push_back(*path);
    at = comma + 1;
  }
  std::printf("%d subscribers, publisher on UDP at %d packets/s, %d s per run, %d rounds\n",
              subscribers, rate, seconds, rounds);
  std::printf("%-6s %-9s %12s %12s %10s %12s %16s\n", "round", "path", "forwarded", "received",
              "dropped", "shard CPU %", "CPU us / fwd pkt");
  std::map<MediaPath, std::vector<double>> per_packet, ratio;
  for (int r = 1; r <= rounds; ++r) {
    double udp = 0;
    for (MediaPath path : paths) {
      Run run;
      if (!RunOnce(path, subscribers, seconds, rate, &run)) return 1;
      std::printf("%-6d %-9s %12llu %12llu %10llu %11.1f%% %16.2f\n", r,
                  loadtest::MediaPathName(path), static_cast<unsigned long long>(run.forwarded),
                  static_cast<unsigned long long>(run.received),
                  static_cast<unsigned long long>(run.dropped), run.cpu_pct, run.us_per_packet);
      std::fflush(stdout);
      if (path == MediaPath::kUdp) udp = run.us_per_packet;
      per_packet[path].push_back(run.us_per_packet);
      if (udp > 0) ratio[path].push_back(run.us_per_packet / udp);
    }
  }
  const double udp = Median(per_packet[MediaPath::kUdp]);
  std::printf("\n%-9s %22s %16s %26s\n", "path", "median CPU us / pkt", "ratio to UDP",
              "median of per-round ratios");
  for (MediaPath path : paths) {
    const double m = Median(per_packet[path]);
    std::printf("%-9s %22.2f %15.2fx %25.2fx\n", loadtest::MediaPathName(path), m,
                udp > 0 ? m / udp : 0.0, Median(ratio[path]));
  }
  return 0;
}

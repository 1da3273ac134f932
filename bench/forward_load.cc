#include "bench/forward_load.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>

#include "bench/bench_util.h"
#include "loadtest/audio_offer.h"
#include "loadtest/signaling_client.h"
#include "signaling/sdp/session_description.h"
#include "transport/wire/rtp_packet.h"

namespace sfu::bench {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using loadtest::MediaPath;
using signaling::proto::SdkSignalFrame;

namespace {

constexpr uint32_t kSsrc = 0xA11CE;
constexpr char kIcePwd[] = "benchpassword0123456789x";

int64_t ShardCpuNs(Shard& shard) {
  std::promise<int64_t> p;
  shard.Post([&p] { p.set_value(ThreadCpuNs()); });
  return p.get_future().get();
}

}  // namespace

struct ForwardLoad::Client {
  std::unique_ptr<loadtest::SignalingClient> sig;
  std::unique_ptr<loadtest::ClientTransport> media;
  std::atomic<bool> connected{false};
  std::atomic<bool> failed{false};
  std::atomic<uint64_t> video{0};

  // JOIN, then SUBSCRIBE: the publisher (camera) sends audio and video, a subscriber sends audio
  // and receives `want`; then the media on `path`, waited for up to 5 s.
  bool Connect(InprocServer& server, asio::io_context& io, const transport::DtlsContext& dtls,
               const std::string& meeting, const std::string& token, bool camera, uint32_t want,
               int index, MediaPath path, uint32_t* allocated) {
    sig = std::make_unique<loadtest::SignalingClient>();
    std::string error;
    if (!sig->Connect("127.0.0.1", server.port(), meeting, token,
                      loadtest::SignalingClient::TokenVia::kSubprotocol, &error))
      return false;
    sig->Send(signaling::proto::MakeFrame(SdkSignalFrame::JOIN));
    auto join = sig->ReceiveType(SdkSignalFrame::JOIN_ACK, 3s);
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
    loadtest::AudioOfferParams ap{ufrag, kIcePwd, dtls.fingerprint(), 1111, false};
    SdkSignalFrame f = signaling::proto::MakeFrame(SdkSignalFrame::SUBSCRIBE);
    f.mutable_sub()->set_sdp_offer(loadtest::MakeOffer(ap, {camera, kSsrc, camera ? 0 : 1}));
    f.mutable_sub()->add_send_streams()->set_media_type(signaling::proto::AUDIO);
    if (camera) f.mutable_sub()->add_send_streams()->set_media_type(signaling::proto::VIDEO);
    f.mutable_sub()->add_receive_stream_ids(0);
    if (!camera) f.mutable_sub()->add_receive_stream_ids(want);
    sig->Send(f);
    auto ack = sig->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3s);
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
    p.local_pwd = kIcePwd;
    loadtest::ClientTransport::Callbacks cb;
    cb.on_connected = [this] { connected = true; };
    cb.on_failed = [this](const std::string& why) {
      std::fprintf(stderr, "media failed: %s\n", why.c_str());
      failed = true;
    };
    cb.on_rtp = [this](std::span<const uint8_t> d) {
      if (d.size() > 1 && (d[1] & 0x7f) == loadtest::kOfferVp8Pt) ++video;
    };
    std::promise<void> made;
    asio::post(io, [&] {
      media = std::make_unique<loadtest::ClientTransport>(io, dtls, p, cb);
      media->Start();
      made.set_value();
    });
    made.get_future().wait();
    for (int i = 0; i < 500 && !connected && !failed; ++i) std::this_thread::sleep_for(10ms);
    return connected;
  }
};

ForwardLoad::ForwardLoad(InprocServer& server)
    : server_(server), work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

ForwardLoad::~ForwardLoad() {
  std::promise<void> gone;
  asio::post(io_, [&] {
    if (publisher_) publisher_->media.reset();
    for (auto& s : subscribers_) s->media.reset();
    gone.set_value();
  });
  gone.get_future().wait();
  work_.reset();
  io_.stop();
  thread_.join();
}

bool ForwardLoad::Connect(MediaPath path, int subscribers) {
  std::string error;
  dtls_ = transport::DtlsContext::Create(&error);
  if (!dtls_) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return false;
  }
  const std::string meeting = server_.CreateMeeting();
  publisher_ = std::make_unique<Client>();
  uint32_t stream = 0;
  if (!publisher_->Connect(server_, io_, *dtls_, meeting, server_.CreateAttendee(meeting, "pub"),
                           true, 0, 0, MediaPath::kUdp, &stream) ||
      !stream) {
    std::fprintf(stderr, "publisher did not connect\n");
    return false;
  }
  for (int i = 0; i < subscribers; ++i) {
    subscribers_.push_back(std::make_unique<Client>());
    if (!subscribers_.back()->Connect(server_, io_, *dtls_, meeting,
                                      server_.CreateAttendee(meeting, "s" + std::to_string(i)),
                                      false, stream, i + 1, path, nullptr)) {
      std::fprintf(stderr, "subscriber %d did not connect over %s\n", i,
                   loadtest::MediaPathName(path));
      return false;
    }
  }
  return true;
}

ForwardMeasurement ForwardLoad::Drive(int rate, int seconds) {
  const uint64_t total = static_cast<uint64_t>(rate) * static_cast<uint64_t>(seconds);
  std::vector<uint8_t> pkt(12 + 1000, 0x5a);
  std::promise<void> done;
  asio::steady_timer timer(io_);
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
      w.SetSsrc(kSsrc);
      w.SetMarker(sent % 67 == 66);
      const size_t h = w.WriteTo(pkt);
      pkt[h] = static_cast<uint8_t>(frame_start ? 0x10 : 0x00);  // VP8 descriptor: S bit
      pkt[h + 1] = key ? 0x00 : 0x01;                            // VP8 header: P bit
      publisher_->media->SendRtp(pkt);
    }
    if (sent >= total) return done.set_value();
    timer.expires_at(timer.expiry() + 1ms);
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  };
  Shard& shard = server_.shards().shard(0);
  const ShardStats& stats = *server_.shards().Stats()[0];
  auto drops = [&stats] {
    return stats.ice_tcp.send_dropped.load() + stats.turn_connections.send_dropped.load();
  };
  const uint64_t fwd0 = stats.video_packets_forwarded.load();
  const uint64_t drop0 = drops();
  const int64_t cpu0 = ShardCpuNs(shard);
  const auto t0 = std::chrono::steady_clock::now();
  asio::post(io_, [&] {
    timer.expires_after(1ms);
    tick();
  });
  done.get_future().wait();
  std::this_thread::sleep_for(100ms);
  const int64_t cpu1 = ShardCpuNs(shard);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ForwardMeasurement m;
  m.forwarded = stats.video_packets_forwarded.load() - fwd0;
  m.dropped = drops() - drop0;
  const double cpu_us = static_cast<double>(cpu1 - cpu0) / 1000.0;
  for (const auto& c : subscribers_) m.received += c->video.load();
  m.cpu_pct = 100.0 * cpu_us / 1e6 / wall;
  m.us_per_packet = m.forwarded ? cpu_us / static_cast<double>(m.forwarded) : 0.0;
  return m;
}

}  // namespace sfu::bench

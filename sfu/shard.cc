#include "sfu/shard.h"

#include <arpa/inet.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "sfu/overload_detector.h"
#include "sfu/shard_session.h"
#include "transport/endpoint_demuxer.h"
#include "transport/tcp/ice_tcp_listener.h"
#include "transport/turn/turn_server.h"
#include "transport/udp/udp_endpoint.h"

namespace sfu {
namespace asio = boost::asio;

namespace {
constexpr auto kTickPeriod = std::chrono::milliseconds(20);

bool ParseIp(const std::string& ip, wire::StunAddress* out) {
  if (inet_pton(AF_INET, ip.c_str(), out->ip.data()) == 1) {
    out->family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, ip.c_str(), out->ip.data()) == 1) {
    out->family = 6;
    return true;
  }
  return false;
}
using base::ThreadCpuMicros;
}  // namespace

struct Shard::Impl {
  Impl(std::string ip, uint16_t p, ShardStats& s)
      : stats(s),
        bind_ip(std::move(ip)),
        port(p),
        ioc(1),
        work(asio::make_work_guard(ioc)),
        endpoint(ioc, s),
        demuxer(s),
        tick(ioc) {}

  void ArmTick(Shard* shard) {
    next_tick += kTickPeriod;  // absolute deadlines: no drift
    tick.expires_at(next_tick);
    tick.async_wait([this, shard](const boost::system::error_code& ec) {
      if (ec) return;
      stats.Add(stats.ticks);
      const auto wall = std::chrono::steady_clock::now();
      const bool late = wall > next_tick + std::chrono::milliseconds(5);
      const int64_t cpu_us = ThreadCpuMicros();
      if (late) {
        stats.Add(stats.late_ticks);
        const int64_t wall_us =
            std::chrono::duration_cast<std::chrono::microseconds>(wall - last_tick_wall).count();
        if (cpu_us - last_tick_cpu_us < wall_us / 2) stats.Add(stats.late_ticks_starved);
      }
      stats.thread_cpu_us.store(static_cast<uint64_t>(cpu_us), std::memory_order_relaxed);
      last_tick_wall = wall;
      last_tick_cpu_us = cpu_us;
      const int enter = stats.overload_late_ticks.load(std::memory_order_relaxed);
      if (static_cast<size_t>(enter) != overload.enter())
        overload.set_enter(static_cast<size_t>(enter));
      stats.overloaded.store(overload.OnTick(late), std::memory_order_relaxed);
      const int64_t now = shard->NowMs();
      for (auto& s : sessions) s->OnTick(now);
      std::erase_if(sessions, [](const std::unique_ptr<ShardSession>& s) { return s->finished(); });
      demuxer.OnTick();  // held-back handshake work, after the tick's own
      if (ice_tcp) ice_tcp->OnTick(now);
      if (turn) turn->OnTick(now);
      demuxer.FlushLinks();
      endpoint.Flush();
      if (std::chrono::steady_clock::now() > next_tick + 10 * kTickPeriod) {
        next_tick = std::chrono::steady_clock::now();  // fell far behind: resynchronise
      }
      ArmTick(shard);
    });
  }

  ShardStats& stats;
  std::string bind_ip;
  uint16_t port;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  transport::UdpEndpoint endpoint;
  transport::EndpointDemuxer demuxer;
  std::unique_ptr<transport::IceTcpListener> ice_tcp;
  bool ice_tcp_on = true;
  transport::StreamLimits stream_limits;
  std::optional<ShardTurn> turn_config;
  std::unique_ptr<transport::TurnServer> turn;
  asio::steady_timer tick;
  std::chrono::steady_clock::time_point next_tick;
  std::chrono::steady_clock::time_point last_tick_wall;  // when the previous tick ran
  int64_t last_tick_cpu_us = 0;                          // the thread's CPU time then
  OverloadDetector overload;
  std::vector<std::unique_ptr<ShardSession>> sessions;
  std::unordered_set<std::string> rooms;
  std::thread thread;
};

Shard::Shard(int index, std::string bind_ip, uint16_t media_port,
             const transport::DtlsContext* dtls)
    : index_(index),
      dtls_(dtls),
      impl_(std::make_unique<Impl>(std::move(bind_ip), media_port, stats_)) {}

Shard::~Shard() { Stop(); }

uint16_t Shard::media_port() const { return impl_->endpoint.port(); }
uint16_t Shard::tcp_port() const { return impl_->ice_tcp ? impl_->ice_tcp->port() : 0; }
void Shard::SetIceTcp(bool on) { impl_->ice_tcp_on = on; }
void Shard::SetStreamLimits(const transport::StreamLimits& limits) {
  impl_->stream_limits = limits;
}
void Shard::EnableTurn(ShardTurn turn) { impl_->turn_config = std::move(turn); }
uint16_t Shard::turn_port() const { return impl_->turn ? impl_->turn->port() : 0; }

bool Shard::StartTurn(std::string* error) {
  const ShardTurn& c = *impl_->turn_config;
  transport::TurnPolicy policy;
  policy.realm = c.realm;
  policy.secret = c.secret;
  // The only peers a relayed client may reach: this shard's UDP media port on the addresses its
  // candidates name. The relayed address (virtual) takes the first of them.
  for (const std::string& ip : c.announce_ips) {
    wire::StunAddress a;
    if (!ParseIp(ip, &a)) {
      *error = "shard " + std::to_string(index_) + ": TURN: bad announce address " + ip;
      return false;
    }
    a.port = media_port();
    policy.peers.push_back(a);
  }
  if (policy.peers.empty()) {
    *error = "shard " + std::to_string(index_) + ": TURN needs an announced address";
    return false;
  }
  policy.relay_ip = policy.peers.front();
  policy.relay_ip.port = 0;
  impl_->turn = std::make_unique<transport::TurnServer>(impl_->ioc, impl_->demuxer, impl_->endpoint,
                                                        stats_, c.tls, std::move(policy));
  std::string why;
  if (!impl_->turn->Bind(impl_->bind_ip, c.port, &why)) {
    *error = "shard " + std::to_string(index_) + ": TURN " + why;
    return false;
  }
  impl_->turn->Start();
  return true;
}
transport::UdpEndpoint& Shard::endpoint() { return impl_->endpoint; }
transport::EndpointDemuxer& Shard::demuxer() { return impl_->demuxer; }
size_t Shard::session_count() const { return impl_->sessions.size(); }

int64_t Shard::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool Shard::Start(std::string* error) {
  std::string why;
  if (!impl_->endpoint.Bind(impl_->bind_ip, impl_->port, &why)) {
    *error = "shard " + std::to_string(index_) + ": " + why;
    return false;
  }
  // ICE-TCP listens on the same port number as UDP (its own, ephemeral, when UDP's was).
  if (impl_->ice_tcp_on) {
    impl_->ice_tcp = std::make_unique<transport::IceTcpListener>(
        impl_->ioc, impl_->demuxer, impl_->endpoint, stats_.ice_tcp, impl_->stream_limits);
    if (!impl_->ice_tcp->Bind(impl_->bind_ip, impl_->port, &why)) {
      *error = "shard " + std::to_string(index_) + ": " + why;
      return false;
    }
    impl_->ice_tcp->Start();
  }
  if (impl_->turn_config && !StartTurn(error)) return false;
  impl_->endpoint.Start(&impl_->demuxer);
  impl_->next_tick = std::chrono::steady_clock::now();
  impl_->ArmTick(this);
  impl_->thread = std::thread([this] {
    impl_->last_tick_wall = std::chrono::steady_clock::now();
    impl_->last_tick_cpu_us = ThreadCpuMicros();
    stats_.running.store(true, std::memory_order_relaxed);
    SFU_LOG(kDebug, "shard started").Kv("shard", index_).Kv("media_port", media_port());
    impl_->ioc.run();
    stats_.running.store(false, std::memory_order_relaxed);
  });
  return true;
}

void Shard::Stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->ioc, [this] {
    impl_->sessions.clear();  // transports close before the sockets do
    if (impl_->ice_tcp) impl_->ice_tcp->Close();
    if (impl_->turn) impl_->turn->Close();
    impl_->endpoint.Close();
    impl_->tick.cancel();
    impl_->work.reset();
    impl_->ioc.stop();
  });
  impl_->thread.join();
}

void Shard::Post(std::function<void()> task) {
  asio::post(impl_->ioc, [this, task = std::move(task)] {
    stats_.Add(stats_.tasks_run);
    try {
      task();
    } catch (const std::exception& e) {
      SFU_LOG(kError, "shard task threw").Kv("shard", index_).Kv("error", e.what());
    }
  });
}

void Shard::AddSession(std::unique_ptr<ShardSession> session) {
  impl_->sessions.push_back(std::move(session));
}

void Shard::AddRoomOnShard(const std::string& meeting_id) {
  if (impl_->rooms.insert(meeting_id).second)
    stats_.rooms.store(static_cast<int64_t>(impl_->rooms.size()), std::memory_order_relaxed);
}

void Shard::RemoveRoomOnShard(const std::string& meeting_id) {
  if (impl_->rooms.erase(meeting_id))
    stats_.rooms.store(static_cast<int64_t>(impl_->rooms.size()), std::memory_order_relaxed);
}

}  // namespace sfu

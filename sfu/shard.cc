#include "sfu/shard.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <thread>
#include <unordered_set>

#include "transport/base/log.h"

namespace sfu {
namespace asio = boost::asio;
using udp = asio::ip::udp;

struct Shard::Impl {
  Impl(std::string ip, uint16_t port)
      : bind_ip(std::move(ip)), port(port), ioc(1), work(asio::make_work_guard(ioc)), socket(ioc) {}

  std::string bind_ip;
  uint16_t port;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  udp::socket socket;
  udp::endpoint sender;
  // Receive slot. Until transports exist every datagram is counted and dropped.
  std::array<uint8_t, 2048> buffer{};
  std::unordered_set<std::string> rooms;  // shard thread only
  std::thread thread;
};

Shard::Shard(int index, std::string bind_ip, uint16_t media_port)
    : index_(index), impl_(std::make_unique<Impl>(std::move(bind_ip), media_port)) {}

Shard::~Shard() { Stop(); }

uint16_t Shard::media_port() const { return impl_->port; }

bool Shard::Start(std::string* error) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->bind_ip, ec);
  if (ec) {
    *error = "bad media address '" + impl_->bind_ip + "': " + ec.message();
    return false;
  }
  const udp::endpoint ep(address, impl_->port);
  impl_->socket.open(ep.protocol(), ec);
  if (!ec) impl_->socket.bind(ep, ec);
  if (ec) {
    *error = "shard " + std::to_string(index_) + ": cannot bind UDP " + impl_->bind_ip + ":" +
             std::to_string(impl_->port) + ": " + ec.message();
    return false;
  }
  impl_->port = impl_->socket.local_endpoint().port();

  // Receive loop: count and drop (no transports yet). A std::function per datagram is avoided
  // by re-arming the same handler object.
  struct Receiver {
    Shard* shard;
    void Arm() {
      Impl& i = *shard->impl_;
      i.socket.async_receive_from(asio::buffer(i.buffer), i.sender, *this);
    }
    void operator()(const boost::system::error_code& ec, std::size_t n) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        metrics::ShardStats& s = shard->stats_;
        s.Add(s.packets_in);
        s.Add(s.bytes_in, n);
        s.Drop(n >= shard->impl_->buffer.size() ? metrics::DropReason::kTooLarge
                                                : metrics::DropReason::kNoTransport);
      }
      Arm();
    }
  };
  Receiver{this}.Arm();

  impl_->thread = std::thread([this] {
    stats_.running.store(true, std::memory_order_relaxed);
    SFU_LOG(kDebug, "shard started").Kv("shard", index_).Kv("media_port", impl_->port);
    impl_->ioc.run();
    stats_.running.store(false, std::memory_order_relaxed);
  });
  return true;
}

void Shard::Stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->ioc, [this] {
    boost::system::error_code ec;
    impl_->socket.close(ec);
    impl_->work.reset();
    impl_->ioc.stop();
  });
  impl_->thread.join();
}

void Shard::Post(std::function<void()> task) {
  asio::post(impl_->ioc, [this, task = std::move(task)] {
    stats_.tasks_run.store(stats_.tasks_run.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
    try {
      task();
    } catch (const std::exception& e) {
      SFU_LOG(kError, "shard task threw").Kv("shard", index_).Kv("error", e.what());
    }
  });
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

#pragma once
// One shard: a thread running its own io_context (concurrency hint 1) that alone owns its UDP
// media socket (media_port), the demuxer routing datagrams to transports, its rooms and
// sessions (docs/DESIGN.md, "Threads"). Other threads reach it only through Post(); nothing else on
// it is thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/shard_stats.h"

namespace boost::asio {
class io_context;
}

namespace sfu {

namespace transport {
class DtlsContext;
class TlsServerContext;
struct StreamLimits;
class EndpointDemuxer;
class UdpEndpoint;
}  // namespace transport

class CascadeReceiver;
class CascadeSender;
class MeetingAudio;
class MeetingVideo;
class ParticipantMedia;
class ShardSession;

// The shard's lookup tables: what lives on it, by id (a signaling session's posted task finds
// its participant's media; a participant finds its meeting's mixer and video forwarder). The
// pointers are borrowed: the shard owns these objects through its sessions, and each one adds
// itself in its constructor and removes itself in its destructor. Shard thread only.
struct ShardRegistry {
  std::unordered_map<uint64_t, ParticipantMedia*> participants;  // by participant id
  std::unordered_map<std::string, MeetingAudio*> audio;          // by meeting id
  std::unordered_map<std::string, MeetingVideo*> video;          // by meeting id
  // The node-to-node cascade (docs/DESIGN.md, "Replica meetings").
  std::unordered_map<std::string, CascadeSender*> cascade_senders;      // "meeting/node"
  std::unordered_map<std::string, CascadeReceiver*> cascade_receivers;  // by meeting id
};

// The shard's embedded TURN server (transport/turn/turn_server.h), set before Start().
struct ShardTurn {
  uint16_t port = 0;                                 // 0: ephemeral
  const transport::TlsServerContext* tls = nullptr;  // null: TCP only
  std::string realm = "sfu";
  std::string secret;                     // the REST secret credentials are checked against
  std::vector<std::string> announce_ips;  // our media addresses: the only peers, the relay IP
};

class Shard {
 public:
  // dtls: the process-wide DTLS context (may be null in tests that need no transports).
  Shard(int index, std::string bind_ip, uint16_t media_port, const transport::DtlsContext* dtls);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Binds the UDP socket and starts the thread. False with *error if the port is taken.
  bool Start(std::string* error);
  // Stops the loop and joins the thread. Idempotent.
  void Stop();

  // Runs task on the shard's thread (from any thread). Tasks must not throw; one that does is
  // caught, logged and counted so nothing escapes io_context::run().
  void Post(std::function<void()> task);

  // Room bookkeeping; call via Post (shard thread only).
  void AddRoomOnShard(const std::string& meeting_id);
  void RemoveRoomOnShard(const std::string& meeting_id);

  // Shard-thread services for sessions.
  void AddSession(std::unique_ptr<ShardSession> session);
  size_t session_count() const;
  transport::UdpEndpoint& endpoint();
  transport::EndpointDemuxer& demuxer();
  const transport::DtlsContext* dtls() const { return dtls_; }
  ShardStats& mutable_stats() { return stats_; }
  ShardRegistry& registry() { return registry_; }
  int64_t NowMs() const;

  int index() const { return index_; }
  uint16_t media_port() const;
  // The ICE-TCP port (passive candidates, RFC 6544), 0 when off. Same number as media_port
  // unless that was ephemeral.
  uint16_t tcp_port() const;
  // Before Start(): listen for ICE-TCP (default on).
  void SetIceTcp(bool on);
  // Before Start(): caps of ICE-TCP and TURN connections (transport/tcp/stream_server.h).
  void SetStreamLimits(const transport::StreamLimits& limits);
  // Before Start(): run an embedded TURN server (off unless called).
  void EnableTurn(ShardTurn turn);
  uint16_t turn_port() const;  // 0 when off
  const ShardStats& stats() const { return stats_; }

 private:
  bool StartTurn(std::string* error);
  struct Impl;
  const int index_;
  const transport::DtlsContext* dtls_;
  ShardStats stats_;
  ShardRegistry registry_;  // declared before impl_: outlives the sessions that unregister
  std::unique_ptr<Impl> impl_;
};

}  // namespace sfu

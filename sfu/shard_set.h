#pragma once
// All shards, and the room directory: which shard each meeting lives on. A meeting is placed
// on the least-loaded shard that is not overloaded (late ticks persist, sfu/overload_detector.h)
// when created (or when the server restarts with it in the store); its attendees' ICE
// candidates will name that shard's port. When every shard is overloaded the control API refuses
// new meetings (503) and the signaling front new joins (4503), so meetings in progress keep
// their quality instead of everyone's degrading.
// Thread: the control thread owns the directory; shards are reached by Post().

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/shard.h"
#include "transport/tcp/stream_server.h"

namespace sfu {

class ShardSet {
 public:
  // Shard i binds UDP base_port + i (base_port 0: ephemeral ports, for tests). dtls may be null
  // when no media transports will be made (tests).
  ShardSet(int count, const std::string& bind_ip, uint16_t base_port,
           const transport::DtlsContext* dtls = nullptr);
  ~ShardSet();

  // Before Start(): shards also listen for ICE-TCP on their media port numbers (default on).
  void SetIceTcp(bool on) {
    for (auto& s : shards_) s->SetIceTcp(on);
  }
  // Before Start(): connection caps of every shard's ICE-TCP and TURN listeners.
  void SetStreamLimits(const transport::StreamLimits& limits) {
    for (auto& s : shards_) s->SetStreamLimits(limits);
  }
  // Before Start(): every shard runs an embedded TURN server, shard i on base_port + i (0:
  // ephemeral ports).
  void EnableTurn(uint16_t base_port, const ShardTurn& turn) {
    for (size_t i = 0; i < shards_.size(); ++i) {
      ShardTurn t = turn;
      t.port = base_port == 0 ? 0 : static_cast<uint16_t>(base_port + i);
      shards_[i]->EnableTurn(std::move(t));
    }
  }
  bool Start(std::string* error);
  void Stop();

  // Places the meeting (idempotent) and registers the room on its shard. Returns the index.
  int Place(const std::string& meeting_id);
  // Places the meeting on the shard of `with` (placed first if it is not yet), idempotent: a
  // replica meeting lives where its primary's media is (docs/DESIGN.md, "Replica meetings").
  int PlaceWith(const std::string& meeting_id, const std::string& with);
  void Remove(const std::string& meeting_id);
  std::optional<int> ShardOf(const std::string& meeting_id) const;
  // Every meeting placed on a shard (control thread's view).
  std::vector<std::string> MeetingIds() const;

  size_t size() const { return shards_.size(); }
  Shard& shard(size_t i) { return *shards_[i]; }
  bool AllRunning() const;
  std::vector<const ShardStats*> Stats() const;
  size_t RoomCount(size_t shard) const { return load_[shard]; }
  bool Overloaded(size_t shard) const;
  bool AllOverloaded() const;
  // Late ticks of the last 100 that make a shard overloaded (default 25; 0: never).
  void SetOverloadLateTicks(int late_of_100);
  // Attendees in a shard's mixers at which it counts as overloaded too (0: no cap): an operator's
  // measured capacity (docs/PERFORMANCE.md, "Overload"), refusing before ticks run late.
  void SetMaxAttendees(int attendees) { max_attendees_ = attendees; }
  // Tests: treat a shard as overloaded whatever its ticks say.
  void ForceOverloadedForTest(size_t shard, bool on) { forced_overload_[shard] = on; }
  // The shard with the least load (rooms + sessions placed through it), for one-off sessions.
  int LeastLoaded() const;
  void AddLoad(int shard, int delta) {
    load_[static_cast<size_t>(shard)] += static_cast<size_t>(delta);
  }

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<size_t> load_;                        // rooms per shard (control thread's view)
  std::unordered_map<std::string, int> directory_;  // meeting id -> shard
  std::vector<bool> forced_overload_;
  int max_attendees_ = 0;
};

}  // namespace sfu

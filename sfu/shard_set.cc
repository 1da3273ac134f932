#include "sfu/shard_set.h"

#include <algorithm>

namespace sfu {

ShardSet::ShardSet(int count, const std::string& bind_ip, uint16_t base_port,
                   const transport::DtlsContext* dtls) {
  for (int i = 0; i < count; ++i) {
    const uint16_t port = base_port == 0 ? 0 : static_cast<uint16_t>(base_port + i);
    shards_.push_back(std::make_unique<Shard>(i, bind_ip, port, dtls));
  }
  load_.assign(shards_.size(), 0);
  forced_overload_.assign(shards_.size(), false);
}

ShardSet::~ShardSet() { Stop(); }

bool ShardSet::Start(std::string* error) {
  for (auto& s : shards_) {
    if (!s->Start(error)) {
      Stop();
      return false;
    }
  }
  return true;
}

void ShardSet::Stop() {
  for (auto& s : shards_) s->Stop();
}

int ShardSet::Place(const std::string& meeting_id) {
  if (auto it = directory_.find(meeting_id); it != directory_.end()) return it->second;
  // The least-loaded shard that keeps its ticks; if all are late, the least loaded of all (the
  // caller refuses new meetings before that: AllOverloaded).
  size_t best = load_.size();
  for (size_t i = 0; i < load_.size(); ++i) {
    if (Overloaded(i)) continue;
    if (best == load_.size() || load_[i] < load_[best]) best = i;
  }
  if (best == load_.size())
    best = static_cast<size_t>(std::min_element(load_.begin(), load_.end()) - load_.begin());
  const int index = static_cast<int>(best);
  ++load_[best];
  directory_.emplace(meeting_id, index);
  Shard* shard = shards_[static_cast<size_t>(index)].get();
  shard->Post([shard, meeting_id] { shard->AddRoomOnShard(meeting_id); });
  return index;
}

int ShardSet::PlaceWith(const std::string& meeting_id, const std::string& with) {
  if (auto it = directory_.find(meeting_id); it != directory_.end()) return it->second;
  const int index = Place(with);
  ++load_[static_cast<size_t>(index)];
  directory_.emplace(meeting_id, index);
  Shard* shard = shards_[static_cast<size_t>(index)].get();
  shard->Post([shard, meeting_id] { shard->AddRoomOnShard(meeting_id); });
  return index;
}

void ShardSet::Remove(const std::string& meeting_id) {
  auto it = directory_.find(meeting_id);
  if (it == directory_.end()) return;
  const size_t index = static_cast<size_t>(it->second);
  directory_.erase(it);
  --load_[index];
  Shard* shard = shards_[index].get();
  shard->Post([shard, meeting_id] { shard->RemoveRoomOnShard(meeting_id); });
}

std::optional<int> ShardSet::ShardOf(const std::string& meeting_id) const {
  auto it = directory_.find(meeting_id);
  if (it == directory_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> ShardSet::MeetingIds() const {
  std::vector<std::string> out;
  out.reserve(directory_.size());
  for (const auto& [id, shard] : directory_) out.push_back(id);
  return out;
}

bool ShardSet::Overloaded(size_t shard) const {
  const ShardStats& s = shards_[shard]->stats();
  return forced_overload_[shard] || s.overloaded.load(std::memory_order_relaxed) ||
         (max_attendees_ > 0 &&
          s.mixing_participants.load(std::memory_order_relaxed) >= max_attendees_);
}

void ShardSet::SetOverloadLateTicks(int late_of_100) {
  for (auto& s : shards_)
    s->mutable_stats().overload_late_ticks.store(late_of_100, std::memory_order_relaxed);
}

bool ShardSet::AllOverloaded() const {
  for (size_t i = 0; i < shards_.size(); ++i)
    if (!Overloaded(i)) return false;
  return !shards_.empty();
}

int ShardSet::LeastLoaded() const {
  return static_cast<int>(std::min_element(load_.begin(), load_.end()) - load_.begin());
}

bool ShardSet::AllRunning() const {
  return std::all_of(shards_.begin(), shards_.end(), [](const auto& s) {
    return s->stats().running.load(std::memory_order_relaxed);
  });
}

std::vector<const ShardStats*> ShardSet::Stats() const {
  std::vector<const ShardStats*> out;
  for (const auto& s : shards_) out.push_back(&s->stats());
  return out;
}

}  // namespace sfu

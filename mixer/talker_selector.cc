#include "mixer/talker_selector.h"

#include <algorithm>

namespace sfu::mixer {

TalkerSelector::TalkerSelector(int k, int hangover_ticks, int audible_dbov)
    : k_(std::max(1, k)), hangover_(std::max(0, hangover_ticks)), audible_dbov_(audible_dbov) {
  const size_t k_seats = static_cast<size_t>(k_);
  loudest_.resize(k_seats);
  out_.reserve(k_seats);
  held_.reserve(k_seats);
  next_.reserve(k_seats);
}

const std::vector<uint32_t>& TalkerSelector::Select(std::span<const Candidate> candidates) {
  // The k loudest audible candidates, loudest first (lower -dBov is louder), ties by id for
  // determinism. Inaudible ones (muted or silent) order after every audible one, so a partial
  // sort into k slots finds the k loudest without a buffer the size of the meeting.
  const int audible_below = audible_dbov_;
  auto audible = [audible_below](const Candidate& c) {
    return !c.muted && c.level_dbov < audible_below;
  };
  auto louder = [&audible](const Candidate& a, const Candidate& b) {
    const bool aa = audible(a), ab = audible(b);
    if (aa != ab) return aa;
    return a.level_dbov != b.level_dbov ? a.level_dbov < b.level_dbov : a.id < b.id;
  };
  const auto loudest_end = std::partial_sort_copy(candidates.begin(), candidates.end(),
                                                  loudest_.begin(), loudest_.end(), louder);
  auto present = [&candidates](uint32_t id) {
    for (const Candidate& c : candidates)
      if (c.id == id && !c.muted) return true;
    return false;
  };
  out_.clear();
  next_.clear();
  // The loudest k refresh their hangover.
  for (auto it = loudest_.begin(); it != loudest_end && audible(*it); ++it) {
    out_.push_back(it->id);
    next_.push_back({it->id, hangover_});
  }
  // Held talkers that dropped out keep a seat while their hangover lasts and a seat is free
  // (a louder newcomer still wins the seat, since it was placed first).
  for (const Held& h : held_) {
    if (std::find(out_.begin(), out_.end(), h.id) != out_.end()) continue;
    if (h.ticks_left <= 0 || !present(h.id) || static_cast<int>(out_.size()) == k_) continue;
    out_.push_back(h.id);
    next_.push_back({h.id, h.ticks_left - 1});
  }
  held_.swap(next_);  // both keep their capacity: k entries at most
  return out_;
}

}  // namespace sfu::mixer

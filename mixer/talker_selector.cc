#include "mixer/talker_selector.h"

#include <algorithm>

namespace sfu::mixer {

TalkerSelector::TalkerSelector(int k, int hangover_ticks, int audible_dbov)
    : k_(std::max(1, k)), hangover_(std::max(0, hangover_ticks)), audible_dbov_(audible_dbov) {}

std::vector<uint32_t> TalkerSelector::Select(std::span<const Candidate> candidates) {
  // Audible candidates, loudest first (lower -dBov is louder); ties by id for determinism.
  std::vector<Candidate> audible;
  for (const Candidate& c : candidates)
    if (!c.muted && c.level_dbov < audible_dbov_) audible.push_back(c);
  std::sort(audible.begin(), audible.end(), [](const Candidate& a, const Candidate& b) {
    return a.level_dbov != b.level_dbov ? a.level_dbov < b.level_dbov : a.id < b.id;
  });
  auto present = [&candidates](uint32_t id) {
    for (const Candidate& c : candidates)
      if (c.id == id && !c.muted) return true;
    return false;
  };
  std::vector<Held> next;
  std::vector<uint32_t> out;
  // The loudest k refresh their hangover.
  for (const Candidate& c : audible) {
    if (static_cast<int>(out.size()) == k_) break;
    out.push_back(c.id);
    next.push_back({c.id, hangover_});
  }
  // Held talkers that dropped out keep a seat while their hangover lasts and a seat is free
  // (a louder newcomer still wins the seat, since it was placed first).
  for (const Held& h : held_) {
    if (std::find(out.begin(), out.end(), h.id) != out.end()) continue;
    if (h.ticks_left <= 0 || !present(h.id) || static_cast<int>(out.size()) == k_) continue;
    out.push_back(h.id);
    next.push_back({h.id, h.ticks_left - 1});
  }
  held_ = std::move(next);
  return out;
}

}  // namespace sfu::mixer

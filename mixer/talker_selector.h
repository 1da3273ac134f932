#pragma once
// Chooses the K loudest unmuted talkers of a meeting each 20 ms tick (docs/DESIGN.md, "Audio
// mixer": decode only what is audible, mix the loudest K). Levels are RFC 6464 -dBov (0 loudest,
// 127 silence). A talker keeps its place for `hangover_ticks` after it stops being among the
// loudest, so speakers do not flicker in and out (and their decoders are not stopped and restarted
// between syllables). Pure; no allocation after construction (buffers for k talkers are reserved up
// front). One owner (the meeting's shard).

#include <cstdint>
#include <span>
#include <vector>

namespace sfu::mixer {

struct Candidate {
  uint32_t id = 0;
  int level_dbov = 127;  // loudest level of the last frame, 0..127
  bool muted = false;
};

class TalkerSelector {
 public:
  // A level at or below audible_dbov (quieter) is silence: never selected.
  TalkerSelector(int k, int hangover_ticks, int audible_dbov = 60);

  // The talkers to mix this tick, loudest first, at most k. The reference stays valid until the
  // next call.
  const std::vector<uint32_t>& Select(std::span<const Candidate> candidates);

 private:
  struct Held {
    uint32_t id;
    int ticks_left;
  };
  int k_;
  int hangover_;
  int audible_dbov_;
  std::vector<Held> held_;  // current talkers and their remaining hangover
  // Per-call scratch, sized for k at construction.
  std::vector<Candidate> loudest_;  // k slots for the partial sort
  std::vector<Held> next_;          // the next held_
  std::vector<uint32_t> out_;       // what Select returns
};

}  // namespace sfu::mixer

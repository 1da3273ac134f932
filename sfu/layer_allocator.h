#pragma once
// Chooses, for one subscriber, the simulcast layer of each stream it receives so that the sum
// fits its bandwidth estimate (LiveKit's and Jitsi's allocators in small): every stream starts
// at its lowest arriving layer (something is always shown, even over budget), then streams go
// back to the layers they had (sticky: measured rates jitter), then all are raised one layer at
// a time, in turn, while the total still fits; never above the layer
// the subscriber asked for. Also says what the next upgrade would cost (the probe target) and
// what the subscriber would take with unlimited bandwidth. Pure.
#include <cstdint>
#include <span>
#include <vector>

namespace sfu {

struct LayerChoiceInput {
  // The publisher's layers, lowest first: their measured rates, 0 when not arriving.
  std::vector<uint64_t> layer_bps;
  int wanted = 0;    // the highest layer index the subscriber asked for
  int current = -1;  // the layer chosen last time (-1: none): kept first while it fits, so
                     // rate jitter does not shuffle layers between streams
};

struct LayerAllocation {
  std::vector<int> layer;  // per input: the chosen index, -1 when nothing is arriving
  uint64_t total_bps = 0;
  uint64_t desired_bps = 0;    // with every stream at its wanted (or best arriving below) layer
  uint64_t next_step_bps = 0;  // total after the cheapest upgrade that did not fit; 0: none left
};

inline LayerAllocation AllocateLayers(std::span<const LayerChoiceInput> in, uint64_t budget_bps) {
  LayerAllocation a;
  a.layer.assign(in.size(), -1);
  auto next_up = [&](size_t i) -> int {  // next arriving layer above the current, within wanted
    const auto& l = in[i].layer_bps;
    for (int k = a.layer[i] + 1; k <= in[i].wanted && k < static_cast<int>(l.size()); ++k)
      if (l[static_cast<size_t>(k)] > 0) return k;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    a.layer[i] = next_up(i);
    if (a.layer[i] < 0) {
      // Nothing arriving at or below the wanted layer: the lowest arriving one stands in.
      const auto& l = in[i].layer_bps;
      for (size_t k = 0; k < l.size(); ++k) {
        if (l[k] > 0) {
          a.layer[i] = static_cast<int>(k);
          break;
        }
      }
    }
    if (a.layer[i] >= 0) a.total_bps += in[i].layer_bps[static_cast<size_t>(a.layer[i])];
  }
  // What the subscriber would take with unlimited bandwidth.
  for (size_t i = 0; i < in.size(); ++i) {
    int best = a.layer[i];
    for (int k = best; k >= 0;) {
      int nk = -1;
      const auto& l = in[i].layer_bps;
      for (int j = k + 1; j <= in[i].wanted && j < static_cast<int>(l.size()); ++j)
        if (l[static_cast<size_t>(j)] > 0) {
          nk = j;
          break;
        }
      if (nk < 0) break;
      best = k = nk;
    }
    if (best >= 0) a.desired_bps += in[i].layer_bps[static_cast<size_t>(best)];
  }
  // Streams first go back to their current layers (in turn, while it fits), then everyone is
  // raised in turn while it fits.
  for (bool again = true; again;) {
    again = false;
    for (size_t i = 0; i < in.size(); ++i) {
      const int up = a.layer[i] < 0 ? -1 : next_up(i);
      if (up < 0 || up > in[i].current) continue;
      const uint64_t delta = in[i].layer_bps[static_cast<size_t>(up)] -
                             std::min(in[i].layer_bps[static_cast<size_t>(up)],
                                      in[i].layer_bps[static_cast<size_t>(a.layer[i])]);
      if (a.total_bps + delta > budget_bps) continue;
      a.total_bps += delta;
      a.layer[i] = up;
      again = true;
    }
  }
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < in.size(); ++i) {
      const int up = a.layer[i] < 0 ? -1 : next_up(i);
      if (up < 0) continue;
      const uint64_t delta = in[i].layer_bps[static_cast<size_t>(up)] -
                             std::min(in[i].layer_bps[static_cast<size_t>(up)],
                                      in[i].layer_bps[static_cast<size_t>(a.layer[i])]);
      if (a.total_bps + delta > budget_bps) continue;
      a.total_bps += delta;
      a.layer[i] = up;
      changed = true;
    }
  }
  for (size_t i = 0; i < in.size(); ++i) {
    const int up = a.layer[i] < 0 ? -1 : next_up(i);
    if (up < 0) continue;
    const uint64_t delta = in[i].layer_bps[static_cast<size_t>(up)] -
                           std::min(in[i].layer_bps[static_cast<size_t>(up)],
                                    in[i].layer_bps[static_cast<size_t>(a.layer[i])]);
    const uint64_t step = a.total_bps + delta;
    if (a.next_step_bps == 0 || step < a.next_step_bps) a.next_step_bps = step;
  }
  return a;
}

}  // namespace sfu

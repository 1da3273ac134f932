#pragma once
// The video bandwidth toward one subscriber and what it buys: a DownlinkEstimator (the loss its
// receiver reports give, its REMB, what we sent it), the LayerAllocator choosing each of its
// sections' layer from the estimate (every 500 ms and when the estimate changes), and probing:
// when the estimate holds the subscriber below what it asked for, a probe pads one RTX-capable
// section for two seconds up to the next upgrade's rate or twice what it gets (at most what it
// asked for); without RTX the upgrade itself is the probe. Its loss and REMB decide.
// Owned by MeetingVideo (one per participant); the sections are passed in. Thread: the owning
// shard only.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "sfu/downlink_estimator.h"

namespace sfu {

class SubscriberSection;
class VideoPublisher;
struct ShardStats;

class DownlinkController {
 public:
  static constexpr int64_t kAllocationIntervalMs = 500;
  static constexpr size_t kPaddingPacket =
      236;  // 12-byte header + 224 bytes of padding (libwebrtc's size)
  using Sections = std::span<const std::unique_ptr<SubscriberSection>>;
  // The publisher of a stream id, or null.
  using PublisherOf = std::function<const VideoPublisher*(uint32_t stream_id)>;

  // Video bytes sent to the subscriber (media, retransmissions, padding).
  void OnSent(size_t bytes, int64_t now_ms) { estimator_.OnSent(bytes, now_ms); }
  // Its receiver's loss over our sections, its REMB: true when the estimate changed (allocate
  // again).
  bool OnLoss(uint64_t lost, uint64_t expected, int64_t now_ms) {
    return estimator_.OnLoss(lost, expected, now_ms);
  }
  bool OnRemb(uint64_t bps, int64_t now_ms) { return estimator_.OnRemb(bps, now_ms); }
  // The sections changed: allocate at the next tick.
  void AllocateSoon() { next_allocation_ms_ = 0; }

  // Every tick: the allocation when due, probe padding while probing.
  void OnTick(Sections sections, const PublisherOf& publisher_of, ShardStats& stats,
              int64_t now_ms);
  // Chooses every section's layer (set_allowed) from the estimate; may start a probe.
  void Allocate(Sections sections, const PublisherOf& publisher_of, ShardStats& stats,
                int64_t now_ms);

  const DownlinkEstimator& estimator() const { return estimator_; }

 private:
  // Tops the probe up to its target rate with RTX padding-only packets on a section that can
  // carry them.
  void Pad(Sections sections, ShardStats& stats, int64_t now_ms);

  DownlinkEstimator estimator_;
  int64_t next_allocation_ms_ = 0;
};

}  // namespace sfu

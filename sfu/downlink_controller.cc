#include "sfu/downlink_controller.h"

#include <algorithm>
#include <vector>

#include "sfu/layer_allocator.h"
#include "sfu/shard_stats.h"
#include "sfu/subscriber_section.h"
#include "sfu/video_publisher.h"

namespace sfu {

void DownlinkController::OnTick(Sections sections, const PublisherOf& publisher_of,
                                ShardStats& stats, int64_t now_ms) {
  if (sections.empty()) return;
  if (now_ms >= next_allocation_ms_) {
    next_allocation_ms_ = now_ms + kAllocationIntervalMs;
    Allocate(sections, publisher_of, stats, now_ms);
  }
  if (estimator_.probing()) Pad(sections, stats, now_ms);
}

void DownlinkController::Allocate(Sections sections, const PublisherOf& publisher_of,
                                  ShardStats& stats, int64_t now_ms) {
  if (sections.empty()) return;
  std::vector<LayerChoiceInput> in(sections.size());
  std::vector<const VideoPublisher*> pubs(sections.size(), nullptr);
  bool can_pad = false;
  for (size_t i = 0; i < sections.size(); ++i) {
    const SubscriberSection& s = *sections[i];
    if (s.can_pad()) can_pad = true;
    pubs[i] = publisher_of(s.sub().stream_id);
    if (!pubs[i]) continue;
    in[i].wanted = pubs[i]->IndexOf(s.sub().stream_id);
    in[i].current = s.allowed();
    pubs[i]->LayerRates(now_ms, &in[i].layer_bps);
  }
  DownlinkEstimator& d = estimator_;
  d.ExpireProbe(now_ms);
  // Without RTX to pad, a probe is the upgrade itself: the allocation takes the probe's target.
  const uint64_t budget =
      d.probing() && !can_pad ? std::max(d.estimate_bps(), d.probe_target()) : d.estimate_bps();
  const LayerAllocation a = AllocateLayers(in, budget);
  for (size_t i = 0; i < sections.size(); ++i) sections[i]->set_allowed(pubs[i] ? a.layer[i] : -1);
  if (a.next_step_bps > 0 && a.total_bps < a.desired_bps && d.MayProbe(now_ms)) {
    // Probe for the next upgrade, or up to twice what it gets now (at most what it asked for):
    // a subscriber held low on several cameras climbs back in a few probes, not one per layer.
    const uint64_t target = std::max(a.next_step_bps, std::min(a.desired_bps, a.total_bps * 2));
    d.StartProbe(target * 11 / 10, now_ms);
    stats.Add(stats.video_probes);
    if (!can_pad) Allocate(sections, publisher_of, stats, now_ms);  // take the upgrade now
  }
}

void DownlinkController::Pad(Sections sections, ShardStats& stats, int64_t now_ms) {
  const DownlinkEstimator& d = estimator_;
  SubscriberSection* carrier = nullptr;
  for (const auto& s : sections)
    if (s->can_pad() && s->has_sent()) carrier = s.get();
  if (!carrier) return;
  const int64_t elapsed = now_ms - d.probe_start_ms() + 20;  // through the end of this tick
  const uint64_t due =
      d.probe_target() / 8 * static_cast<uint64_t>(std::max<int64_t>(0, elapsed)) / 1000;
  for (int i = 0; i < 64 && d.probe_sent_bytes() + kPaddingPacket / 2 < due; ++i) {
    const size_t n = carrier->SendPadding(kPaddingPacket);
    if (n == 0) return;
    OnSent(n, now_ms);
    stats.Add(stats.video_padding_bytes, n);
  }
}

}  // namespace sfu

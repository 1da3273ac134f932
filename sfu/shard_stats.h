#pragma once
// One shard's counters: the transport layer's (transport/transport_stats.h) plus the shard's
// own: its tick, the audio mixer on it and video forwarding. Single writer (the shard's
// thread), relaxed atomics; sfu/shard_metrics.cc renders them at scrape time.

#include <atomic>
#include <cstdint>

#include "base/counters.h"
#include "transport/transport_stats.h"

namespace sfu {

using transport::DropReason;

struct ShardStats : transport::TransportStats {
  std::atomic<uint64_t> tasks_run{0};  // cross-thread tasks executed on the shard
  // The shard's 20 ms timer and the audio mixer on it.
  std::atomic<uint64_t> ticks{0};
  std::atomic<uint64_t> late_ticks{0};  // started more than 5 ms after their deadline
  // Late ticks whose shard thread ran less than half the wall time since the previous tick:
  // it waited for a CPU (other processes on the host), not for its own work.
  std::atomic<uint64_t> late_ticks_starved{0};
  std::atomic<uint64_t> thread_cpu_us{0};  // the shard thread's CPU time
  std::atomic<uint64_t> mix_ticks{0};      // meeting mixes run (one per meeting per tick)
  std::atomic<uint64_t> mix_decodes{0};
  std::atomic<uint64_t> mix_encodes{0};
  std::atomic<uint64_t> mix_concealed{0};
  std::atomic<uint64_t> mix_fec_recovered{0};
  std::atomic<uint64_t> mix_red_recovered{0};
  std::atomic<uint64_t> mix_bad_packets{0};  // uplink audio the mixer could not use
  base::FixedHistogram<9> mix_tick_cpu_us{{50, 100, 200, 500, 1000, 2000, 3000, 5000, 10000}};
  base::FixedHistogram<9> jitter_delay_ms{{10, 20, 30, 40, 60, 80, 100, 150, 250}};
  std::atomic<int64_t> mixing_participants{0};
  // Video forwarding (SFU).
  std::atomic<uint64_t> video_packets_forwarded{0};
  std::atomic<uint64_t> video_keyframe_requests{0};  // PLIs sent to publishers
  std::atomic<uint64_t> video_waiting_keyframe{
      0};                                  // packets not forwarded: section waits for a key frame
  std::atomic<uint64_t> video_unknown{0};  // video from an unknown SSRC or not VP8
  std::atomic<uint64_t> video_retransmissions{0};    // packets resent for a subscriber's NACK
  std::atomic<uint64_t> video_nacks_sent{0};         // NACKed packets asked of publishers
  std::atomic<uint64_t> video_rtx_received{0};       // publishers' RTX retransmissions unwrapped
  std::atomic<uint64_t> video_layer_switches_up{0};  // a section moved to a higher simulcast layer
  std::atomic<uint64_t> video_layer_switches_down{0};
  std::atomic<uint64_t> video_probes{0};         // bandwidth probes toward subscribers
  std::atomic<uint64_t> video_padding_bytes{0};  // RTX padding sent for probes
  std::atomic<uint64_t> video_pause_ignored{0};
  std::atomic<uint64_t> video_over_resolution{
      0};  // packets of layers above MaxResolution  // PAUSE/RESUME ids of streams not received
  // The node-to-node cascade (docs/DESIGN.md, "Replica meetings"): links on this shard,
  // packets each way by kind, their CPU time, and link datagrams refused (SRTP failures).
  std::atomic<int64_t> cascade_links_send{0};
  std::atomic<int64_t> cascade_links_receive{0};
  std::atomic<uint64_t> cascade_sent_audio{0};
  std::atomic<uint64_t> cascade_sent_video{0};
  std::atomic<uint64_t> cascade_sent_retransmit{0};
  std::atomic<uint64_t> cascade_sent_rtcp{0};
  std::atomic<uint64_t> cascade_received_audio{0};
  std::atomic<uint64_t> cascade_received_video{0};
  std::atomic<uint64_t> cascade_received_rtcp{0};
  std::atomic<uint64_t> cascade_refused{0};
  std::atomic<uint64_t> cascade_send_cpu_ns{0};  // sampled (base::CpuSampler)
  std::atomic<uint64_t> cascade_receive_cpu_ns{0};
  std::atomic<int64_t> rooms{0};
  std::atomic<int64_t> transports{0};
  std::atomic<bool> running{false};
  // Late ticks persist (sfu/overload_detector.h): new meetings go elsewhere, new joins wait.
  std::atomic<bool> overloaded{false};
  // Late ticks of the last 100 that make the shard overloaded (0: never); set by the control
  // thread (ShardSet::SetOverloadLateTicks), read by the shard each tick.
  std::atomic<int> overload_late_ticks{25};
};

}  // namespace sfu

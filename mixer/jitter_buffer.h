#pragma once
// One sender's adaptive jitter buffer (docs/DESIGN.md, "Audio mixer"): RTP packets of 20 ms Opus
// frames in, one playout decision per 20 ms mixer tick out. Pure (no codec, no clock of its own).
//
// Playout follows the sequence number. Each tick:
//   - the next packet is there: play it;
//   - it is missing but a later one arrived: it is lost — use the next packet's in-band FEC if
//     that one is buffered, else conceal; move on;
//   - nothing newer arrived: an underrun — conceal and wait (this adds one frame of delay, which
//     is how the buffer grows when jitter rises); after `idle_after_frames` such ticks the sender
//     has stopped and the buffer goes idle until packets come again.
// The target delay follows the measured interarrival jitter (RFC 3550 §6.4.1) and the loss
// rate, between min_delay_frames and max_delay_frames: under loss (over 3% of frames, with
// hysteresis) it is at least 3 frames, so that when two packets in a row are lost the second
// can still be rebuilt from the next packet's in-band FEC (Opus concealment fades within two
// frames). Below target the buffer stretches by one concealed frame (at a quiet frame if one
// comes within 0.5 s); when more than the target sits buffered for a while, one frame is
// dropped to bring the delay back down (every 0.5 s, or every 0.1 s when more than 3 frames
// above the target, so a burst of jitter or a stall does not leave the delay high for long).
// Packets older than the playout point are late and dropped; duplicates are ignored; a jump of more
// than the capacity restarts the stream. Redundant copies (RFC 2198 RED) fill slots that are still
// empty.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "transport/wire/seq_num.h"

namespace sfu::mixer {

struct JitterBufferConfig {
  int capacity_frames = 32;            // 640 ms
  int min_delay_frames = 1;            // 20 ms
  int max_delay_frames = 5;            // 100 ms
  int idle_after_frames = 10;          // 200 ms of nothing: the sender has stopped
  int shrink_after_ticks = 25;         // buffered above target this long: drop a frame
  int fast_shrink_after_ticks = 5;     // ... when more than 3 frames above target
  int slack_shrink_after_ticks = 100;  // exactly one frame above target this long: drop it
  int grow_within_ticks = 25;          // below target: stretch at a quiet frame, or after this long
  int loss_delay_frames = 3;           // the least target while the sender is losing packets
};

struct JitterBufferStats {
  uint64_t packets = 0;
  uint64_t played = 0;
  uint64_t lost = 0;           // frames missing at playout (kFec or kConceal)
  uint64_t underruns = 0;      // ticks with nothing to play yet (kConceal, no advance)
  uint64_t red_recovered = 0;  // frames played from a RED copy
  uint64_t late = 0;
  uint64_t duplicates = 0;
  uint64_t dropped_to_shrink = 0;
  uint64_t stretched_to_grow = 0;
  uint64_t restarts = 0;
};

class JitterBuffer {
 public:
  enum class Kind {
    kIdle,     // nothing to play: the sender is silent or stopped (not mixed)
    kPacket,   // decode `payload`
    kFec,      // the frame is lost; decode it from `payload`'s in-band FEC (the next packet)
    kConceal,  // the frame is lost; conceal
  };
  struct Frame {
    Kind kind = Kind::kIdle;
    std::span<const uint8_t> payload;
    int level_dbov = -1;     // the packet's RFC 6464 level (-1: unknown)
    bool from_red = false;   // kPacket recovered from a redundant copy
    int64_t arrival_ms = 0;  // kPacket: when it arrived (for the delay histogram)
  };

  explicit JitterBuffer(JitterBufferConfig config = {});

  // rtp_timestamp is used for the jitter estimate only. level_dbov: RFC 6464 level or -1.
  void Push(uint16_t seq, uint32_t rtp_timestamp, std::span<const uint8_t> payload, int level_dbov,
            int64_t arrival_ms, bool redundant = false);
  // The decision for this tick. The payload view stays valid until the next Push or Pop.
  Frame Pop();

  bool idle() const { return !playing_; }
  int target_delay_frames() const;
  double loss_rate() const { return loss_ewma_; }
  int buffered_frames() const;  // frames at and after the playout point
  double jitter_ms() const { return jitter_ms_; }
  // The level of the next frame to play (without popping), -1 if unknown or none.
  int PeekLevel() const;
  const JitterBufferStats& stats() const { return stats_; }

 private:
  struct Slot {
    int64_t seq = -1;  // unwrapped; -1 empty
    int level = -1;
    bool redundant = false;
    int64_t arrival_ms = 0;
    std::vector<uint8_t> data;
  };
  Slot& SlotFor(int64_t seq) {
    return slots_[static_cast<size_t>(seq % static_cast<int64_t>(slots_.size()))];
  }
  const Slot* Find(int64_t seq) const;
  void Restart(int64_t seq);
  void UpdateJitter(uint32_t rtp_timestamp, int64_t arrival_ms);
  void CountOutcome(bool lost);

  JitterBufferConfig config_;
  std::vector<Slot> slots_;
  wire::SeqUnwrapper unwrap_;
  bool playing_ = false;  // started and not idle
  bool priming_ = false;  // waiting for the target depth before the first frame
  int prime_ticks_ = 0;
  int64_t next_ = 0;      // next seq to play
  int64_t highest_ = -1;  // highest seq received
  int underrun_run_ = 0;
  int above_target_ticks_ = 0;
  int slack_ticks_ = 0;  // ticks in a row with exactly one frame above the target
  int jitter_target_;
  bool lossy_ = false;
  double loss_ewma_ = 0;
  int below_target_ticks_ = 0;
  // Jitter estimate (RFC 3550 §6.4.1), in ms.
  bool have_transit_ = false;
  double last_transit_ms_ = 0;
  double jitter_ms_ = 0;
  JitterBufferStats stats_;
};

}  // namespace sfu::mixer

#include "mixer/jitter_buffer.h"

#include <algorithm>
#include <cmath>

namespace sfu::mixer {

JitterBuffer::JitterBuffer(JitterBufferConfig config)
    : config_(config),
      slots_(static_cast<size_t>(std::max(4, config.capacity_frames))),
      jitter_target_(std::max(1, config.min_delay_frames)) {
  for (Slot& s : slots_) s.data.reserve(256);
}

const JitterBuffer::Slot* JitterBuffer::Find(int64_t seq) const {
  if (seq < 0) return nullptr;
  const Slot& s = slots_[static_cast<size_t>(seq % static_cast<int64_t>(slots_.size()))];
  return s.seq == seq ? &s : nullptr;
}

int JitterBuffer::buffered_frames() const {
  if (!playing_) return 0;
  return static_cast<int>(std::max<int64_t>(0, highest_ - next_ + 1));
}

int JitterBuffer::PeekLevel() const {
  if (!playing_) return -1;
  const Slot* s = Find(next_);
  return s ? s->level : -1;
}

void JitterBuffer::Restart(int64_t seq) {
  for (Slot& s : slots_) s.seq = -1;
  playing_ = true;
  priming_ = true;
  prime_ticks_ = 0;
  next_ = seq;
  highest_ = seq - 1;
  underrun_run_ = 0;
  above_target_ticks_ = 0;
  have_transit_ = false;  // a new stream: its transit times are not comparable with the old
}

void JitterBuffer::UpdateJitter(uint32_t rtp_timestamp, int64_t arrival_ms) {
  // Transit time in ms (RTP clock 48 kHz); only differences matter.
  const double transit =
      static_cast<double>(arrival_ms) - static_cast<double>(rtp_timestamp) / 48.0;
  if (have_transit_) {
    double d = std::fabs(transit - last_transit_ms_);
    if (d > 10'000) d = 0;  // timestamp wrap or a new stream: ignore this sample
    jitter_ms_ += (d - jitter_ms_) / 16.0;
  }
  have_transit_ = true;
  last_transit_ms_ = transit;
  // Twice the jitter, in frames, on top of one. The estimate decays geometrically and never
  // returns to exactly 0 after a burst: jitter under 1 ms adds no frame, or the target would stay
  // one frame above where it was before any jitter, for good.
  jitter_target_ = 1 + static_cast<int>(std::ceil(std::max(0.0, 2.0 * jitter_ms_ - 2.0) / 20.0));
}

int JitterBuffer::target_delay_frames() const {
  const int want = std::max(jitter_target_, lossy_ ? config_.loss_delay_frames : 1);
  return std::clamp(want, std::max(1, config_.min_delay_frames),
                    std::max(1, config_.max_delay_frames));
}

void JitterBuffer::CountOutcome(bool lost) {
  loss_ewma_ += ((lost ? 1.0 : 0.0) - loss_ewma_) / 50.0;
  if (loss_ewma_ > 0.03) lossy_ = true;
  if (loss_ewma_ < 0.01) lossy_ = false;
}

void JitterBuffer::Push(uint16_t seq16, uint32_t rtp_timestamp, std::span<const uint8_t> payload,
                        int level_dbov, int64_t arrival_ms, bool redundant) {
  // Unwrap without letting a stray redundant copy move the unwrapper's reference far.
  const int64_t seq = redundant ? unwrap_.PeekUnwrap(seq16) : unwrap_.Unwrap(seq16);
  if (!redundant) {
    ++stats_.packets;
    UpdateJitter(rtp_timestamp, arrival_ms);
  }
  const int64_t capacity = static_cast<int64_t>(slots_.size());
  if (!playing_) {
    if (redundant) return;
    Restart(seq);
  } else if (seq < next_) {
    if (!redundant) ++stats_.late;
    return;
  } else if (seq >= next_ + capacity) {
    if (redundant) return;
    ++stats_.restarts;  // a jump forward beyond what we can hold: the stream restarted
    Restart(seq);
  }
  if (seq < 0) return;
  Slot& slot = SlotFor(seq);
  if (slot.seq == seq) {
    if (!redundant) ++stats_.duplicates;
    if (!slot.redundant || redundant) return;  // a primary replaces a RED copy only
  }
  slot.seq = seq;
  slot.level = level_dbov;
  slot.redundant = redundant;
  slot.arrival_ms = arrival_ms;
  slot.data.assign(payload.begin(), payload.end());
  highest_ = std::max(highest_, seq);
}

JitterBuffer::Frame JitterBuffer::Pop() {
  Frame f;
  if (!playing_) return f;
  const int target = target_delay_frames();
  if (priming_) {
    if (buffered_frames() < target && prime_ticks_ < target) {
      ++prime_ticks_;
      return f;
    }
    priming_ = false;
  }
  // Below target (the target rose): stretch by one concealed frame, at a quiet frame if one
  // comes soon. Nothing is lost: playout just starts one frame later.
  if (buffered_frames() < target && Find(next_)) {
    const Slot* s = Find(next_);
    if ((s->level >= 50) || ++below_target_ticks_ >= config_.grow_within_ticks) {
      below_target_ticks_ = 0;
      ++stats_.stretched_to_grow;
      f.kind = Kind::kConceal;
      return f;
    }
  } else {
    below_target_ticks_ = 0;
  }
  // Too much buffered for a while: drop the oldest frame to bring the delay down. Far above the
  // target (after a jitter burst or a stall) drop every fast_shrink_after_ticks instead, so the
  // delay is back within a few seconds rather than a frame per half second.
  if (buffered_frames() > target + 1) {
    const int needed = buffered_frames() > target + 3
                           ? std::min(config_.fast_shrink_after_ticks, config_.shrink_after_ticks)
                           : config_.shrink_after_ticks;
    if (++above_target_ticks_ >= needed) {
      above_target_ticks_ = 0;
      ++next_;
      ++stats_.dropped_to_shrink;
    }
    slack_ticks_ = 0;
  } else if (buffered_frames() == target + 1) {
    // One frame of slack comes and goes with jitter and is kept; one that stands for 2 s (left
    // over from a burst or a stall: the buffer never dipped to the target) is dropped too, so
    // the delay returns to where it was before.
    above_target_ticks_ = 0;
    if (++slack_ticks_ >= config_.slack_shrink_after_ticks) {
      slack_ticks_ = 0;
      ++next_;
      ++stats_.dropped_to_shrink;
    }
  } else {
    above_target_ticks_ = 0;
    slack_ticks_ = 0;
  }
  if (const Slot* s = Find(next_)) {
    f.kind = Kind::kPacket;
    f.payload = s->data;
    f.level_dbov = s->level;
    f.from_red = s->redundant;
    f.arrival_ms = s->arrival_ms;
    if (s->redundant) ++stats_.red_recovered;
    ++stats_.played;
    ++next_;
    underrun_run_ = 0;
    CountOutcome(false);
    return f;
  }
  if (highest_ > next_) {
    ++stats_.lost;
    CountOutcome(true);
    if (const Slot* n = Find(next_ + 1)) {
      f.kind = Kind::kFec;
      f.payload = n->data;
      f.level_dbov = n->level;
    } else {
      f.kind = Kind::kConceal;
    }
    ++next_;
    underrun_run_ = 0;
    return f;
  }
  // Nothing newer: the next packet is late or the sender stopped.
  if (++underrun_run_ > config_.idle_after_frames) {
    playing_ = false;
    unwrap_.Reset();
    have_transit_ = false;
    return f;
  }
  ++stats_.underruns;
  f.kind = Kind::kConceal;
  return f;
}

}  // namespace sfu::mixer

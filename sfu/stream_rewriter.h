#pragma once
// Makes one continuous outgoing video stream out of whatever source feeds a subscriber's
// section (docs/DESIGN.md, "Video SFU"; mediasoup's SeqManager and VP8 rewriting do the same):
// packets are forwarded from a key frame on; sequence numbers, timestamps, VP8 PictureID (15 bit)
// and TL0PICIDX are shifted by per-source deltas chosen at that key frame so the output continues
// where it left off (+1 sequence number, the elapsed time (at least a frame) of timestamp, +1
// picture) across source and layer switches and wraparound. Packets older than the starting key
// frame are dropped. Pure.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "transport/wire/seq_num.h"

namespace sfu {

class StreamRewriter {
 public:
  struct In {
    uint16_t seq = 0;
    uint32_t timestamp = 0;
    bool key_frame = false;              // first packet of a key frame
    std::optional<uint16_t> picture_id;  // VP8, 15-bit space
    std::optional<uint8_t> tl0picidx;
    int64_t arrival_ms = 0;  // when it arrived (a switch's timestamp follows real time)
  };
  struct Out {
    uint16_t seq;
    uint32_t timestamp;
    std::optional<uint16_t> picture_id;
    std::optional<uint8_t> tl0picidx;
  };
  static constexpr uint32_t kFrameTicks = 3000;  // 90 kHz at 30 fps

  // first_seq/first_timestamp: where the output starts (random, chosen by the caller).
  StreamRewriter(uint16_t first_seq, uint32_t first_timestamp)
      : next_seq_(first_seq), next_ts_(first_timestamp) {}

  // The source changes (or the section starts): wait for the next key frame.
  void Switch() { waiting_ = true; }
  bool waiting() const { return waiting_; }

  // The input sequence number an output sequence number of the current source came from
  // (answering a NACK); nullopt if it predates the current source.
  std::optional<uint16_t> InputSeq(uint16_t out_seq) const {
    if (!started_ || waiting_) return std::nullopt;
    const uint16_t in = static_cast<uint16_t>(out_seq - seq_delta_);
    if (wire::SeqNewer(start_seq_, in)) return std::nullopt;
    return in;
  }
  // What Rewrite would give for a packet already forwarded once (a retransmission), without
  // changing any state; nullopt if it is not of the current source.
  std::optional<Out> Peek(const In& in) const {
    if (!started_ || waiting_ || wire::SeqNewer(start_seq_, in.seq)) return std::nullopt;
    Out o{static_cast<uint16_t>(in.seq + seq_delta_), in.timestamp + ts_delta_, std::nullopt,
          std::nullopt};
    if (in.picture_id) o.picture_id = static_cast<uint16_t>((*in.picture_id + pid_delta_) & 0x7fff);
    if (in.tl0picidx) o.tl0picidx = static_cast<uint8_t>(*in.tl0picidx + tl0_delta_);
    return o;
  }

  // nullopt: drop this packet (waiting for a key frame, or older than the current start).
  std::optional<Out> Rewrite(const In& in) {
    if (waiting_) {
      if (!in.key_frame) return std::nullopt;
      waiting_ = false;
      seq_delta_ = static_cast<uint16_t>(next_seq_ - in.seq);
      // Continue the timestamps by the time that really passed (at least one frame), so the
      // receiver's jitter buffer and delay estimate see no jump.
      const int64_t gap_ms = have_out_ ? in.arrival_ms - last_out_ms_ : 0;
      const uint32_t advance =
          gap_ms > 0 && gap_ms < 10'000
              ? std::max<uint32_t>(kFrameTicks, static_cast<uint32_t>(gap_ms * 90))
              : kFrameTicks;
      ts_delta_ = (started_ ? last_ts_ + advance : next_ts_) - in.timestamp;
      if (in.picture_id)
        pid_delta_ = static_cast<uint16_t>((started_ ? last_pid_ + 1 : 0) - *in.picture_id);
      if (in.tl0picidx)
        tl0_delta_ = static_cast<uint8_t>((started_ ? last_tl0_ + 1 : 0) - *in.tl0picidx);
      start_seq_ = in.seq;
      started_ = true;
    } else if (wire::SeqNewer(start_seq_, in.seq)) {
      return std::nullopt;
    }
    Out o{static_cast<uint16_t>(in.seq + seq_delta_), in.timestamp + ts_delta_, std::nullopt,
          std::nullopt};
    if (in.picture_id) o.picture_id = static_cast<uint16_t>((*in.picture_id + pid_delta_) & 0x7fff);
    if (in.tl0picidx) o.tl0picidx = static_cast<uint8_t>(*in.tl0picidx + tl0_delta_);
    // Remember the newest output, where the next switch continues from.
    if (!have_out_ || wire::SeqNewer(static_cast<uint16_t>(o.seq + 1), next_seq_))
      next_seq_ = static_cast<uint16_t>(o.seq + 1);
    if (!have_out_ || wire::TimestampNewer(o.timestamp, last_ts_)) {
      last_ts_ = o.timestamp;
      last_out_ms_ = in.arrival_ms;
    }
    if (o.picture_id && (!have_pid_ || PidNewer(*o.picture_id, last_pid_))) {
      last_pid_ = *o.picture_id;
      have_pid_ = true;
    }
    if (o.tl0picidx) last_tl0_ = *o.tl0picidx;
    have_out_ = true;
    return o;
  }

 private:
  static bool PidNewer(uint16_t a, uint16_t b) {
    const uint16_t d = static_cast<uint16_t>((a - b) & 0x7fff);
    return d != 0 && d < 0x4000;
  }
  bool waiting_ = true;
  bool started_ = false;
  bool have_out_ = false;
  bool have_pid_ = false;
  uint16_t next_seq_;
  uint32_t next_ts_;
  uint32_t last_ts_ = 0;
  int64_t last_out_ms_ = 0;
  uint16_t last_pid_ = 0;
  uint8_t last_tl0_ = 0;
  uint16_t seq_delta_ = 0;
  uint32_t ts_delta_ = 0;
  uint16_t pid_delta_ = 0;
  uint8_t tl0_delta_ = 0;
  uint16_t start_seq_ = 0;
};

}  // namespace sfu

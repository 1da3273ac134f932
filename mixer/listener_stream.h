#pragma once
// The RTP identity of one listener's downlink audio: its own SSRC, a sequence number that goes
// up by one per packet sent and a timestamp that advances by 960 per 20 ms tick, whatever the
// payload's source (the shared mix, the listener's own mix, or canned silence) and across
// skipped ticks (a late tick advances the timestamp by the ticks that elapsed; the sequence
// stays gap-free, so the client sees time passing, not loss). Pure.

#include <cstdint>

namespace sfu::mixer {

class ListenerStream {
 public:
  struct Header {
    uint16_t seq;
    uint32_t timestamp;
    bool marker;  // first packet of the stream
  };

  ListenerStream(uint16_t first_seq, uint32_t first_timestamp)
      : seq_(first_seq), timestamp_(first_timestamp) {}

  // The header for the packet of mixer tick `tick` (ticks count up from any start).
  Header Next(uint64_t tick) {
    if (started_)
      timestamp_ += static_cast<uint32_t>((tick > last_tick_ ? tick - last_tick_ : 1) * 960u);
    const Header h{seq_++, timestamp_, !started_};
    started_ = true;
    last_tick_ = tick;
    return h;
  }
  uint16_t next_seq() const { return seq_; }

 private:
  uint16_t seq_;
  uint32_t timestamp_;
  uint64_t last_tick_ = 0;
  bool started_ = false;
};

}  // namespace sfu::mixer

#pragma once
// The last `capacity` packets of one published video stream, by RTP sequence number, for
// answering NACKs (retransmission). Fixed memory: capacity slots of up to kMaxPacket bytes,
// allocated once. Pure; one owner.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace sfu {

class PacketHistory {
 public:
  static constexpr size_t kMaxPacket = 1500;

  explicit PacketHistory(size_t capacity = 512) : slots_(capacity), data_(capacity * kMaxPacket) {}

  void Store(uint16_t seq, std::span<const uint8_t> packet) {
    if (packet.size() > kMaxPacket || slots_.empty()) return;
    Slot& s = slots_[seq % slots_.size()];
    s.seq = seq;
    s.size = packet.size();
    s.valid = true;
    std::memcpy(data_.data() + (seq % slots_.size()) * kMaxPacket, packet.data(), packet.size());
  }
  // The stored packet with this sequence number, or empty.
  std::span<const uint8_t> Find(uint16_t seq) const {
    if (slots_.empty()) return {};
    const Slot& s = slots_[seq % slots_.size()];
    if (!s.valid || s.seq != seq) return {};
    return {data_.data() + (seq % slots_.size()) * kMaxPacket, s.size};
  }
  size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    uint16_t seq = 0;
    size_t size = 0;
    bool valid = false;
  };
  std::vector<Slot> slots_;
  std::vector<uint8_t> data_;
};

// Which packets of a publisher's stream to NACK: a gap in the sequence numbers makes its missing
// packets due at once, and again after retry_ms if they have not arrived; each at most
// max_attempts times, and only the last `window` sequence numbers are tracked. Pure.
class NackGenerator {
 public:
  NackGenerator(int retry_ms = 100, int max_attempts = 2, uint16_t window = 256)
      : retry_ms_(retry_ms), max_attempts_(max_attempts), window_(window) {}

  // A packet arrived. Returns nothing; gaps are remembered.
  void OnPacket(uint16_t seq, int64_t now_ms) {
    if (!started_) {
      started_ = true;
      highest_ = seq;
      return;
    }
    const int16_t d = static_cast<int16_t>(seq - highest_);
    if (d > 0) {
      if (d > static_cast<int16_t>(window_)) {
        missing_.clear();  // a jump: too far back to repair
      } else {
        for (uint16_t s = static_cast<uint16_t>(highest_ + 1); s != seq; ++s)
          missing_.push_back({s, 0, now_ms - retry_ms_});
      }
      highest_ = seq;
    } else {
      for (size_t i = 0; i < missing_.size(); ++i) {
        if (missing_[i].seq == seq) {
          missing_.erase(missing_.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      }
    }
    while (!missing_.empty() && static_cast<uint16_t>(highest_ - missing_.front().seq) > window_)
      missing_.erase(missing_.begin());
  }
  // The sequence numbers to NACK now (oldest first); each call counts an attempt.
  std::vector<uint16_t> Due(int64_t now_ms) {
    std::vector<uint16_t> out;
    for (auto& m : missing_) {
      if (m.attempts < max_attempts_ && now_ms - m.last_ms >= retry_ms_) {
        out.push_back(m.seq);
        ++m.attempts;
        m.last_ms = now_ms;
      }
    }
    std::erase_if(missing_, [&](const Missing& m) {
      return m.attempts >= max_attempts_ && now_ms - m.last_ms >= retry_ms_;
    });
    return out;
  }
  size_t missing() const { return missing_.size(); }

 private:
  struct Missing {
    uint16_t seq;
    int attempts;
    int64_t last_ms;
  };
  int retry_ms_;
  int max_attempts_;
  uint16_t window_;
  bool started_ = false;
  uint16_t highest_ = 0;
  std::vector<Missing> missing_;
};

}  // namespace sfu

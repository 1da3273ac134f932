#pragma once
// Wraparound arithmetic for RTP sequence numbers (16 bit) and timestamps (32 bit), RFC 3550
// §A.1, in the serial-number sense of RFC 1982: a is newer than b when it is less than half
// the number space ahead. The exact half-way point is ambiguous; like libwebrtc's
// IsNewerSequenceNumber we break that tie by plain magnitude, so that for any a != b exactly
// one of SeqNewer(a, b) and SeqNewer(b, a) holds.
//
// Unwrappers turn a stream of wrapped values into a monotonic-ish int64 timeline. Each
// unwrapper instance belongs to one stream and is not thread-safe (single owner, its shard).

#include <cstdint>
#include <optional>

namespace sfu::wire {

// True if a is newer (later) than b. Never true for a == b.
constexpr bool SeqNewer(uint16_t a, uint16_t b) {
  const uint16_t forward = static_cast<uint16_t>(a - b);
  if (forward == 0x8000) return a > b;
  return forward != 0 && forward < 0x8000;
}
// a - b as the shortest signed distance; the half-way point gives -32768.
constexpr int16_t SeqDiff(uint16_t a, uint16_t b) { return static_cast<int16_t>(a - b); }
// The later of two sequence numbers.
constexpr uint16_t SeqMax(uint16_t a, uint16_t b) { return SeqNewer(a, b) ? a : b; }

constexpr bool TimestampNewer(uint32_t a, uint32_t b) {
  const uint32_t forward = a - b;
  if (forward == 0x80000000u) return a > b;
  return forward != 0 && forward < 0x80000000u;
}
constexpr int32_t TimestampDiff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }

// Unwraps 16-bit sequence numbers. The first value maps to itself; each later value maps to
// the previous result plus the shortest signed step (SeqNewer decides the direction), so a
// stream that goes backwards across 0 yields negative values rather than jumping by 65536.
class SeqUnwrapper {
 public:
  int64_t Unwrap(uint16_t value);
  // What Unwrap(value) would return, without updating state.
  int64_t PeekUnwrap(uint16_t value) const;
  // The last unwrapped value, if any.
  std::optional<int64_t> last() const { return last_; }
  void Reset() { last_.reset(); }

 private:
  std::optional<int64_t> last_;
};

// The same for 32-bit RTP timestamps.
class TimestampUnwrapper {
 public:
  int64_t Unwrap(uint32_t value);
  int64_t PeekUnwrap(uint32_t value) const;
  std::optional<int64_t> last() const { return last_; }
  void Reset() { last_.reset(); }

 private:
  std::optional<int64_t> last_;
};

}  // namespace sfu::wire

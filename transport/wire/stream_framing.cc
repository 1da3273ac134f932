#include "transport/wire/stream_framing.h"

#include "transport/wire/byte_io.h"
#include "transport/wire/stun_message.h"
#include "transport/wire/turn_message.h"

namespace sfu::wire {
namespace {

constexpr FrameDecision NeedMore(size_t header = 0, size_t size = 0) {
  return {FrameDecision::kNeedMore, header, size};
}
constexpr FrameDecision Invalid() { return {FrameDecision::kInvalid, 0, 0}; }

// A frame whose header + size is known: complete or not yet.
FrameDecision Known(std::span<const uint8_t> buffered, size_t header, size_t size) {
  if (buffered.size() - header < size) return NeedMore(header, size);
  return {FrameDecision::kFrame, header, size};
}

}  // namespace

FrameDecision NextRfc4571Frame(std::span<const uint8_t> buffered, size_t max_frame) {
  if (buffered.size() < 2) return NeedMore();
  const size_t length = ReadBE16(buffered.data());
  if (length == 0 || length > max_frame) return Invalid();
  return Known(buffered, 2, length);
}

FrameDecision NextTurnStreamFrame(std::span<const uint8_t> buffered, size_t max_frame) {
  if (buffered.empty()) return NeedMore();
  const uint8_t first = buffered[0];
  size_t size = 0;
  if ((first & 0xC0) == 0) {
    // STUN: the header says the body length; a body that is not whole attributes, or a missing
    // cookie, means we are not looking at the start of a STUN message.
    if (buffered.size() < 4) return NeedMore();
    const size_t length = ReadBE16(buffered.data() + 2);
    if ((length & 3) != 0) return Invalid();
    if (buffered.size() >= 8 && ReadBE32(buffered.data() + 4) != kStunMagicCookie) return Invalid();
    size = kStunHeaderSize + length;
  } else if (IsChannelData(buffered)) {
    if (buffered.size() < kChannelDataHeaderSize) return NeedMore();
    const size_t length = ReadBE16(buffered.data() + 2);
    size = kChannelDataHeaderSize + ((length + 3) & ~size_t{3});
  } else {
    return Invalid();
  }
  if (size > max_frame) return Invalid();
  return Known(buffered, 0, size);
}

size_t WriteRfc4571Header(uint8_t out[2], size_t payload_len) {
  if (payload_len > 0xFFFF) return 0;
  WriteBE16(out, static_cast<uint16_t>(payload_len));
  return 2;
}

}  // namespace sfu::wire

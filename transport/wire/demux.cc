#include "transport/wire/demux.h"

namespace sfu::wire {

PacketKind Classify(std::span<const uint8_t> packet) {
  if (packet.empty()) return PacketKind::kUnknown;
  const uint8_t b = packet[0];
  if (b <= 3) return PacketKind::kStun;
  if (b >= 16 && b <= 19) return PacketKind::kZrtp;
  if (b >= 20 && b <= 63) return PacketKind::kDtls;
  if (b >= 64 && b <= 79) return PacketKind::kTurnChannel;
  if (b >= 128 && b <= 191) {
    if (packet.size() < 2) return PacketKind::kUnknown;
    const uint8_t pt = packet[1] & 0x7F;  // RTCP PT 192..223 with the top bit read as M
    return (pt >= 64 && pt <= 95) ? PacketKind::kRtcp : PacketKind::kRtp;
  }
  return PacketKind::kUnknown;
}

const char* PacketKindName(PacketKind kind) {
  switch (kind) {
    case PacketKind::kStun:
      return "stun";
    case PacketKind::kZrtp:
      return "zrtp";
    case PacketKind::kDtls:
      return "dtls";
    case PacketKind::kTurnChannel:
      return "turn";
    case PacketKind::kRtp:
      return "rtp";
    case PacketKind::kRtcp:
      return "rtcp";
    case PacketKind::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace sfu::wire

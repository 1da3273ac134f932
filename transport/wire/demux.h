#pragma once
// RFC 7983 §7 demultiplexing of everything that arrives on the one media UDP port (BUNDLE plus
// rtcp-mux): the first byte decides the protocol, and for RTP/RTCP the second byte decides
// which of the two (RFC 5761 §4).
//
//                  +----------------+
//                  |        [0..3] -+--> STUN
//                  |                |
//                  |      [16..19] -+--> ZRTP
//  packet -->      |                |
//                  |      [20..63] -+--> DTLS
//                  |                |
//                  |      [64..79] -+--> TURN Channel
//                  |                |
//                  |    [128..191] -+--> RTP/RTCP
//                  +----------------+
//
// For [128..191], RFC 5761 §4: the second byte is M|PT; if PT (M masked off) is 64..95, i.e.
// the RTCP packet types 192..223 (SR 200, RR 201, SDES, BYE, APP, RTPFB 205, PSFB 206, XR 207),
// it is RTCP, otherwise RTP. RTP payload types 64..95 are therefore never used with rtcp-mux.
//
// Classify looks at two bytes at most; it does not validate. The matching parser does.
// Pure and stateless: callable from any thread.

#include <cstdint>
#include <span>

namespace sfu::wire {

enum class PacketKind : uint8_t {
  kStun,
  kZrtp,
  kDtls,
  kTurnChannel,
  kRtp,
  kRtcp,
  kUnknown,  // empty, a reserved first-byte range, or a 1-byte packet in the RTP range
};

PacketKind Classify(std::span<const uint8_t> packet);

// For logs and metric labels: "stun", "zrtp", "dtls", "turn", "rtp", "rtcp", "unknown".
const char* PacketKindName(PacketKind kind);

}  // namespace sfu::wire

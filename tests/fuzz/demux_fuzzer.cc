// The RFC 7983 classifier sees every datagram first. Classify must never read past the input,
// and must agree with the parsers: anything a parser accepts lands in that parser's range.
#include <cstddef>
#include <cstdint>

#include "transport/wire/demux.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/stun_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sfu::wire::PacketKind;
  const std::span<const uint8_t> in(data, size);
  const PacketKind kind = sfu::wire::Classify(in);
  if (sfu::wire::PacketKindName(kind) == nullptr) __builtin_trap();
  if (size == 0 && kind != PacketKind::kUnknown) __builtin_trap();
  // LooksLikeStun accepts first bytes 0..63 (two zero bits); RFC 7983 gives STUN only 0..3.
  if (sfu::wire::StunMessageView::LooksLikeStun(in) && data[0] <= 3 && kind != PacketKind::kStun) {
    __builtin_trap();
  }
  if (kind == PacketKind::kRtcp) {
    const uint8_t pt = data[1] & 0x7F;
    if (pt < 64 || pt > 95) __builtin_trap();
  }
  // Both RTP and RTCP are version 2, so a successful parse means the 128..191 range.
  const bool media = kind == PacketKind::kRtp || kind == PacketKind::kRtcp;
  if (sfu::wire::RtpPacketView::Parse(in) && !media) __builtin_trap();
  sfu::wire::rtcp::CommonHeader header;
  if (header.Parse(in) && kind != PacketKind::kRtcp && kind != PacketKind::kRtp) __builtin_trap();
  if (header.Parse(in) && (data[1] >= 192 && data[1] <= 223) && kind != PacketKind::kRtcp)
    __builtin_trap();
  return 0;
}

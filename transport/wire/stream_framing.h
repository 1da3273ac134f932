#pragma once
// Message boundaries in a TCP or TLS byte stream, decided from the bytes buffered so far.
//
// Two framings:
//   - RFC 4571 (ICE-TCP, RFC 6544 §3): every packet (STUN, DTLS, RTP, RTCP) is preceded by its
//     length, 16 bits big-endian.
//
//       0                   1                   2                   3
//       0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//      |             LENGTH            |  packet ...                   |
//      +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   - TURN over TCP/TLS (RFC 8656 §12.5): no extra header; the messages are self-delimiting. A
//     STUN message (first two bits 00) is 20 bytes plus its Length field; a ChannelData message
//     (first byte 0x40-0x4F, turn_message.h) is 4 bytes plus its Length rounded up to a
//     multiple of 4, since over a stream ChannelData is always padded.
//
// The caller keeps the bytes it has read, asks for the next decision, consumes header + size
// bytes on kFrame and asks again; kNeedMore means read more; kInvalid means the stream cannot be
// resynchronised (close the connection). Pure and stateless: callable from any thread.

#include <cstddef>
#include <cstdint>
#include <span>

namespace sfu::wire {

struct FrameDecision {
  enum Kind { kNeedMore, kFrame, kInvalid } kind;
  // With kFrame: the frame is buffered[header, header + size). With kNeedMore, once the length
  // is known (2 bytes for RFC 4571, 4 for TURN), header and size already describe the frame so
  // the caller can size its reads; before that both are 0. With kInvalid both are 0.
  size_t header = 0;
  size_t size = 0;
};

// RFC 4571: kFrame with header = 2, size = LENGTH (the packet is buffered[2, 2 + LENGTH)).
// kInvalid when LENGTH is 0 or larger than max_frame.
FrameDecision NextRfc4571Frame(std::span<const uint8_t> buffered, size_t max_frame);

// TURN over TCP/TLS. kFrame with header = 0 and size = the whole message including padding:
//   - STUN (first two bits 00): size = 20 + Length, which must be a multiple of 4; once 8 bytes
//     are buffered the magic cookie must be there;
//   - ChannelData (first byte 0x40-0x4F): size = 4 + Length rounded up to a multiple of 4;
//   - any other first byte is kInvalid, and so is a size above max_frame.
// The message itself is not validated: StunMessageView::Parse / ChannelDataView::Parse do that.
FrameDecision NextTurnStreamFrame(std::span<const uint8_t> buffered, size_t max_frame);

// Writes the RFC 4571 length of a payload_len-byte packet. Returns 2, or 0 (nothing written) if
// payload_len > 65535. NextRfc4571Frame refuses LENGTH 0, so do not frame empty packets.
size_t WriteRfc4571Header(uint8_t out[2], size_t payload_len);

}  // namespace sfu::wire

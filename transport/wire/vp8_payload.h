#pragma once
// The VP8 RTP payload descriptor (RFC 7741 §4.2) and the start of the VP8 payload header (§4.3):
// enough to find key frames and frame starts, and to rewrite PictureID / TL0PICIDX in place when
// a forwarded stream switches source. Pure; every length is checked.
//
//   X R N S R PID(3) | [I L T K RSV(4)] | [M PictureID(7|15)] | [TL0PICIDX] | [TID Y KEYIDX]
#include <cstdint>
#include <optional>
#include <span>

namespace sfu::wire {

struct Vp8Descriptor {
  bool start_of_partition = false;  // S
  uint8_t partition_id = 0;         // PID
  bool non_reference = false;       // N
  bool has_picture_id = false;
  uint16_t picture_id = 0;  // 7 or 15 bits
  bool picture_id_15bit = false;
  size_t picture_id_offset = 0;  // where the PictureID starts in the payload
  bool has_tl0picidx = false;
  uint8_t tl0picidx = 0;
  size_t tl0picidx_offset = 0;
  bool has_tid = false;
  uint8_t temporal_id = 0;
  size_t header_size = 0;  // descriptor bytes; the VP8 payload follows
  bool key_frame = false;  // first packet of a key frame (S=1, PID=0, P bit clear)
  bool frame_start() const { return start_of_partition && partition_id == 0; }
};

// Parses the descriptor at the start of an RTP payload. nullopt if it is truncated or leaves no
// payload.
std::optional<Vp8Descriptor> ParseVp8Descriptor(std::span<const uint8_t> payload);

// A key frame's dimensions from its VP8 payload header (RFC 6386 §9.1: the 3-byte frame tag with
// P clear, the start code 9d 01 2a, then 14-bit width and height, little-endian, each with 2
// scaling bits). `vp8` is the payload after the descriptor (header_size on). nullopt unless it is
// the first packet of a key frame with a valid start code.
struct Vp8FrameSize {
  uint16_t width = 0;
  uint16_t height = 0;
};
std::optional<Vp8FrameSize> ParseVp8KeyFrameSize(std::span<const uint8_t> vp8);

// In-place rewrites at the offsets Parse found (no-ops when the field is absent).
void WriteVp8PictureId(std::span<uint8_t> payload, const Vp8Descriptor& d, uint16_t picture_id);
void WriteVp8Tl0PicIdx(std::span<uint8_t> payload, const Vp8Descriptor& d, uint8_t tl0picidx);

}  // namespace sfu::wire

#include "transport/wire/vp8_payload.h"

namespace sfu::wire {

std::optional<Vp8Descriptor> ParseVp8Descriptor(std::span<const uint8_t> p) {
  if (p.empty()) return std::nullopt;
  Vp8Descriptor d;
  const uint8_t b0 = p[0];
  const bool x = b0 & 0x80;
  d.non_reference = b0 & 0x20;
  d.start_of_partition = b0 & 0x10;
  d.partition_id = b0 & 0x07;
  size_t at = 1;
  if (x) {
    if (at >= p.size()) return std::nullopt;
    const uint8_t b1 = p[at++];
    const bool i = b1 & 0x80, l = b1 & 0x40, t = b1 & 0x20, k = b1 & 0x10;
    if (i) {
      if (at >= p.size()) return std::nullopt;
      d.has_picture_id = true;
      d.picture_id_offset = at;
      if (p[at] & 0x80) {
        if (at + 1 >= p.size()) return std::nullopt;
        d.picture_id_15bit = true;
        d.picture_id = static_cast<uint16_t>(((p[at] & 0x7f) << 8) | p[at + 1]);
        at += 2;
      } else {
        d.picture_id = p[at] & 0x7f;
        at += 1;
      }
    }
    if (l) {
      if (at >= p.size()) return std::nullopt;
      d.has_tl0picidx = true;
      d.tl0picidx_offset = at;
      d.tl0picidx = p[at++];
    }
    if (t || k) {
      if (at >= p.size()) return std::nullopt;
      if (t) {
        d.has_tid = true;
        d.temporal_id = static_cast<uint8_t>(p[at] >> 6);
      }
      ++at;
    }
  }
  if (at >= p.size()) return std::nullopt;  // no VP8 payload
  d.header_size = at;
  // VP8 payload header (RFC 6386 §9.1): in the first partition's first packet, bit 0 of the first
  // byte is P, the inverse key frame flag.
  d.key_frame = d.frame_start() && (p[at] & 0x01) == 0;
  return d;
}

std::optional<Vp8FrameSize> ParseVp8KeyFrameSize(std::span<const uint8_t> v) {
  if (v.size() < 10 || (v[0] & 0x01) != 0) return std::nullopt;
  if (v[3] != 0x9d || v[4] != 0x01 || v[5] != 0x2a) return std::nullopt;
  Vp8FrameSize s;
  s.width = static_cast<uint16_t>((v[6] | (v[7] << 8)) & 0x3fff);
  s.height = static_cast<uint16_t>((v[8] | (v[9] << 8)) & 0x3fff);
  return s;
}

void WriteVp8PictureId(std::span<uint8_t> p, const Vp8Descriptor& d, uint16_t picture_id) {
  if (!d.has_picture_id || d.picture_id_offset >= p.size()) return;
  if (d.picture_id_15bit) {
    if (d.picture_id_offset + 1 >= p.size()) return;
    p[d.picture_id_offset] = static_cast<uint8_t>(0x80 | ((picture_id >> 8) & 0x7f));
    p[d.picture_id_offset + 1] = static_cast<uint8_t>(picture_id & 0xff);
  } else {
    p[d.picture_id_offset] = static_cast<uint8_t>(picture_id & 0x7f);
  }
}

void WriteVp8Tl0PicIdx(std::span<uint8_t> p, const Vp8Descriptor& d, uint8_t tl0picidx) {
  if (!d.has_tl0picidx || d.tl0picidx_offset >= p.size()) return;
  p[d.tl0picidx_offset] = tl0picidx;
}

}  // namespace sfu::wire

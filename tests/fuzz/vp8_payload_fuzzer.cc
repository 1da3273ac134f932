// VP8 payload descriptors from publishers: never crash; offsets always inside the payload; a
// rewrite of the picture id and TL0PICIDX never changes the parsed shape.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "transport/wire/vp8_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> p(data, data + size);
  if (auto size = sfu::wire::ParseVp8KeyFrameSize(p);
      size && (size->width > 0x3fff || size->height > 0x3fff))
    std::abort();
  auto d = sfu::wire::ParseVp8Descriptor(p);
  if (!d) return 0;
  if (d->header_size >= p.size()) std::abort();
  if (d->has_picture_id && d->picture_id_offset >= d->header_size) std::abort();
  if (d->has_tl0picidx && d->tl0picidx_offset >= d->header_size) std::abort();
  sfu::wire::WriteVp8PictureId(p, *d, 0x1234);
  sfu::wire::WriteVp8Tl0PicIdx(p, *d, 0x56);
  auto again = sfu::wire::ParseVp8Descriptor(p);
  if (!again || again->header_size != d->header_size || again->key_frame != d->key_frame)
    std::abort();
  if (again->has_picture_id && again->picture_id != (d->picture_id_15bit ? 0x1234 : 0x34))
    std::abort();
  return 0;
}

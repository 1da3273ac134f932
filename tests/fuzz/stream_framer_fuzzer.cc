// Bytes from a TCP/TLS peer (ICE-TCP's RFC 4571 framing, TURN over TCP). The first two input
// bytes pick a frame limit (small ones included, so kInvalid for "too big" is reached) and a
// chunking pattern; the rest is the stream. For each framer the stream is cut into frames
// twice: with everything buffered at once, and fed in chunks as a socket would deliver it,
// consuming each frame. Both must find the same frames and end the same way, and every
// decision must be consistent: a frame lies inside the buffered bytes and within the limit,
// and a kNeedMore that names a size names one not yet buffered.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

#include "transport/wire/stream_framing.h"

namespace {

using sfu::wire::FrameDecision;
using Framer = FrameDecision (*)(std::span<const uint8_t>, size_t);

struct Frame {
  size_t offset, header, size;
  bool operator==(const Frame&) const = default;
};

struct Result {
  std::vector<Frame> frames;
  bool invalid = false;
};

void CheckDecision(const FrameDecision& d, std::span<const uint8_t> buffered, size_t max_frame,
                   bool rfc4571) {
  switch (d.kind) {
    case FrameDecision::kFrame:
      if (d.header + d.size > buffered.size() || d.size == 0 || d.size > max_frame)
        __builtin_trap();
      if (rfc4571 ? d.header != 2 : (d.header != 0 || d.size % 4 != 0)) __builtin_trap();
      break;
    case FrameDecision::kNeedMore:
      if (d.size != 0 && d.header + d.size <= buffered.size()) __builtin_trap();
      break;
    case FrameDecision::kInvalid:
      if (d.header != 0 || d.size != 0) __builtin_trap();
      break;
  }
}

// Consumes every complete frame at the start of buffered (from stream offset base).
size_t Drain(Framer next, std::span<const uint8_t> buffered, size_t base, size_t max_frame,
             bool rfc4571, Result& out) {
  size_t used = 0;
  while (!out.invalid) {
    const auto rest = buffered.subspan(used);
    const FrameDecision d = next(rest, max_frame);
    CheckDecision(d, rest, max_frame, rfc4571);
    if (d.kind == FrameDecision::kInvalid) out.invalid = true;
    if (d.kind != FrameDecision::kFrame) break;
    out.frames.push_back({base + used, d.header, d.size});
    used += d.header + d.size;
  }
  return used;
}

void Run(Framer next, bool rfc4571, std::span<const uint8_t> stream, size_t max_frame,
         uint8_t pattern) {
  Result whole;
  Drain(next, stream, 0, max_frame, rfc4571, whole);

  Result chunked;
  std::vector<uint8_t> buffered;
  size_t consumed = 0;  // stream offset of buffered[0]
  size_t fed = 0;
  for (size_t i = 0; fed < stream.size() && !chunked.invalid; ++i) {
    // Chunk sizes cycle through 1..8 bytes, shifted by the pattern byte.
    const size_t n = std::min<size_t>(1 + ((pattern + i * 3) & 7), stream.size() - fed);
    buffered.insert(buffered.end(), stream.begin() + fed, stream.begin() + fed + n);
    fed += n;
    const size_t used = Drain(next, buffered, consumed, max_frame, rfc4571, chunked);
    buffered.erase(buffered.begin(), buffered.begin() + static_cast<ptrdiff_t>(used));
    consumed += used;
  }
  if (chunked.frames != whole.frames || chunked.invalid != whole.invalid) __builtin_trap();
}

constexpr size_t kLimits[] = {1, 2, 3, 4, 8, 20, 24, 64, 1500, 65535, 65536 + 20};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max_frame = kLimits[data[0] % std::size(kLimits)];
  const uint8_t pattern = data[1];
  const std::span<const uint8_t> stream(data + 2, size - 2);
  Run(&sfu::wire::NextRfc4571Frame, true, stream, max_frame, pattern);
  Run(&sfu::wire::NextTurnStreamFrame, false, stream, max_frame, pattern);
  uint8_t header[2];
  if (sfu::wire::WriteRfc4571Header(header, stream.size()) != (stream.size() <= 65535 ? 2u : 0u))
    __builtin_trap();
  return 0;
}

// RFC 2198 RED payloads from senders: never crash, blocks always inside the input, and a parsed
// payload re-serialises to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "transport/wire/red_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  auto red = sfu::wire::ParseRedPayload(in);
  if (!red) return 0;
  if (red->count == 0) std::abort();
  for (size_t i = 0; i < red->count; ++i) {
    const auto& d = red->blocks[i].data;
    if (!d.empty() && (d.data() < data || d.data() + d.size() > data + size)) std::abort();
  }
  std::vector<uint8_t> out(size + 16);
  const size_t n = sfu::wire::WriteRedPayload(std::span(red->blocks, red->count), out);
  if (n != size) std::abort();
  for (size_t i = 0; i < n; ++i)
    if (out[i] != data[i]) std::abort();
  return 0;
}

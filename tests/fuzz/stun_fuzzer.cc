// STUN from the media port (anyone can send it). Parse, read every attribute accessor, check
// integrity and fingerprint; a message we re-serialise attribute by attribute must parse again.
#include <cstddef>
#include <cstdint>

#include "transport/wire/stun_message.h"

namespace {
bool FakeHmac(std::span<const uint8_t>, std::span<const std::span<const uint8_t>> parts,
              uint8_t out[20]) {
  uint8_t acc = 0;
  for (auto p : parts)
    for (uint8_t b : p) acc = static_cast<uint8_t>(acc * 31 + b);
  for (int i = 0; i < 20; ++i) out[i] = static_cast<uint8_t>(acc + i);
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  auto m = sfu::wire::StunMessageView::Parse(in);
  if (!m) return 0;
  (void)m->Username();
  (void)m->Priority();
  (void)m->IceControlling();
  (void)m->IceControlled();
  (void)m->XorMappedAddress();
  (void)m->ErrorCode();
  (void)m->CheckFingerprint();
  const uint8_t key[4] = {1, 2, 3, 4};
  (void)m->CheckMessageIntegrity(key, &FakeHmac);
  uint8_t out[2048];
  sfu::wire::StunWriter w(out, m->type(), m->transaction_id());
  if (auto u = m->Username()) w.AddString(sfu::wire::kStunAttrUsername, *u);
  if (auto a = m->XorMappedAddress()) w.AddXorMappedAddress(*a);
  w.AddMessageIntegrity(key, &FakeHmac);
  w.AddFingerprint();
  auto again = sfu::wire::StunMessageView::Parse(std::span<const uint8_t>(out, w.size()));
  if (!again || !again->CheckFingerprint() || !again->CheckMessageIntegrity(key, &FakeHmac))
    __builtin_trap();
  if (m->XorMappedAddress() && again->XorMappedAddress() != m->XorMappedAddress()) __builtin_trap();
  return 0;
}

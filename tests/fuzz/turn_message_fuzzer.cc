// TURN from a client (anyone who can reach the TURN port). The input is read three ways:
//   1. as a STUN message: every TURN attribute accessor; the method/class split must round
//      trip; the addresses and integers re-serialised must read back the same;
//   2. as a ChannelData message: a parsed one must lie inside the input and re-write to the
//      same bytes;
//   3. as a TURN TCP stream cut into chunks: every frame must lie inside the buffered bytes,
//      and a ChannelData frame must parse.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "transport/wire/stream_framing.h"
#include "transport/wire/stun_message.h"
#include "transport/wire/turn_message.h"

namespace {

using namespace sfu::wire;

constexpr uint16_t kAddressAttrs[] = {kStunAttrXorMappedAddress, kStunAttrXorPeerAddress,
                                      kStunAttrXorRelayedAddress};
constexpr uint16_t kUint32Attrs[] = {kStunAttrLifetime, kStunAttrChannelNumber,
                                     kStunAttrRequestedTransport, kStunAttrRequestedAddressFamily,
                                     kStunAttrPriority};
constexpr uint16_t kOtherAttrs[] = {kStunAttrData, kStunAttrEvenPort, kStunAttrDontFragment,
                                    kStunAttrReservationToken, kStunAttrAdditionalAddressFamily};

void AsStun(std::span<const uint8_t> in) {
  auto m = StunMessageView::Parse(in);
  if (!m) return;
  const uint16_t type = m->type();
  if (StunType(StunMethodOf(type), StunClassOf(type)) != (type & 0x3FFF)) __builtin_trap();
  (void)m->Username();
  (void)m->Realm();
  (void)m->Nonce();
  (void)m->ErrorCode();
  for (uint16_t t : kOtherAttrs) (void)m->Attribute(t);

  uint8_t out[2048];
  StunWriter w(out, type, m->transaction_id());
  for (uint16_t t : kAddressAttrs)
    if (auto a = m->XorAddress(t)) w.AddXorAddress(t, *a);
  for (uint16_t t : kUint32Attrs)
    if (auto v = m->Uint32(t)) w.AddUint32(t, *v);
  if (auto realm = m->Realm()) w.AddString(kStunAttrRealm, *realm);
  auto again = StunMessageView::Parse(std::span<const uint8_t>(out, w.size()));
  if (!again) __builtin_trap();
  for (uint16_t t : kAddressAttrs)
    if (again->XorAddress(t) != m->XorAddress(t)) __builtin_trap();
  for (uint16_t t : kUint32Attrs)
    if (again->Uint32(t) != m->Uint32(t)) __builtin_trap();
  if (again->Realm() != m->Realm()) __builtin_trap();
}

void AsChannelData(std::span<const uint8_t> in) {
  const auto v = ChannelDataView::Parse(in);
  if (!v) return;
  if (!IsChannelData(in) || !IsValidTurnChannel(v->channel)) __builtin_trap();
  if (v->payload.data() != in.data() + kChannelDataHeaderSize) __builtin_trap();
  const size_t end = kChannelDataHeaderSize + v->payload.size();
  if (end > in.size() || in.size() - end > 3) __builtin_trap();
  std::vector<uint8_t> out(end + 3);
  if (WriteChannelData(out, v->channel, v->payload, false) != end) __builtin_trap();
  if (std::memcmp(out.data(), in.data(), end) != 0) __builtin_trap();
  const size_t padded = WriteChannelData(out, v->channel, v->payload, true);
  if (padded % 4 != 0 || padded < end || padded > end + 3) __builtin_trap();
  const auto again = ChannelDataView::Parse(std::span<const uint8_t>(out.data(), padded));
  if (!again || again->channel != v->channel || again->payload.size() != v->payload.size())
    __builtin_trap();
}

void AsTurnStream(std::span<const uint8_t> in) {
  if (in.empty()) return;
  // The first byte picks the chunk size (1-16 bytes) and a small or a large frame limit.
  const size_t chunk = 1 + (in[0] & 0x0F);
  const size_t max_frame = (in[0] & 0x10) ? 64 : 65536 + 20;
  in = in.subspan(1);
  std::vector<uint8_t> buffered;
  size_t fed = 0;
  while (fed < in.size()) {
    const size_t n = std::min(chunk, in.size() - fed);
    buffered.insert(buffered.end(), in.begin() + fed, in.begin() + fed + n);
    fed += n;
    for (;;) {
      const FrameDecision d = NextTurnStreamFrame(buffered, max_frame);
      if (d.kind == FrameDecision::kInvalid) return;
      if (d.kind == FrameDecision::kNeedMore) {
        if (d.size != 0 && d.header + d.size <= buffered.size()) __builtin_trap();
        break;
      }
      if (d.header != 0 || d.size == 0 || d.size > buffered.size() || d.size > max_frame ||
          d.size % 4 != 0)
        __builtin_trap();
      const std::span<const uint8_t> frame(buffered.data(), d.size);
      if (IsChannelData(frame) && !ChannelDataView::Parse(frame)) __builtin_trap();
      (void)StunMessageView::Parse(frame);
      buffered.erase(buffered.begin(), buffered.begin() + static_cast<ptrdiff_t>(d.size));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  AsStun(in);
  AsChannelData(in);
  AsTurnStream(in);
  return 0;
}

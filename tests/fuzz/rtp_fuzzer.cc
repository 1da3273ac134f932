// RTP from the media port (after SRTP unprotect, but a peer controls every byte). Parse, read
// every accessor and extension, then check two round trips: the header re-written by
// RtpHeaderWriter parses back to the same fields, CSRCs, extensions and payload; and the
// in-place mutators change only the fields they name.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "transport/wire/rtp_packet.h"

namespace {

using sfu::wire::RtpExtension;
using sfu::wire::RtpHeaderWriter;
using sfu::wire::RtpPacketView;

bool SameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

void CheckWriterRoundTrip(const RtpPacketView& p) {
  RtpHeaderWriter w;
  w.SetMarker(p.marker());
  w.SetPayloadType(p.payload_type());
  w.SetSequenceNumber(p.sequence_number());
  w.SetTimestamp(p.timestamp());
  w.SetSsrc(p.ssrc());
  for (size_t i = 0; i < p.csrc_count(); ++i) {
    if (!w.AddCsrc(p.csrc(i))) __builtin_trap();
  }
  // Only the first element of each ID is what Extension(id) reports; AddExtension refuses
  // repeats, so later duplicates drop out on both sides.
  std::vector<RtpExtension> written;
  auto it = p.extensions();
  while (auto e = it.Next()) {
    if (p.Extension(e->id)->data() != e->data.data()) continue;  // a repeated ID
    if (!w.AddExtension(e->id, e->data)) return;                 // more than the writer holds
    written.push_back(*e);
  }
  std::vector<uint8_t> out(w.HeaderSize() + p.payload_size());
  const size_t n = w.WriteTo(out);
  if (n != w.HeaderSize()) __builtin_trap();
  if (p.payload_size() > 0) std::memcpy(out.data() + n, p.payload().data(), p.payload_size());
  auto q = RtpPacketView::Parse(out);
  if (!q) __builtin_trap();
  if (q->marker() != p.marker() || q->payload_type() != p.payload_type() ||
      q->sequence_number() != p.sequence_number() || q->timestamp() != p.timestamp() ||
      q->ssrc() != p.ssrc() || q->csrc_count() != p.csrc_count() ||
      !SameBytes(q->csrc_bytes(), p.csrc_bytes()) || !SameBytes(q->payload(), p.payload()) ||
      q->padding_size() != 0 || q->header_size() % 4 != 0) {
    __builtin_trap();
  }
  for (const RtpExtension& e : written) {
    auto got = q->Extension(e.id);
    if (!got || !SameBytes(*got, e.data)) __builtin_trap();
  }
  size_t count = 0;
  auto again = q->extensions();
  while (again.Next()) ++count;
  if (count != written.size()) __builtin_trap();
}

void CheckMutators(const RtpPacketView& p) {
  std::vector<uint8_t> copy(p.data().begin(), p.data().end());
  const uint32_t ssrc = ~p.ssrc();
  const uint16_t seq = static_cast<uint16_t>(p.sequence_number() + 1);
  const uint32_t ts = p.timestamp() ^ 0x55AA55AAu;
  const uint8_t pt = static_cast<uint8_t>((p.payload_type() + 1) & 0x7F);
  if (!sfu::wire::SetSsrc(copy, ssrc) || !sfu::wire::SetSequenceNumber(copy, seq) ||
      !sfu::wire::SetTimestamp(copy, ts) || !sfu::wire::SetPayloadType(copy, pt)) {
    __builtin_trap();
  }
  auto q = RtpPacketView::Parse(copy);
  if (!q || q->ssrc() != ssrc || q->sequence_number() != seq || q->timestamp() != ts ||
      q->payload_type() != pt || q->marker() != p.marker() ||
      !SameBytes(q->payload(), p.payload()) || q->header_size() != p.header_size()) {
    __builtin_trap();
  }
  auto first = p.extensions().Next();
  if (first) {
    auto m = sfu::wire::MutableExtension(copy, first->id);
    if (!m || m->size() != first->data.size()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  auto p = RtpPacketView::Parse(in);
  if (!p) return 0;
  if (p->header_size() + p->payload_size() + p->padding_size() != size) __builtin_trap();
  if (p->has_padding() != (p->padding_size() > 0)) __builtin_trap();
  (void)p->extension_profile();
  (void)p->extension_block();
  for (unsigned id = 0; id < 256; id += 17) (void)p->Extension(static_cast<uint8_t>(id));
  CheckWriterRoundTrip(*p);
  CheckMutators(*p);
  return 0;
}

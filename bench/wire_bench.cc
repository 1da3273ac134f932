// Wire parsing cost per packet: RFC 7983 classification, RTP header parse with extensions and an
// extension lookup, in-place SSRC/sequence rewrite, and an RTCP compound walk.
#include <cstring>
#include <vector>

#include "bench/bench_util.h"
#include "transport/wire/demux.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtp_packet.h"

using namespace sfu;

int main() {
  // A Chrome-like video packet: one-byte extensions (abs-send-time 2, transport-cc 3, mid 4).
  std::vector<uint8_t> rtp(1200, 0x5a);
  wire::RtpHeaderWriter w;
  w.SetPayloadType(96);
  w.SetSequenceNumber(1000);
  w.SetTimestamp(90000);
  w.SetSsrc(0x11223344);
  const uint8_t abs[3] = {1, 2, 3}, twcc[2] = {0, 7}, mid[1] = {'1'};
  w.AddExtension(2, abs);
  w.AddExtension(3, twcc);
  w.AddExtension(4, mid);
  w.WriteTo(rtp);
  // RR + PLI + NACK compound.
  std::vector<uint8_t> rtcp = {0x81, 201, 0,    7,   0, 0, 0, 1, 0, 0, 0, 2, 0,  0, 0,
                               0,    0,   0,    0,   0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0,
                               0,    0,   0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0,  2, 0x81,
                               205,  0,   3,    0,   0, 0, 1, 0, 0, 0, 2, 0, 10, 0, 5};
  volatile uint64_t sink = 0;
  bench::Measure("Classify (RFC 7983)", 5'000'000, 5,
                 [&](int64_t) { sink = sink + static_cast<int>(wire::Classify(rtp)); });
  bench::Measure("RtpPacketView::Parse, 3 extensions", 5'000'000, 5, [&](int64_t) {
    auto p = wire::RtpPacketView::Parse(rtp);
    sink = sink + p->sequence_number();
  });
  bench::Measure("Parse + Extension(3) lookup", 5'000'000, 5, [&](int64_t) {
    auto p = wire::RtpPacketView::Parse(rtp);
    sink = sink + p->Extension(3)->size();
  });
  bench::Measure("SetSsrc + SetSequenceNumber in place", 5'000'000, 5, [&](int64_t i) {
    wire::SetSsrc(rtp, static_cast<uint32_t>(i));
    wire::SetSequenceNumber(rtp, static_cast<uint16_t>(i));
  });
  bench::Measure("RTCP compound walk (RR+PLI+NACK)", 5'000'000, 5, [&](int64_t) {
    wire::rtcp::CompoundIterator it(rtcp);
    while (auto h = it.Next()) sink = sink + h->type();
  });
  return 0;
}

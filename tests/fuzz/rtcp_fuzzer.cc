// RTCP from the media port (compound packets after SRTCP unprotect; a peer controls every
// byte). Walk the compound, offer every block to every parser (each must refuse what is not
// its own), and for each block a parser accepts check parse -> Create -> parse equality.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "transport/wire/rtcp/bye.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/fir.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/remb.h"
#include "transport/wire/rtcp/sdes.h"
#include "transport/wire/rtcp/sender_report.h"
#include "transport/wire/rtcp/transport_feedback.h"

namespace sfu::wire::rtcp {
namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// Create into an exactly-sized buffer and parse the result back as one block of type T.
template <typename T>
T Reparse(const T& t, std::vector<uint8_t>& storage) {
  storage.assign(t.BlockLength(), 0xEE);
  Check(t.Create(storage) == storage.size());
  CommonHeader h;
  Check(h.Parse(storage) && h.block_size() == storage.size());
  T again;
  Check(again.Parse(h));
  return again;
}

void CheckReportBlocks(std::span<const ReportBlock> a, std::span<const ReportBlock> b) {
  Check(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}

void RoundTrip(const SenderReport& p) {
  std::vector<uint8_t> buf;
  const SenderReport q = Reparse(p, buf);
  Check(q.sender_ssrc() == p.sender_ssrc() && q.ntp() == p.ntp() &&
        q.rtp_timestamp() == p.rtp_timestamp() && q.packet_count() == p.packet_count() &&
        q.octet_count() == p.octet_count());
  CheckReportBlocks(q.report_blocks(), p.report_blocks());
}

void RoundTrip(const ReceiverReport& p) {
  std::vector<uint8_t> buf;
  const ReceiverReport q = Reparse(p, buf);
  Check(q.sender_ssrc() == p.sender_ssrc());
  CheckReportBlocks(q.report_blocks(), p.report_blocks());
}

void RoundTrip(const Sdes& p) {
  std::vector<uint8_t> buf;
  const Sdes q = Reparse(p, buf);
  Check(q.chunks().size() == p.chunks().size());
  for (size_t i = 0; i < q.chunks().size(); ++i) {
    Check(q.chunks()[i].ssrc == p.chunks()[i].ssrc && q.chunks()[i].cname == p.chunks()[i].cname);
  }
}

void RoundTrip(const Bye& p) {
  std::vector<uint8_t> buf;
  const Bye q = Reparse(p, buf);
  Check(std::ranges::equal(q.ssrcs(), p.ssrcs()) && q.reason() == p.reason());
}

std::vector<uint16_t> SortedUnique(std::vector<uint16_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

void RoundTrip(const Nack& p) {
  std::vector<uint8_t> buf;
  const Nack q = Reparse(p, buf);
  Check(q.sender_ssrc() == p.sender_ssrc() && q.media_ssrc() == p.media_ssrc());
  Check(q.item_count() == p.item_count());
  for (size_t i = 0; i < q.item_count(); ++i) Check(q.item(i) == p.item(i));
  // Re-packing the expanded list reports the same set of lost packets.
  const std::vector<uint16_t> lost = p.LostPackets();
  Nack packed;
  packed.SetLostPackets(lost);
  Check(packed.item_count() <= p.item_count());  // each parsed item starts at most one new one
  std::vector<uint8_t> buf2;
  const Nack r = Reparse(packed, buf2);
  Check(SortedUnique(r.LostPackets()) == SortedUnique(lost));
}

void RoundTrip(const Pli& p) {
  std::vector<uint8_t> buf;
  const Pli q = Reparse(p, buf);
  Check(q.sender_ssrc() == p.sender_ssrc() && q.media_ssrc() == p.media_ssrc());
}

void RoundTrip(const Fir& p) {
  std::vector<uint8_t> buf;
  const Fir q = Reparse(p, buf);
  Check(q.sender_ssrc() == p.sender_ssrc() && q.request_count() == p.request_count());
  for (size_t i = 0; i < q.request_count(); ++i) Check(q.request(i) == p.request(i));
}

void RoundTrip(const Remb& p) {
  std::vector<uint8_t> buf;
  const Remb q = Reparse(p, buf);
  // A parsed bitrate is mantissa << exp, which re-encodes exactly.
  Check(q.bitrate_bps() == p.bitrate_bps() && std::ranges::equal(q.ssrcs(), p.ssrcs()) &&
        q.sender_ssrc() == p.sender_ssrc() && q.media_ssrc() == p.media_ssrc());
}

void RoundTrip(const TransportFeedback& p) {
  const std::vector<TransportFeedback::PacketResult> packets = p.GetPackets();
  Check(packets.size() == p.packet_status_count());
  // Create from the parsed view (copies the chunk bytes).
  std::vector<uint8_t> buf;
  const TransportFeedback q = Reparse(p, buf);
  Check(q.GetPackets() == packets && q.reference_time() == p.reference_time() &&
        q.feedback_packet_count() == p.feedback_packet_count() &&
        q.base_sequence() == p.base_sequence());
  // Re-encode from the list (our own chunk encoder).
  TransportFeedback built;
  Check(built.Build(p.base_sequence(), p.reference_time(), p.feedback_packet_count(), packets));
  std::vector<uint8_t> buf2;
  const TransportFeedback r = Reparse(built, buf2);
  Check(r.GetPackets() == packets && r.reference_time() == p.reference_time());
  Check(buf2.size() <= buf.size() + 4 * ((packets.size() + 6) / 7));  // never much worse
}

template <typename T>
void TryAs(const CommonHeader& h) {
  T t;
  if (t.Parse(h)) RoundTrip(t);
}

void FuzzCompound(const uint8_t* data, size_t size) {
  CompoundIterator it(std::span<const uint8_t>(data, size));
  size_t consumed = 0;
  while (auto h = it.Next()) {
    Check(h->block_size() >= kHeaderSize && h->block_size() % 4 == 0);
    Check(h->block().data() == data + consumed);
    consumed += h->block_size();
    TryAs<SenderReport>(*h);
    TryAs<ReceiverReport>(*h);
    TryAs<Sdes>(*h);
    TryAs<Bye>(*h);
    TryAs<Nack>(*h);
    TryAs<Pli>(*h);
    TryAs<Fir>(*h);
    TryAs<Remb>(*h);
    TryAs<TransportFeedback>(*h);
  }
  Check(consumed <= size && (it.error() || consumed == size));
}

}  // namespace
}  // namespace sfu::wire::rtcp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sfu::wire::rtcp::FuzzCompound(data, size);
  return 0;
}

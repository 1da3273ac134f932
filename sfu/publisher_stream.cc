#include "sfu/publisher_stream.h"

#include "transport/wire/rtp_packet.h"
#include "transport/wire/seq_num.h"

namespace sfu {

void PublisherStream::OnPacket(const wire::RtpPacketView& pkt, int64_t now_ms) {
  const uint16_t seq = pkt.sequence_number();
  last_packet_ms_ = now_ms;
  if (!have_seq_ || wire::SeqNewer(seq, highest_seq_)) highest_seq_ = seq;
  have_seq_ = true;
  nacks_.OnPacket(seq, now_ms);
  window_bytes_ += pkt.size();
  rate_bytes_ += pkt.size();
  history_.Store(seq, pkt.data());
}

bool PublisherStream::TakeKeyframeRequest(int64_t now_ms) {
  if (ssrc() == 0 || now_ms - last_pli_ms_ < kKeyframeRequestIntervalMs) return false;
  last_pli_ms_ = now_ms;
  return true;
}

}  // namespace sfu

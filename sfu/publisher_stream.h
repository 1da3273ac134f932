#pragma once
// One published video encoding as the SFU receives it: a camera without simulcast, or one
// simulcast layer (RID). Its SSRCs (announced in the offer, else learned by VideoPublisher), its
// receive state (newest sequence number, when the last packet came, the rate), the last 256
// packets for answering subscribers' NACKs, the gaps to NACK toward the publisher (NackGenerator)
// and the key-frame request throttle (one PLI per 300 ms at most). Pure: time comes in as
// arguments. Owned by its VideoPublisher. Thread: the owning shard only.
#include <cstdint>
#include <span>
#include <vector>

#include "sfu/packet_history.h"
#include "sfu/video_types.h"

namespace sfu::wire {
class RtpPacketView;
}

namespace sfu {

class PublisherStream {
 public:
  static constexpr int64_t kKeyframeRequestIntervalMs = 300;
  static constexpr int64_t kFlowingMs = 1000;  // no packet for this long: not arriving
  static constexpr size_t kHistoryPackets = 256;

  explicit PublisherStream(const VideoLayer& info) : info_(info) {}
  PublisherStream(const PublisherStream&) = delete;
  PublisherStream& operator=(const PublisherStream&) = delete;

  const VideoLayer& info() const { return info_; }
  uint32_t stream_id() const { return info_.stream_id; }
  // The media and RTX SSRCs: announced in the offer, else learned (0: not known yet).
  uint32_t ssrc() const { return info_.ssrc ? info_.ssrc : learned_ssrc_; }
  uint32_t rtx_ssrc() const { return info_.rtx_ssrc ? info_.rtx_ssrc : learned_rtx_ssrc_; }
  uint32_t announced_ssrc(bool rtx) const { return rtx ? info_.rtx_ssrc : info_.ssrc; }
  uint32_t known_ssrc(bool rtx) const { return rtx ? rtx_ssrc() : ssrc(); }
  void Learn(uint32_t ssrc, bool rtx) { (rtx ? learned_rtx_ssrc_ : learned_ssrc_) = ssrc; }
  // A renegotiation kept this layer; the offer's RTX SSRC may have changed.
  void SetAnnouncedRtxSsrc(uint32_t ssrc) { info_.rtx_ssrc = ssrc; }

  // A media packet of this stream arrived (an original, or an RTX packet unwrapped): receive
  // state, gaps to NACK, rate counters, history.
  void OnPacket(const wire::RtpPacketView& pkt, int64_t now_ms);
  // Packets arrived within the last second (the encoder has not turned this layer off).
  bool arriving(int64_t now_ms) const { return now_ms - last_packet_ms_ < kFlowingMs; }
  int64_t last_packet_ms() const { return last_packet_ms_; }
  uint16_t highest_seq() const { return highest_seq_; }
  // The stored packet with this sequence number (for a retransmission), or empty.
  std::span<const uint8_t> Stored(uint16_t seq) const { return history_.Find(seq); }

  // True if a key-frame request may go to the publisher now (then the next waits 300 ms).
  bool TakeKeyframeRequest(int64_t now_ms);
  // The sequence numbers to NACK now (each is asked for twice at most).
  std::vector<uint16_t> DueNacks(int64_t now_ms) { return nacks_.Due(now_ms); }

  // The size its last key frame announced (0 x 0 until one parsed).
  void SetFrameSize(uint16_t width, uint16_t height) {
    pixels_ = static_cast<uint32_t>(width) * height;
  }
  uint32_t pixels() const { return pixels_; }

  // Every second: folds the bytes of the second into the smoothed receive rate.
  void UpdateRate() {
    rate_bps_ = rate_bps_ == 0 ? rate_bytes_ * 8 : (rate_bps_ + rate_bytes_ * 8) / 2;
    rate_bytes_ = 0;
  }
  uint64_t rate_bps() const { return rate_bps_; }  // the allocator's cost of this layer
  // Bytes received since the last call (the BITRATES window).
  uint64_t TakeWindowBytes() {
    const uint64_t b = window_bytes_;
    window_bytes_ = 0;
    return b;
  }

 private:
  VideoLayer info_;
  uint32_t learned_ssrc_ = 0;
  uint32_t learned_rtx_ssrc_ = 0;
  int64_t last_pli_ms_ = -1'000'000;
  PacketHistory history_{kHistoryPackets};
  NackGenerator nacks_;
  uint64_t window_bytes_ = 0;
  uint64_t rate_bytes_ = 0;
  uint64_t rate_bps_ = 0;
  int64_t last_packet_ms_ = -1'000'000;
  uint32_t pixels_ = 0;
  uint16_t highest_seq_ = 0;
  bool have_seq_ = false;
};

}  // namespace sfu

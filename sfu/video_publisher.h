#pragma once
// What one participant publishes (a camera: one PublisherStream, or one per simulcast layer,
// lowest first) and everything that goes back to it: which layer a packet belongs to (by SSRC,
// else learned from the rtp-stream-id / repaired-rtp-stream-id extension, or from the first
// packet of the only layer), RTX unwrapping (RFC 4588), key-frame requests (PLI), NACKs for its
// gaps, receiver reports and REMB; and, for subscribers, which of its layers a section should
// show (the one asked for, capped by the allocation, or the best arriving stand-in).
// Owned by MeetingVideo (one per participant); owns its layers; borrows the peer (which leaves
// MeetingVideo before it is destroyed). Thread: the owning shard only.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sfu/publisher_stream.h"
#include "sfu/video_types.h"
#include "transport/wire/rtp_packet.h"

namespace sfu {

class VideoPeer;

class VideoPublisher {
 public:
  explicit VideoPublisher(VideoPeer& peer) : peer_(peer) {}

  // Replaces the publication; layers that stay (same stream id, SSRC and RID) keep their state.
  void Set(const VideoPublication& publication);
  bool publishing() const { return !layers_.empty(); }
  // False for a layer whose key frames exceed the meeting's MaxResolution (never forwarded).
  bool WithinLimit(const PublisherStream& layer) const {
    return max_pixels_ == 0 || layer.pixels() <= max_pixels_;
  }
  std::span<const std::unique_ptr<PublisherStream>> layers() const { return layers_; }
  // The layer with this stream id and its index (lowest layer first), or null / -1.
  PublisherStream* Find(uint32_t stream_id);
  int IndexOf(uint32_t stream_id) const;

  // The packet's payload type is its RTX format / its VP8 format.
  bool IsRtx(const wire::RtpPacketView& pkt) const {
    return rtx_payload_type_ >= 0 && pkt.payload_type() == rtx_payload_type_;
  }
  bool IsMedia(const wire::RtpPacketView& pkt) const { return pkt.payload_type() == payload_type_; }
  // The layer a media packet (rtx: the layer an RTX packet repairs) belongs to, or null.
  PublisherStream* StreamFor(const wire::RtpPacketView& pkt, bool rtx);

  enum class Rtx { kUnwrapped, kPadding, kUnknown, kInvalid };
  // RFC 4588: rebuilds the original packet of an RTX packet in buf (the layer's SSRC, the media
  // payload type, the original sequence number from the payload's first two bytes, no header
  // extensions) and sets *original to it. kPadding: no payload to unwrap (the publisher probes
  // its uplink); kUnknown: no layer (with a known SSRC) it repairs; kInvalid: does not fit.
  Rtx UnwrapRtx(const wire::RtpPacketView& rtx, std::span<uint8_t> buf,
                std::optional<wire::RtpPacketView>* original);

  // The layer a section asking for stream_id shows: that one capped by the allocation
  // (`allowed`: a layer index, -1: none yet) if it arrives, else the highest arriving layer
  // below, else the lowest arriving above. Null if stream_id is not one of its layers.
  const PublisherStream* Target(uint32_t stream_id, int allowed, int64_t now_ms) const;
  // The allocator's view: each layer's receive rate, lowest first (0: not arriving).
  void LayerRates(int64_t now_ms, std::vector<uint64_t>* out) const;

  // A PLI for this layer unless one went within 300 ms. True if sent.
  bool RequestKeyframe(PublisherStream& layer, int64_t now_ms);
  // NACKs for the gaps now due, one per layer. Returns the number of packets asked for.
  size_t SendNacks(int64_t now_ms);
  // Every second: updates each layer's rate, then a receiver report (the newest sequence
  // number of each layer that arrived in the last 5 s) and a REMB of remb_bps for them.
  void SendReceiverFeedback(int64_t now_ms, uint64_t remb_bps);
  // BITRATES: appends the rate over elapsed_ms of each layer that arrived in the window and
  // starts the next window.
  void TakeBitrates(int64_t elapsed_ms, std::vector<StreamBitrate>* out);

 private:
  VideoPeer& peer_;                                       // borrowed: the publisher
  std::vector<std::unique_ptr<PublisherStream>> layers_;  // owned, lowest layer first
  uint32_t max_pixels_ = 0;
  int payload_type_ = -1;
  int rid_ext_id_ = 0;
  int rtx_payload_type_ = -1;
  int repaired_rid_ext_id_ = 0;
};

}  // namespace sfu

#pragma once
// One subscriber's m-section receiving a remote camera: the forwarder. Its own SSRC, payload
// type and RTX stream (fixed for its life); a StreamRewriter that makes one continuous stream
// out of whatever layer or publisher feeds it (from a key frame on); the layer it forwards
// now (`source`) and the one the subscriber's DownlinkController allows (`allowed`). It builds
// and sends what goes out on the section: rewritten media packets (the VP8 PictureID and
// TL0PICIDX rewritten in place, header extensions dropped), retransmissions answering the
// subscriber's NACKs (from the publisher's history, rewritten as they were; on RTX when
// negotiated, RFC 4588), probe padding on RTX, and its sender reports (RFC 3550 §6.4.1, from
// what it sent). It also turns the subscriber's report blocks about it into packets lost and
// expected. Owned by MeetingVideo (its subscriber's sections); borrows the subscriber (which
// leaves MeetingVideo before it is destroyed). Thread: the owning shard only.
#include <cstdint>
#include <span>

#include "sfu/stream_rewriter.h"
#include "sfu/video_types.h"

namespace sfu::wire {
struct Vp8Descriptor;
}
namespace sfu::wire::rtcp {
struct ReportBlock;
}

namespace sfu {

class PublisherStream;
class VideoPeer;

class SubscriberSection {
 public:
  // first_*: where its media and RTX numbering start (random, chosen by the caller).
  SubscriberSection(VideoPeer& subscriber, uint16_t first_seq, uint32_t first_timestamp,
                    uint16_t first_rtx_seq)
      : subscriber_(subscriber), rewriter_(first_seq, first_timestamp), rtx_seq_(first_rtx_seq) {}
  SubscriberSection(const SubscriberSection&) = delete;
  SubscriberSection& operator=(const SubscriberSection&) = delete;

  const VideoSubscription& sub() const { return sub_; }
  // The same m-section (renegotiations keep a section by MID and SSRC).
  bool Is(const VideoSubscription& s) const { return sub_.mid == s.mid && sub_.ssrc == s.ssrc; }
  // Renegotiation or REMOTE_VIDEO_UPDATE: a new source starts over at its key frame.
  void Update(const VideoSubscription& s);
  bool receives() const { return sub_.payload_type >= 0; }
  bool waiting() const { return rewriter_.waiting(); }
  // The layer forwarded now (sub().stream_id, or a layer standing in): 0 before the first.
  uint32_t source() const { return source_; }
  // What the subscriber's PLI or NACK refers to.
  uint32_t shown() const { return source_ ? source_ : sub_.stream_id; }
  // The allocator's layer index for this section; -1: not allocated yet.
  int allowed() const { return allowed_; }
  void set_allowed(int layer) { allowed_ = layer; }
  // Forward `stream_id` from its next key frame on.
  void SwitchTo(uint32_t stream_id) {
    rewriter_.Switch();
    source_ = stream_id;
  }
  // RESUME: the same source continues (numbering too) from a fresh key frame.
  void Restart() { rewriter_.Switch(); }
  bool has_rtx() const { return sub_.rtx_ssrc != 0 && sub_.rtx_payload_type >= 0; }
  // Probe padding needs RTX and a started stream; a sender report needs media sent.
  bool can_pad() const { return has_rtx() && source_ != 0; }
  bool has_sent() const { return last_ts_ms_ >= 0; }

  enum class Result { kSent, kNotSent, kDropped, kWaitingKeyframe };
  // A packet of its source (in: its fields; payload, marker, vp8: the rest of what is
  // forwarded): rewritten and sent. kWaitingKeyframe: dropped, the section waits for a key
  // frame; kDropped: older than the current start; kNotSent: the send failed. *bytes: what was
  // sent.
  Result Forward(const StreamRewriter::In& in, std::span<const uint8_t> payload, bool marker,
                 const wire::Vp8Descriptor& vp8, size_t* bytes);
  // The subscriber lost out_seq: the original from `from`'s history, rewritten as it was
  // forwarded, sent again. Bytes sent; 0 if it is gone or predates the current source.
  size_t Retransmit(uint16_t out_seq, const PublisherStream& from);
  // One RTX padding-only packet of `size` bytes (RFC 3550 padding). Bytes sent, 0 if not.
  size_t SendPadding(size_t size);
  // A sender report (ntp: now as NTP time) if it has sent media.
  void SendSenderReport(uint64_t ntp, int64_t now_ms);
  // A report block about this section: adds the packets lost and expected since the last one.
  void OnReportBlock(const wire::rtcp::ReportBlock& block, uint64_t* lost, uint64_t* expected);

 private:
  size_t Send(std::span<const uint8_t> payload, bool marker, const StreamRewriter::Out& out,
              const wire::Vp8Descriptor& vp8, bool rtx);

  VideoPeer& subscriber_;  // borrowed
  VideoSubscription sub_;
  StreamRewriter rewriter_;
  uint32_t source_ = 0;
  int allowed_ = -1;
  uint16_t rtx_seq_;
  // For sender reports.
  uint32_t packets_ = 0, octets_ = 0;
  uint32_t last_ts_ = 0;
  int64_t last_ts_ms_ = -1;
  // The previous report block (the receiver's loss between two reports).
  bool have_rr_ = false;
  uint32_t rr_highest_ = 0;
  int32_t rr_lost_ = 0;
};

}  // namespace sfu

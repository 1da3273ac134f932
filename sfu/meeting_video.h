#pragma once
// A meeting's video forwarding on its shard (the SFU, docs/DESIGN.md, "Video SFU"): publishers' camera packets
// are forwarded to every subscriber section that asked for that stream, each section with its
// own fixed SSRC, payload type, and rewritten sequence numbers, timestamps and VP8 PictureID /
// TL0PICIDX (StreamRewriter) so the subscriber sees one continuous stream from its first key
// frame on (a section that switches source waits for the new source's key frame). Subscribers' PLI/FIR become one PLI to the publisher
// (at most one per 300 ms per layer); a new subscription asks for a key frame at once. Loss is repaired
// both ways: gaps in a publisher's stream are NACKed to it (twice at most), and subscribers'
// NACKs are answered from the publisher's last 256 packets, rewritten for their section.
// Header extensions are not forwarded (the subscriber's MID and ids differ from the publisher's).
// A publisher's RTX (RFC 4588, when negotiated) is unwrapped into the original packet; its
// padding (the publisher probing its uplink) is dropped.
// A simulcast publisher's layers (RIDs) are separate streams; their SSRCs are learned from the
// rtp-stream-id header extension. Subscribers pick a layer by stream id (SUBSCRIBE or
// REMOTE_VIDEO_UPDATE); a switch waits for the new layer's key frame. A layer that is not
// arriving (the publisher's encoder turned it off, e.g. for lack of bandwidth) is replaced by the
// best layer of the same camera that is, until it comes back.
// Bandwidth: each subscriber has a DownlinkEstimator (its receiver reports' loss, its REMB) and
// a LayerAllocator picks, per section, the highest layer at or below the one it asked for that
// fits the estimate. A section switches layers at the new layer's key frame and keeps showing
// the old one until then. When the estimate holds a subscriber below what it asked for, a probe
// pads its RTX stream for two seconds up to the next upgrade's rate or twice what it gets, at
// most what it asked for (without RTX the upgrade itself is the probe); its loss and REMB
// decide. Retransmissions go on RTX when negotiated.
// Every second, each section gets an RTCP sender report.
// Created with the first participant that publishes or subscribes, finished when none is left.
// Thread: the owning shard only.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/downlink_estimator.h"
#include "sfu/packet_history.h"
#include "sfu/shard_session.h"
#include "sfu/stream_rewriter.h"
#include "sfu/video_types.h"

namespace sfu::wire::rtcp {
struct ReportBlock;
}

namespace sfu {

class Shard;
class ParticipantMedia;

class MeetingVideo final : public ShardSession {
 public:
  static MeetingVideo& For(Shard& shard, const std::string& meeting_id);

  MeetingVideo(Shard& shard, std::string meeting_id);
  ~MeetingVideo() override;
  // Every tick: NACKs due toward publishers, probe padding; every 500 ms: each subscriber's
  // layer allocation; every second: receiver reports and a REMB to each publisher (a fixed
  // ceiling, enough for Chrome to ramp up and turn its higher simulcast layers on; uplink
  // estimation is not done) and a sender report per subscriber section; every 2 s: BITRATES.
  void OnTick(int64_t now_ms) override;
  bool finished() const override { return ever_used_ && members_.empty(); }

  // Replaces what p publishes and receives.
  void Set(ParticipantMedia* p, const VideoPlanForMedia& plan);
  void Remove(ParticipantMedia* p);
  // The subscriber paused (or resumed) these streams: nothing is forwarded to it while paused; a
  // resumed section restarts at a key frame (asked for at once).
  void SetPaused(ParticipantMedia* p, const std::vector<uint32_t>& stream_ids, bool paused);
  // An RTP packet from p (decrypted, parsed by the caller). Returns false if it was not video of
  // a known publication (counted by the caller).
  bool OnRtp(ParticipantMedia* p, std::span<const uint8_t> packet);
  // A subscriber's PLI or FIR for one of its sections (media SSRC = our section SSRC).
  void OnKeyframeRequest(ParticipantMedia* p, uint32_t media_ssrc);
  // A subscriber's NACK: resend what the publisher's history still has.
  void OnNack(ParticipantMedia* p, uint32_t media_ssrc, std::span<const uint16_t> lost);
  // A subscriber's report blocks (from its RR or SR) and REMB: its downlink estimate.
  void OnReportBlocks(ParticipantMedia* p, std::span<const wire::rtcp::ReportBlock> blocks);
  void OnRemb(ParticipantMedia* p, uint64_t bps);

  struct Stats {
    uint64_t forwarded = 0;
    uint64_t dropped_waiting_keyframe = 0;
    uint64_t keyframe_requests_sent = 0;
    uint64_t unknown = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Forwarder {
    Forwarder(uint16_t seq, uint32_t ts, uint16_t rtx) : rewriter(seq, ts), rtx_seq(rtx) {}
    ParticipantMedia* subscriber = nullptr;
    VideoSubscription sub;
    StreamRewriter rewriter;
    uint32_t source = 0;  // the layer actually forwarded (sub.stream_id, or another layer)
    int allowed = -1;     // the allocator's layer index for this section; -1: not allocated yet
    uint16_t rtx_seq;
    // For sender reports and the receiver's loss.
    uint32_t packets = 0, octets = 0;
    uint32_t last_ts = 0;
    int64_t last_ts_ms = -1;
    bool have_rr = false;
    uint32_t rr_highest = 0;
    int32_t rr_lost = 0;
  };
  // One published encoding and its repair state.
  struct Layer {
    VideoLayer info;
    uint32_t learned_ssrc = 0;
    uint32_t learned_rtx_ssrc = 0;
    int64_t last_pli_ms = -1'000'000;
    std::unique_ptr<PacketHistory> history = std::make_unique<PacketHistory>(256);  // the last 256 packets
    NackGenerator nacks;
    uint64_t window_bytes = 0;  // received since the last BITRATES
    uint64_t rate_bytes = 0;    // received since the last rate update (each second)
    uint64_t rate_bps = 0;      // smoothed receive rate, the allocator's layer cost
    int64_t last_packet_ms = -1'000'000;
    uint16_t highest_seq = 0;
    bool have_seq = false;
    uint32_t ssrc() const { return info.ssrc ? info.ssrc : learned_ssrc; }
    uint32_t rtx_ssrc() const { return info.rtx_ssrc ? info.rtx_ssrc : learned_rtx_ssrc; }
  };
  struct Member {
    int payload_type = -1;
    int rid_ext_id = 0;
    int rtx_payload_type = -1;
    int repaired_rid_ext_id = 0;
    std::vector<std::unique_ptr<Layer>> layers;  // what it publishes
    std::vector<uint32_t> paused;                // streams this subscriber paused
    std::vector<std::unique_ptr<Forwarder>> forwarders;  // its subscriptions
    // As a subscriber: the bandwidth toward it and the probe's progress.
    DownlinkEstimator downlink;
    int64_t next_allocation_ms = 0;
  };
  // The layer a packet belongs to (rtx: the layer an RTX packet repairs), by SSRC, else learned
  // from the RID extension (rtp-stream-id, or repaired-rtp-stream-id for RTX).
  Layer* LayerFor(Member& m, const void* rtp_packet_view, bool rtx);
  // The layer of `publisher` a section should show: the one it asked for, capped by its
  // allocation, or the best arriving stand-in. Null if the section is not fed by publisher.
  const Layer* TargetLayer(const Member& publisher, const Forwarder& f, int64_t now_ms) const;
  // Chooses every section's layer for subscriber m from its estimate; may start a probe.
  void Allocate(Member& m, int64_t now_ms);
  void Pad(Member& m, int64_t now_ms);
  void SendSenderReports(int64_t now_ms);
  void Sent(Member& m, Forwarder& f, size_t bytes, bool media, uint32_t ts, int64_t now_ms);
  void RequestKeyframe(uint32_t stream_id, int64_t now_ms);
  // Sends on the section's SSRC, or as an RTX retransmission (RFC 4588) when rtx is set.
  size_t Send(Forwarder& f, std::span<const uint8_t> payload, bool marker, const StreamRewriter::Out& out,
              const void* vp8_descriptor, bool rtx = false);
  Layer* PublisherOf(uint32_t stream_id, ParticipantMedia** who);

  Shard& shard_;
  std::string meeting_id_;
  std::unordered_map<ParticipantMedia*, Member> members_;
  bool ever_used_ = false;
  int64_t next_bitrates_ms_ = 0;
  int64_t next_feedback_ms_ = 0;
  int64_t window_start_ms_ = 0;
  Stats stats_;
};

}  // namespace sfu

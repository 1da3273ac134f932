#pragma once
// A meeting's video forwarding on its shard (the SFU, docs/DESIGN.md, "Video SFU"), the coordinator
// of its parts:
//   - VideoPublisher / PublisherStream (what a participant publishes, one stream per simulcast
//     layer): SSRC learning, RTX unwrapping, history, NACKs and PLIs toward the publisher
//     (at most one PLI per 300 ms per layer), receive rates, RR/REMB;
//   - SubscriberSection (one per subscriber m-section): the rewritten stream (StreamRewriter:
//     one SSRC and continuous numbering from a key frame on, across source and layer switches),
//     retransmissions answering its NACKs, probe padding, sender reports;
//   - DownlinkController (one per subscriber): its bandwidth estimate, the layer allocation and
//     probing.
// MeetingVideo routes between them: a publisher's packet goes to every section that shows its
// layer or should (a section switches at the new layer's key frame and keeps the old layer until
// then; a new or resumed section waits for a key frame, asked for at once); subscribers'
// PLI/FIR/NACK/report blocks/REMB go to the section or controller they concern. It keeps the
// clock of periodic work (OnTick) and reports BITRATES. Header extensions are not forwarded
// (the subscriber's MID and ids differ from the publisher's). Participants are VideoPeers.
// Created with the first participant that publishes or subscribes, finished when none is left.
// Thread: the owning shard only.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/downlink_controller.h"
#include "sfu/shard_session.h"
#include "sfu/subscriber_section.h"
#include "sfu/video_peer.h"
#include "sfu/video_publisher.h"
#include "sfu/video_tap.h"
#include "sfu/video_types.h"

namespace sfu::wire {
class RtpPacketView;
}
namespace sfu::wire::rtcp {
struct ReportBlock;
}

namespace sfu {

class Shard;

class MeetingVideo final : public ShardSession {
 public:
  static MeetingVideo& For(Shard& shard, const std::string& meeting_id);

  MeetingVideo(Shard& shard, std::string meeting_id);
  ~MeetingVideo() override;
  // Every tick: NACKs due toward publishers, each subscriber's DownlinkController (its layer
  // allocation every 500 ms, probe padding); every second: receiver reports and a REMB to each
  // publisher (a fixed ceiling, enough for Chrome to ramp up and turn its higher simulcast layers
  // on; uplink estimation is not done) and a sender report per subscriber section; every 2 s:
  // BITRATES.
  void OnTick(int64_t now_ms) override;
  bool finished() const override { return ever_used_ && members_.empty() && taps_.empty(); }

  // Replaces what p publishes and receives. Time comes from the peers (VideoPeer::NowMs).
  void Set(VideoPeer* p, const VideoPlanForMedia& plan);
  void Remove(VideoPeer* p);
  // The subscriber paused (or resumed) these streams: nothing is forwarded to it while paused; a
  // resumed section restarts at a key frame (asked for at once).
  void SetPaused(VideoPeer* p, const std::vector<uint32_t>& stream_ids, bool paused);
  // An RTP packet from p (decrypted and parsed by the transport). Returns false if it was not
  // video of a known publication.
  bool OnRtp(VideoPeer* p, const wire::RtpPacketView& pkt);
  // A subscriber's PLI or FIR for one of its sections (media SSRC = our section SSRC).
  void OnKeyframeRequest(VideoPeer* p, uint32_t media_ssrc);
  // A subscriber's NACK: resend what the publisher's history still has.
  void OnNack(VideoPeer* p, uint32_t media_ssrc, std::span<const uint16_t> lost);
  // A subscriber's report blocks (from its RR or SR) and REMB: its downlink estimate.
  void OnReportBlocks(VideoPeer* p, std::span<const wire::rtcp::ReportBlock> blocks);
  void OnRemb(VideoPeer* p, uint64_t bps);

  // Taps (the cascade's sender): every forwarded publisher packet, and repairs and key frames
  // on their behalf. RemoveTap before the tap is destroyed.
  void AddTap(VideoTap* tap);
  void RemoveTap(VideoTap* tap);
  // A key frame of this layer (at most one PLI per 300 ms per layer, as for subscribers).
  void RequestKeyframeFor(uint32_t stream_id, int64_t now_ms) {
    RequestKeyframe(stream_id, now_ms);
  }
  // The packet the layer's history holds under this sequence number (as received: the
  // publisher's SSRC and header), or empty.
  std::span<const uint8_t> StoredPacket(uint32_t stream_id, uint16_t seq);

  struct Stats {
    uint64_t forwarded = 0;
    uint64_t dropped_waiting_keyframe = 0;
    uint64_t keyframe_requests_sent = 0;
    uint64_t unknown = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  // One participant: what it publishes, and as a subscriber its sections, the streams it
  // paused and its downlink.
  struct Member {
    explicit Member(VideoPeer& peer) : publisher(peer) {}
    VideoPublisher publisher;
    std::vector<std::unique_ptr<SubscriberSection>> sections;
    std::vector<uint32_t> paused;
    DownlinkController downlink;
  };
  struct Source {
    VideoPublisher* publisher = nullptr;
    PublisherStream* layer = nullptr;
  };
  // The publisher and layer of a stream id (both null if none).
  Source PublisherOf(uint32_t stream_id);
  // The same for a DownlinkController.
  DownlinkController::PublisherOf Publishers() {
    return [this](uint32_t stream_id) -> const VideoPublisher* {
      return PublisherOf(stream_id).publisher;
    };
  }
  // A media packet of pub (original or unwrapped RTX): to every section that shows its layer or
  // should. False if it is not VP8 of one of pub's layers.
  bool OnMedia(VideoPublisher& pub, const wire::RtpPacketView& pkt, int64_t now_ms);
  void RequestKeyframe(uint32_t stream_id, int64_t now_ms);
  void RequestKeyframe(VideoPublisher& pub, PublisherStream& layer, int64_t now_ms);
  void Allocate(Member& m, int64_t now_ms);
  void SendSenderReports(int64_t now_ms);
  void SendBitrates(int64_t now_ms);
  void CountUnknown();

  Shard& shard_;
  std::string meeting_id_;
  std::unordered_map<VideoPeer*, Member> members_;
  std::vector<VideoTap*> taps_;
  bool ever_used_ = false;
  int64_t next_bitrates_ms_ = 0;
  int64_t next_feedback_ms_ = 0;
  int64_t window_start_ms_ = 0;
  Stats stats_;
};

}  // namespace sfu

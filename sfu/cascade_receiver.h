#pragma once
// The replica node's end of a cascade link (docs/DESIGN.md, "Replica meetings"): on the shard
// of the primary meeting's mirror here, where this node's replica attendees are hidden members
// of the primary's media meeting (MeetingAudio and MeetingVideo under the primary's id, as on
// the primary's node in phase 1). What arrives (sfu/cascade_link.h):
//   - the shared mix: pushed into the mirror's mixer as its only talker (decoded once and
//     re-encoded once per tick for all local listeners, whatever their number);
//   - video: each relayed layer goes to a relay publisher, one per publishing attendee of the
//     primary (the layers the primary's INDEX lists, mirrored through Redis), which the local
//     subscribers subscribe to as to any publisher: layer choice per subscriber, retransmissions
//     and key frames as usual. The relay publishers' NACKs and key-frame requests go back over
//     the link, so loss on the link is repaired there, once, not per subscriber.
// Every second it sends an SRTCP receiver report (the link's keepalive). Created, given its
// peer and publications, and stopped by the control thread through Shard::Post.
// Thread: the owning shard only.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "sfu/cascade_link.h"
#include "sfu/cascade_plan.h"
#include "sfu/mix_listener.h"
#include "sfu/shard_session.h"
#include "sfu/video_peer.h"
#include "sfu/video_types.h"
#include "transport/srtp/srtp_session.h"
#include "transport/udp/udp_endpoint.h"

namespace sfu {

class Shard;
class MeetingAudio;
class MeetingVideo;

class CascadeReceiver final : public ShardSession,
                              public MixListener,
                              public transport::UdpEndpoint::Receiver {
 public:
  // Shard thread: the link for plan.meeting_id starts (or, running with the same keys, stays).
  static void Open(Shard& shard, CascadeLinkPlan plan);
  // Shard thread: the primary's node answered with its address (link-ready).
  static void SetPeer(Shard& shard, const std::string& meeting_id, const std::string& node_id,
                      const wire::StunAddress& peer);
  // Shard thread: the primary's publishers changed (mirrored INDEX).
  static void SetPublications(Shard& shard, const std::string& meeting_id,
                              std::vector<RelayedPublication> publications);
  static void Close(Shard& shard, const std::string& meeting_id);

  CascadeReceiver(Shard& shard, CascadeLinkPlan plan);
  ~CascadeReceiver() override;

  void OnTick(int64_t now_ms) override;
  bool finished() const override { return finished_; }

  // MixListener: it is the mirror mixer's talker; what the mixer gives it back is dropped.
  void SendMixedAudio(std::span<const uint8_t>, uint64_t) override {}
  void ReportLevel(int, int) override {}
  void DetachAudio() override { audio_ = nullptr; }
  // SRTP from the primary's node.
  void OnDatagram(const transport::PeerAddress& from, uint8_t* data, size_t len,
                  size_t capacity) override;

 private:
  // A primary publisher as this node's video forwarder sees it.
  class Relay final : public VideoPeer {
   public:
    explicit Relay(CascadeReceiver& owner) : owner_(owner) {}
    bool SendVideoRtp(uint8_t*, size_t, size_t) override { return false; }
    void SendVideoRtcp(uint8_t* data, size_t len, size_t capacity) override {
      owner_.SendRtcp(data, len, capacity);
    }
    void ReportBitrates(std::vector<StreamBitrate>) override {}
    uint32_t feedback_ssrc() const override;
    int64_t NowMs() const override;
    void DetachVideo() override { owner_.video_ = nullptr; }

   private:
    CascadeReceiver& owner_;
  };
  void SendRtcp(uint8_t* data, size_t len, size_t capacity);
  void Apply(std::vector<RelayedPublication> publications);
  void SetPeer(const std::string& node_id, const wire::StunAddress& peer);
  void Stop() { finished_ = true; }

  Shard& shard_;
  CascadeLinkPlan plan_;
  std::unique_ptr<transport::SrtpSession> out_;
  std::unique_ptr<transport::SrtpSession> in_;
  static constexpr int kReplaysBeforeReset = 25;
  std::unordered_map<uint32_t, int> replays_in_a_row_;  // by SSRC
  MeetingAudio* audio_ = nullptr;
  MeetingVideo* video_ = nullptr;
  uint32_t mixer_id_ = 0;
  uint32_t feedback_ssrc_ = 0;
  std::map<std::string, std::unique_ptr<Relay>> relays_;  // by attendee id
  // A member of video_ that publishes and receives nothing, for the link's whole life: keeps
  // the forwarder (and so video_) alive while there is no relay and no local attendee (the
  // primary's publishers all stopped before this node's attendees had media, or after they
  // left), as being the mixer's talker keeps audio_ alive.
  Relay anchor_{*this};
  std::unordered_map<uint32_t, Relay*> by_stream_;
  int64_t next_keepalive_ms_ = 0;
  bool finished_ = false;
  base::CpuSampler cpu_sampler_;
};

}  // namespace sfu

#pragma once
// The primary's end of a cascade link (docs/DESIGN.md, "Replica meetings"): on the primary
// meeting's shard, one per replica node. It is a listener of the meeting's mixer (muted: never a
// talker, so it gets the shared mix, the audio of a non-talker) and a tap of its video forwarding
// (every publisher packet), and relays both once to the replica node over SRTP (the wire rules:
// sfu/cascade_link.h). From the replica node it takes SRTCP: key-frame requests (a PLI to the
// publisher, at most one per 300 ms per layer as for any subscriber) and NACKs (resent from the
// publisher's history). It ends when told (the replica node closed the link) or when the
// replica node has been silent for kSilenceMs (neither RTCP on the link nor a refresh through
// Redis).
// Created, refreshed and stopped by the control thread through Shard::Post (Open, Close).
// Thread: the owning shard only.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>

#include "base/clock.h"
#include "mixer/listener_stream.h"
#include "sfu/cascade_link.h"
#include "sfu/cascade_plan.h"
#include "sfu/mix_listener.h"
#include "sfu/shard_session.h"
#include "sfu/video_tap.h"
#include "transport/srtp/srtp_session.h"
#include "transport/udp/udp_endpoint.h"

namespace sfu {

class Shard;
class MeetingAudio;
class MeetingVideo;

class CascadeSender final : public ShardSession,
                            public MixListener,
                            public VideoTap,
                            public transport::UdpEndpoint::Receiver {
 public:
  static constexpr int64_t kSilenceMs = 30'000;

  // Shard thread: the link for (plan.meeting_id, plan.node_id) starts, or, when it runs with the
  // same keys and peer, is refreshed; with other keys it is replaced.
  static void Open(Shard& shard, CascadeLinkPlan plan);
  // Shard thread: the link ends (the replica node has no replica of the meeting any more).
  static void Close(Shard& shard, const std::string& meeting_id, const std::string& node_id);

  CascadeSender(Shard& shard, CascadeLinkPlan plan);
  ~CascadeSender() override;

  void OnTick(int64_t now_ms) override;
  bool finished() const override { return finished_; }

  // MixListener: the shared mix, relayed.
  void SendMixedAudio(std::span<const uint8_t> opus, uint64_t tick) override;
  void ReportLevel(int, int) override {}
  void DetachAudio() override { audio_ = nullptr; }
  // VideoTap: every publisher packet, relayed.
  void OnPublishedMedia(uint32_t stream_id, const wire::RtpPacketView& pkt) override;
  void DetachVideoTap() override { video_ = nullptr; }
  // Tests: a video packet for which this returns true is not sent (loss on the link; seq is the
  // link's sequence number).
  using DropFn = std::function<bool(uint32_t stream_id, uint16_t seq, bool retransmit)>;
  void set_drop_for_test(DropFn f) { drop_for_test_ = std::move(f); }
  // SRTCP from the replica node.
  void OnDatagram(const transport::PeerAddress& from, uint8_t* data, size_t len,
                  size_t capacity) override;

 private:
  static std::string Key(const std::string& meeting_id, const std::string& node_id) {
    return meeting_id + "/" + node_id;
  }
  void SendVideo(uint32_t stream_id, uint16_t link_seq, const wire::RtpPacketView& pkt,
                 bool retransmit);
  void Stop() { finished_ = true; }

  Shard& shard_;
  CascadeLinkPlan plan_;
  std::unique_ptr<transport::SrtpSession> out_;
  std::unique_ptr<transport::SrtpSession> in_;
  MeetingAudio* audio_ = nullptr;
  MeetingVideo* video_ = nullptr;
  uint32_t mixer_id_ = 0;
  mixer::ListenerStream stream_;
  std::unordered_map<uint32_t, cascade::LinkSequence> sequences_;  // by stream id
  int64_t last_heard_ms_ = 0;
  bool finished_ = false;
  base::CpuSampler cpu_sampler_;
  DropFn drop_for_test_;
};

}  // namespace sfu

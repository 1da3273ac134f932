#include "signaling/media_bridge.h"

#include <atomic>
#include <memory>
#include <utility>

#include "sfu/participant_media.h"
#include "sfu/shard_set.h"

namespace sfu::signaling {
namespace {

std::atomic<uint64_t> g_next_media_id{1};

}  // namespace

template <typename Fn>
void MediaBridge::PostToParticipant(Fn fn) {
  if (!shards_ || id_ == 0) return;
  Shard& shard = shards_->shard(static_cast<size_t>(shard_));
  shard.Post([&shard, id = id_, fn = std::move(fn)] {
    if (ParticipantMedia* p = sfu::FindParticipantMedia(shard, id)) fn(*p);
  });
}

void MediaBridge::Open(int shard_index) {
  if (!shards_) return;
  Stop();
  id_ = g_next_media_id.fetch_add(1);
  shard_ = shard_index;
  created_ = false;
}

void MediaBridge::Apply(ParticipantMediaPlan plan) {
  if (!shards_ || id_ == 0) return;
  if (!created_) {
    created_ = true;
    plan.id = id_;
    Shard& shard = shards_->shard(static_cast<size_t>(shard_));
    shard.Post([&shard, plan = std::move(plan)]() mutable {
      shard.AddSession(std::make_unique<ParticipantMedia>(shard, std::move(plan)));
    });
    return;
  }
  PostToParticipant([opus = plan.audio_payload_type, red = plan.red_payload_type,
                     muted = plan.muted, send = plan.audio_send, receive = plan.audio_receive,
                     video = std::move(plan.video)](ParticipantMedia& p) {
    p.Update(opus, red);
    p.SetAudioCapabilities(send, receive);
    p.SetMuted(muted);
    p.SetVideo(video);
  });
}

void MediaBridge::SetMuted(bool muted) {
  PostToParticipant([muted](ParticipantMedia& p) { p.SetMuted(muted); });
}

void MediaBridge::SetAudioCapabilities(bool send, bool receive) {
  PostToParticipant(
      [send, receive](ParticipantMedia& p) { p.SetAudioCapabilities(send, receive); });
}

void MediaBridge::SetVideo(const VideoPlanForMedia& video) {
  PostToParticipant([video](ParticipantMedia& p) { p.SetVideo(video); });
}

void MediaBridge::SetVideoPaused(std::vector<uint32_t> stream_ids, bool paused) {
  PostToParticipant([ids = std::move(stream_ids), paused](ParticipantMedia& p) {
    p.SetVideoPaused(ids, paused);
  });
}

void MediaBridge::SendDataFrame(const std::vector<uint8_t>& frame) {
  PostToParticipant([frame](ParticipantMedia& p) { p.SendDataFrame(frame); });
}

void MediaBridge::Stop() {
  PostToParticipant([](ParticipantMedia& p) { p.Stop(); });
  id_ = 0;
  created_ = false;
}

}  // namespace sfu::signaling

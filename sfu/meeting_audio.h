#pragma once
// A meeting's audio mixer on its shard (docs/DESIGN.md, "Audio mixer"): owns the RoomMixer, is
// ticked by the shard's single 20 ms timer like every session on the shard (no thread or timer per
// meeting), and hands each participant its payload of the tick. Created with the meeting's first
// participant on the shard and finished once the last one has left.
// Thread: the owning shard only.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "mixer/room_mixer.h"
#include "sfu/mix_listener.h"
#include "sfu/shard_session.h"

namespace sfu {

class Shard;

class MeetingAudio final : public ShardSession {
 public:
  // The meeting's mixer on this shard, created (and added to the shard's sessions) on first use.
  static MeetingAudio& For(Shard& shard, const std::string& meeting_id,
                           const mixer::RoomMixerConfig& config);

  MeetingAudio(Shard& shard, std::string meeting_id, const mixer::RoomMixerConfig& config);
  ~MeetingAudio() override;

  void OnTick(int64_t now_ms) override;
  bool finished() const override { return participants_.empty() && ever_joined_; }

  // A participant joins the mix; returns its id in the mixer. Leave() before it is destroyed.
  uint32_t Join(MixListener* p, bool muted);
  void Leave(uint32_t id);
  void SetMuted(uint32_t id, bool muted);
  void PushOpus(uint32_t id, uint16_t seq, uint32_t ts, std::span<const uint8_t> payload,
                int level_dbov, int64_t now_ms) {
    mixer_.PushOpus(id, seq, ts, payload, level_dbov, now_ms);
  }
  // False if the RED payload does not parse (counted).
  bool PushRed(uint32_t id, uint16_t seq, uint32_t ts, std::span<const uint8_t> payload,
               int opus_pt, int level_dbov, int64_t now_ms);
  const mixer::RoomMixer& mixer() const { return mixer_; }

 private:
  void PublishStats();

  Shard& shard_;
  std::string meeting_id_;
  mixer::RoomMixer mixer_;
  std::unordered_map<uint32_t, MixListener*> participants_;
  uint32_t next_id_ = 1;
  bool ever_joined_ = false;
  uint64_t tick_ = 0;
  int64_t next_level_report_ms_ = 0;
  mixer::RoomMixerStats published_;  // what was already added to the shard's counters
};

}  // namespace sfu

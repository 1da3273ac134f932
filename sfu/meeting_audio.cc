#include "sfu/meeting_audio.h"

#include <unordered_map>

#include "base/clock.h"
#include "base/log.h"
#include "sfu/shard.h"

namespace sfu {
using base::ThreadCpuMicros;

MeetingAudio& MeetingAudio::For(Shard& shard, const std::string& meeting_id,
                                const mixer::RoomMixerConfig& config) {
  auto& meetings = shard.registry().audio;
  auto it = meetings.find(meeting_id);
  if (it != meetings.end() && !it->second->finished()) return *it->second;
  auto audio = std::make_unique<MeetingAudio>(shard, meeting_id, config);
  MeetingAudio& ref = *audio;
  shard.AddSession(std::move(audio));
  return ref;
}

MeetingAudio::MeetingAudio(Shard& shard, std::string meeting_id,
                           const mixer::RoomMixerConfig& config)
    : shard_(shard), meeting_id_(std::move(meeting_id)), mixer_(config) {
  shard_.registry().audio[meeting_id_] = this;
  SFU_LOG(kDebug, "mixer created")
      .Kv("meeting", meeting_id_)
      .Kv("shard", shard_.index())
      .Kv("talkers", config.max_talkers)
      .Kv("bitrate", config.encoder.bitrate_bps)
      .Kv("complexity", config.encoder.complexity);
}

MeetingAudio::~MeetingAudio() {
  auto& meetings = shard_.registry().audio;
  auto it = meetings.find(meeting_id_);
  if (it != meetings.end() && it->second == this) meetings.erase(it);
  for (auto& [id, p] : participants_) p->DetachAudio();  // shard shutdown: they may outlive us
  PublishStats();
  ShardStats& s = shard_.mutable_stats();
  s.mixing_participants.fetch_sub(static_cast<int64_t>(participants_.size()),
                                  std::memory_order_relaxed);
}

uint32_t MeetingAudio::Join(MixListener* p, bool muted) {
  const uint32_t id = next_id_++;
  participants_[id] = p;
  ever_joined_ = true;
  mixer_.AddParticipant(id);
  mixer_.SetMuted(id, muted);
  shard_.mutable_stats().mixing_participants.fetch_add(1, std::memory_order_relaxed);
  return id;
}

void MeetingAudio::Leave(uint32_t id) {
  if (participants_.erase(id) == 0) return;
  mixer_.RemoveParticipant(id);
  shard_.mutable_stats().mixing_participants.fetch_sub(1, std::memory_order_relaxed);
}

void MeetingAudio::SetMuted(uint32_t id, bool muted) { mixer_.SetMuted(id, muted); }

bool MeetingAudio::PushRed(uint32_t id, uint16_t seq, uint32_t ts, std::span<const uint8_t> payload,
                           int opus_pt, int level_dbov, int64_t now_ms) {
  if (mixer_.PushRed(id, seq, ts, payload, opus_pt, level_dbov, now_ms)) return true;
  ShardStats& s = shard_.mutable_stats();
  s.Add(s.mix_bad_packets);
  return false;
}

void MeetingAudio::OnTick(int64_t now_ms) {
  if (participants_.empty()) return;
  const int64_t cpu_start = ThreadCpuMicros();
  ++tick_;
  for (const mixer::RoomMixer::ListenerOut& out : mixer_.Tick(now_ms)) {
    auto it = participants_.find(out.id);
    if (it != participants_.end()) it->second->SendMixedAudio(out.opus, tick_);
  }
  ShardStats& s = shard_.mutable_stats();
  s.Add(s.mix_ticks);
  s.mix_tick_cpu_us.Observe(static_cast<double>(ThreadCpuMicros() - cpu_start));
  // Levels for AUDIO_METADATA (the client wants an update every 200-500 ms while anyone talks).
  if (now_ms >= next_level_report_ms_) {
    next_level_report_ms_ = now_ms + 250;
    for (const mixer::SenderLevel& l : mixer_.TakeLevels()) {
      auto it = participants_.find(l.id);
      if (it != participants_.end()) it->second->ReportLevel(l.level_dbov, l.signal_strength);
    }
    PublishStats();
  }
}

void MeetingAudio::PublishStats() {
  ShardStats& s = shard_.mutable_stats();
  const mixer::RoomMixerStats& now = mixer_.stats();
  s.Add(s.mix_decodes, now.decodes - published_.decodes);
  s.Add(s.mix_encodes, now.encodes - published_.encodes);
  s.Add(s.mix_concealed, now.concealed - published_.concealed);
  s.Add(s.mix_fec_recovered, now.fec_recovered - published_.fec_recovered);
  s.Add(s.mix_red_recovered, now.red_recovered - published_.red_recovered);
  s.Add(s.mix_bad_packets, now.bad_packets - published_.bad_packets);
  published_ = now;
  for (int d : mixer_.TakeDelaySamples()) s.jitter_delay_ms.Observe(d);
}

}  // namespace sfu

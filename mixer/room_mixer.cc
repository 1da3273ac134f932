#include "mixer/room_mixer.h"

#include <algorithm>

#include "codec/audio_level.h"
#include "transport/wire/red_payload.h"

namespace sfu::mixer {
namespace {
using codec::kMaxOpusPacket;
using codec::kOpusFrameSamples;
using codec::kOpusSilenceFrame;
using codec::LevelDbov;
using codec::OpusPacketHasFec;
constexpr size_t kMaxDelaySamples = 8192;  // between two TakeDelaySamples calls
}  // namespace

struct RoomMixer::Sender {
  explicit Sender(uint32_t i, const JitterBufferConfig& jc) : id(i), jb(jc), pcm(kFrameSamples) {}
  uint32_t id;
  bool muted = false;
  JitterBuffer jb;
  OpusFrameDecoder decoder;
  bool decoder_fresh = true;  // nothing to reset
  bool decoded_last_tick = false;
  // This tick.
  JitterBuffer::Frame frame;
  bool decoded = false;
  int level = 127;
  int talker_index = -1;
  std::vector<int16_t> pcm;
  // Reporting window.
  bool window_active = false;
  int window_level = 127;
  uint64_t window_lost = 0;
  uint64_t window_played = 0;
};

RoomMixer::RoomMixer(RoomMixerConfig config)
    : config_(config),
      selector_(config.max_talkers, config.hangover_ticks, config.audible_dbov),
      combiner_(std::max(1, config.max_talkers)),
      shared_encoder_(config.encoder),
      shared_pcm_(kFrameSamples),
      shared_packet_(kMaxOpusPacket) {
  const size_t k = static_cast<size_t>(std::max(1, config.max_talkers));
  own_pcm_.assign(k, std::vector<int16_t>(kFrameSamples));
  for (auto& v : own_pcm_) own_spans_.emplace_back(v);
  own_packets_.assign(k, std::vector<uint8_t>(kMaxOpusPacket));
  own_lens_.assign(k, 0);
  talkers_.reserve(k);
  frames_.reserve(k);
  talker_encoders_.reserve(k);
  spare_encoders_.reserve(k);
}

RoomMixer::~RoomMixer() = default;

RoomMixer::Sender* RoomMixer::Find(uint32_t id) {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : senders_[it->second].get();
}

void RoomMixer::AddParticipant(uint32_t id) {
  if (index_.count(id)) return;
  index_[id] = senders_.size();
  senders_.push_back(std::make_unique<Sender>(id, config_.jitter));
  out_.reserve(senders_.size());
  candidates_.reserve(senders_.size());
  levels_.reserve(senders_.size());
}

void RoomMixer::RemoveParticipant(uint32_t id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  const size_t i = it->second;
  index_.erase(it);
  if (i + 1 != senders_.size()) {
    std::swap(senders_[i], senders_.back());
    index_[senders_[i]->id] = i;
  }
  senders_.pop_back();
}

void RoomMixer::SetMuted(uint32_t id, bool muted) {
  if (Sender* s = Find(id)) s->muted = muted;
}

void RoomMixer::SetBitrate(int bps) {
  config_.encoder.bitrate_bps = bps;
  shared_encoder_.SetBitrate(bps);
  for (auto& [id, e] : talker_encoders_) e->SetBitrate(bps);
  for (auto& e : spare_encoders_) e->SetBitrate(bps);
}

const JitterBufferStats* RoomMixer::jitter_stats(uint32_t id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &senders_[it->second]->jb.stats();
}

void RoomMixer::PushOpus(uint32_t id, uint16_t seq, uint32_t ts, std::span<const uint8_t> payload,
                         int level_dbov, int64_t now_ms) {
  if (Sender* s = Find(id)) s->jb.Push(seq, ts, payload, level_dbov, now_ms);
}

bool RoomMixer::PushRed(uint32_t id, uint16_t seq, uint32_t ts, std::span<const uint8_t> payload,
                        int opus_pt, int level_dbov, int64_t now_ms) {
  auto red = wire::ParseRedPayload(payload);
  if (!red) return false;
  Sender* s = Find(id);
  if (!s) return true;
  const wire::RedBlock& primary = red->primary();
  if (primary.payload_type == opus_pt && !primary.data.empty())
    s->jb.Push(seq, ts, primary.data, level_dbov, now_ms);
  // Redundant copies of earlier 20 ms frames fill holes the primary stream left.
  for (size_t i = 0; i + 1 < red->count; ++i) {
    const wire::RedBlock& b = red->blocks[i];
    if (b.payload_type != opus_pt || b.data.empty() || b.timestamp_offset == 0 ||
        b.timestamp_offset % kOpusFrameSamples != 0)
      continue;
    const uint32_t back = b.timestamp_offset / kOpusFrameSamples;
    if (back > 16) continue;
    s->jb.Push(static_cast<uint16_t>(seq - back), ts - b.timestamp_offset, b.data, -1, now_ms,
               /*redundant=*/true);
  }
  return true;
}

OpusFrameEncoder* RoomMixer::EncoderFor(uint32_t talker_id) {
  for (auto& [id, e] : talker_encoders_)
    if (id == talker_id) return e.get();
  std::unique_ptr<OpusFrameEncoder> e;
  if (!spare_encoders_.empty()) {
    e = std::move(spare_encoders_.back());
    spare_encoders_.pop_back();
    e->Reset();  // a new talker's stream: no history from the previous one
  } else {
    e = std::make_unique<OpusFrameEncoder>(config_.encoder);
  }
  talker_encoders_.emplace_back(talker_id, std::move(e));
  return talker_encoders_.back().second.get();
}

void RoomMixer::DecodeFrame(Sender& s) {
  if (!s.decoded_last_tick && !s.decoder_fresh) {
    s.decoder.Reset();  // it sat out: start from a clean state, not stale prediction
    ++stats_.decoder_resets;
  }
  s.decoder_fresh = false;
  switch (s.frame.kind) {
    case JitterBuffer::Kind::kPacket:
      ++stats_.decodes;
      if (!s.decoder.Decode(s.frame.payload, s.pcm)) ++stats_.bad_packets;
      if (s.frame.from_red) ++stats_.red_recovered;
      break;
    case JitterBuffer::Kind::kFec:
      ++stats_.decodes;
      if (OpusPacketHasFec(s.frame.payload) && s.decoder.DecodeFec(s.frame.payload, s.pcm)) {
        ++stats_.fec_recovered;
      } else {
        s.decoder.Conceal(s.pcm);
        ++stats_.concealed;
      }
      break;
    case JitterBuffer::Kind::kConceal:
      s.decoder.Conceal(s.pcm);
      ++stats_.concealed;
      break;
    case JitterBuffer::Kind::kIdle:
      std::fill(s.pcm.begin(), s.pcm.end(), int16_t{0});
      return;
  }
  s.decoded = true;
  s.level = LevelDbov(s.pcm);
}

std::span<const RoomMixer::ListenerOut> RoomMixer::Tick(int64_t now_ms) {
  ++stats_.ticks;
  // 1. Frame decisions and levels.
  candidates_.clear();
  for (auto& sp : senders_) {
    Sender& s = *sp;
    s.decoded = false;
    s.talker_index = -1;
    s.frame = s.jb.Pop();
    if (s.frame.kind == JitterBuffer::Kind::kIdle) {
      s.level = 127;
      continue;
    }
    if (s.frame.kind == JitterBuffer::Kind::kPacket && delay_samples_.size() < kMaxDelaySamples)
      delay_samples_.push_back(static_cast<int>(now_ms - s.frame.arrival_ms));
    if (s.frame.level_dbov >= 0) {
      s.level = s.frame.level_dbov;
    } else if (!s.muted) {
      DecodeFrame(s);  // no level extension: decode to measure
    } else {
      s.level = 127;
    }
    if (!s.muted) candidates_.push_back({s.id, s.level, false});
  }
  // 2. The K loudest talkers; decode the ones not decoded yet. (A copy into talkers_'s reserved
  // K slots: no allocation.)
  talkers_ = selector_.Select(candidates_);
  frames_.clear();
  for (size_t k = 0; k < talkers_.size(); ++k) {
    Sender* s = Find(talkers_[k]);
    if (!s) continue;
    if (!s->decoded) DecodeFrame(*s);
    s->talker_index = static_cast<int>(frames_.size());
    frames_.push_back({s->id, s->pcm});
  }
  for (auto& sp : senders_) {
    Sender& s = *sp;
    s.decoded_last_tick = s.decoded;
    if (s.frame.kind != JitterBuffer::Kind::kIdle && !s.muted) {
      s.window_active = true;
      s.window_level = std::min(s.window_level, s.level);
    }
  }
  // Encoders of former talkers go back to the spares.
  for (size_t i = 0; i < talker_encoders_.size();) {
    if (std::find(talkers_.begin(), talkers_.end(), talker_encoders_[i].first) == talkers_.end()) {
      spare_encoders_.push_back(std::move(talker_encoders_[i].second));
      talker_encoders_.erase(talker_encoders_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  // 3 + 4. Mix and encode: the shared mix once (if anyone is not a talker), each talker's own
  // mix once (unless it is exactly silent: a lone talker hears nobody).
  const std::span<const uint8_t> silence(kOpusSilenceFrame, sizeof(kOpusSilenceFrame));
  std::span<const uint8_t> shared = silence;
  const size_t t = frames_.size();
  if (t > 0) {
    combiner_.Mix(frames_, shared_pcm_, std::span<const std::span<int16_t>>(own_spans_.data(), t));
    if (senders_.size() > t) {
      shared_len_ = shared_encoder_.Encode(shared_pcm_, shared_packet_);
      ++stats_.encodes;
      shared = shared_len_ ? std::span<const uint8_t>(shared_packet_.data(), shared_len_) : silence;
    }
    for (size_t k = 0; k < t; ++k) {
      own_lens_[k] = 0;
      if (t == 1) continue;
      own_lens_[k] = EncoderFor(frames_[k].id)->Encode(own_pcm_[k], own_packets_[k]);
      ++stats_.encodes;
    }
  }
  out_.clear();
  for (auto& sp : senders_) {
    const Sender& s = *sp;
    if (s.talker_index >= 0) {
      const size_t k = static_cast<size_t>(s.talker_index);
      out_.push_back(
          {s.id,
           own_lens_[k] ? std::span<const uint8_t>(own_packets_[k].data(), own_lens_[k]) : silence,
           s.talker_index});
    } else {
      out_.push_back({s.id, shared, -1});
    }
  }
  return out_;
}

std::span<const SenderLevel> RoomMixer::TakeLevels() {
  levels_.clear();
  for (auto& sp : senders_) {
    Sender& s = *sp;
    const JitterBufferStats& js = s.jb.stats();
    if (s.window_active) {
      const uint64_t lost = js.lost - s.window_lost;
      const uint64_t total = lost + (js.played - s.window_played);
      const double loss = total ? static_cast<double>(lost) / static_cast<double>(total) : 0.0;
      levels_.push_back({s.id, s.window_level, loss >= 0.3 ? 0 : (loss >= 0.1 ? 1 : 2)});
    }
    s.window_active = false;
    s.window_level = 127;
    s.window_lost = js.lost;
    s.window_played = js.played;
  }
  return levels_;
}

std::span<const int> RoomMixer::TakeDelaySamples() {
  taken_delay_samples_.swap(delay_samples_);
  delay_samples_.clear();  // the previous report's buffer, capacity kept for the next ticks
  return taken_delay_samples_;
}

}  // namespace sfu::mixer

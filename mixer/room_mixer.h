#pragma once
// One meeting's audio mixer (docs/DESIGN.md, "Audio mixer"): every attendee sends one Opus stream
// and receives one. Each tick (20 ms, driven by the shard's timer):
//   1. every sender's jitter buffer gives its frame decision (play, FEC, conceal or idle);
//   2. the K loudest unmuted senders are chosen (TalkerSelector, with hangover); senders that
//      are not chosen are not decoded (their RFC 6464 level decides; senders without the
//      extension are decoded to be measured), and a decoder that sat out is reset before it is
//      used again;
//   3. FrameCombiner makes the shared mix and each talker's mix-minus;
//   4. the shared mix is encoded once and each talker's own mix once: K+1 encodes, not one per
//      listener. An exactly silent mix is not encoded: the canned Opus silence frame is sent.
// Tick() returns, per listener, the Opus payload to send; the caller owns RTP (each listener's
// SSRC, sequence numbers and timestamps stay its own whichever payload it gets).
// Pure apart from libopus; no network, no clock. No allocation per tick once warmed up: buffers
// are sized for K talkers at construction and for every participant as they join; a talker's
// own-mix encoder is created the first time there are more talkers than spare encoders (at most
// K in all); the delay-sample and level buffers keep their capacity between reports.
// Thread: one owner (the meeting's shard).

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "codec/opus_codec.h"
#include "mixer/frame_combiner.h"
#include "mixer/jitter_buffer.h"
#include "mixer/talker_selector.h"

namespace sfu::mixer {

using codec::EncoderSettings;
using codec::OpusFrameDecoder;
using codec::OpusFrameEncoder;

struct RoomMixerConfig {
  int max_talkers = 3;
  int hangover_ticks = 15;  // 300 ms
  int audible_dbov = 60;    // quieter than -60 dBov is silence (never selected)
  EncoderSettings encoder;
  JitterBufferConfig jitter;
};

struct RoomMixerStats {
  uint64_t ticks = 0;
  uint64_t decodes = 0;
  uint64_t encodes = 0;
  uint64_t concealed = 0;       // frames made up by PLC (loss or underrun) for mixed talkers
  uint64_t fec_recovered = 0;   // lost frames rebuilt from in-band FEC
  uint64_t red_recovered = 0;   // lost frames rebuilt from RED copies
  uint64_t decoder_resets = 0;  // decoders brought back after sitting out
  uint64_t bad_packets = 0;     // undecodable or not 20 ms Opus (concealed instead)
};

// Loudest level and link quality of one sender over a reporting window.
struct SenderLevel {
  uint32_t id = 0;
  int level_dbov = 127;     // loudest in the window (127: silence or not sending)
  int signal_strength = 2;  // 2 good, 1 some loss (≥10%), 0 bad (≥30%)
};

class RoomMixer {
 public:
  struct ListenerOut {
    uint32_t id;
    std::span<const uint8_t> opus;  // valid until the next Tick
    int source;                     // -1: shared mix or silence; else own mix (talker index)
  };

  explicit RoomMixer(RoomMixerConfig config = {});
  ~RoomMixer();

  // Every participant is both a sender and a listener. Ids are the caller's, unique per room.
  void AddParticipant(uint32_t id);
  void RemoveParticipant(uint32_t id);
  bool Has(uint32_t id) const { return index_.count(id) != 0; }
  size_t size() const { return senders_.size(); }
  void SetMuted(uint32_t id, bool muted);
  void SetBitrate(int bps);

  // An uplink Opus payload. level_dbov: the RFC 6464 level when negotiated, else -1.
  void PushOpus(uint32_t id, uint16_t seq, uint32_t rtp_timestamp, std::span<const uint8_t> payload,
                int level_dbov, int64_t now_ms);
  // An uplink RED payload (RFC 2198) whose blocks carry Opus with payload type opus_pt. False
  // if it does not parse (counted by the caller).
  bool PushRed(uint32_t id, uint16_t seq, uint32_t rtp_timestamp, std::span<const uint8_t> payload,
               int opus_pt, int level_dbov, int64_t now_ms);

  // Runs one 20 ms tick. now_ms is used for the jitter-buffer delay samples only.
  std::span<const ListenerOut> Tick(int64_t now_ms);
  // The talkers mixed in the last tick.
  std::span<const uint32_t> talkers() const { return talkers_; }

  // Levels since the last call, one entry per participant that sent audio (for AUDIO_METADATA).
  // Valid until the next call.
  std::span<const SenderLevel> TakeLevels();
  // Jitter-buffer delays (arrival to playout, ms) of frames played since the last call. Valid
  // until the next call.
  std::span<const int> TakeDelaySamples();
  const RoomMixerStats& stats() const { return stats_; }
  const JitterBufferStats* jitter_stats(uint32_t id) const;

 private:
  struct Sender;
  Sender* Find(uint32_t id);
  OpusFrameEncoder* EncoderFor(uint32_t talker_id);
  void DecodeFrame(Sender& s);

  RoomMixerConfig config_;
  std::vector<std::unique_ptr<Sender>> senders_;
  std::unordered_map<uint32_t, size_t> index_;
  TalkerSelector selector_;
  FrameCombiner combiner_;
  OpusFrameEncoder shared_encoder_;
  // Own-mix encoders of the current talkers, by talker id; spares are kept for reuse.
  std::vector<std::pair<uint32_t, std::unique_ptr<OpusFrameEncoder>>> talker_encoders_;
  std::vector<std::unique_ptr<OpusFrameEncoder>> spare_encoders_;
  std::vector<Candidate> candidates_;
  std::vector<uint32_t> talkers_;
  std::vector<TalkerFrame> frames_;
  std::vector<int16_t> shared_pcm_;
  std::vector<std::vector<int16_t>> own_pcm_;
  std::vector<std::span<int16_t>> own_spans_;
  std::vector<uint8_t> shared_packet_;
  size_t shared_len_ = 0;
  std::vector<std::vector<uint8_t>> own_packets_;
  std::vector<size_t> own_lens_;
  std::vector<ListenerOut> out_;
  std::vector<int> delay_samples_;        // filled by Tick
  std::vector<int> taken_delay_samples_;  // the last TakeDelaySamples (swapped, not reallocated)
  std::vector<SenderLevel> levels_;       // the last TakeLevels
  RoomMixerStats stats_;
};

}  // namespace sfu::mixer

#pragma once
// Thin owners of libopus encoder/decoder state (the mixer, the reference client): 48 kHz mono,
// 20 ms frames.
// No allocation after construction. One owner each (the meeting's shard).

#include <cstdint>
#include <span>

struct OpusEncoder;
struct OpusDecoder;

namespace sfu::codec {

inline constexpr int kSampleRate = 48000;
inline constexpr int kOpusFrameSamples = 960;   // 20 ms
inline constexpr size_t kMaxOpusPacket = 1275;  // RFC 6716 §3.4 (one frame)

struct EncoderSettings {
  int bitrate_bps = 32000;
  int complexity = 5;
  bool inband_fec = true;
  int expected_loss_percent = 5;  // tells the encoder how much FEC to spend
};

class OpusFrameEncoder {
 public:
  explicit OpusFrameEncoder(const EncoderSettings& settings);
  ~OpusFrameEncoder();
  OpusFrameEncoder(const OpusFrameEncoder&) = delete;
  OpusFrameEncoder& operator=(const OpusFrameEncoder&) = delete;

  bool ok() const { return enc_ != nullptr; }
  // Encodes kOpusFrameSamples samples; returns the packet size, 0 on error.
  size_t Encode(std::span<const int16_t> pcm, std::span<uint8_t> out);
  void Reset();  // forget the signal history (a new stream of audio)
  void SetBitrate(int bps);

 private:
  OpusEncoder* enc_ = nullptr;
};

class OpusFrameDecoder {
 public:
  OpusFrameDecoder();
  ~OpusFrameDecoder();
  OpusFrameDecoder(const OpusFrameDecoder&) = delete;
  OpusFrameDecoder& operator=(const OpusFrameDecoder&) = delete;

  bool ok() const { return dec_ != nullptr; }
  // Decodes one 20 ms packet into out (kOpusFrameSamples). False if it is not a valid 20 ms
  // packet (out is then filled by concealment, so the stream stays continuous).
  bool Decode(std::span<const uint8_t> packet, std::span<int16_t> out);
  // Recovers the frame before `next_packet` from its in-band FEC data. False if it had none
  // (out then holds concealment).
  bool DecodeFec(std::span<const uint8_t> next_packet, std::span<int16_t> out);
  // Packet-loss concealment for one frame.
  void Conceal(std::span<int16_t> out);
  void Reset();

 private:
  OpusDecoder* dec_ = nullptr;
};

// Samples in a packet at 48 kHz, or -1 if the packet is malformed.
int OpusPacketSamples(std::span<const uint8_t> packet);
// True if the packet carries LBRR (in-band FEC) data for the previous frame.
bool OpusPacketHasFec(std::span<const uint8_t> packet);

// An Opus packet for 20 ms of silence (TOC 0xF8: CELT-only fullband 20 ms mono), the same bytes
// WebRTC stacks send for comfort silence (the mixer sends it for an exactly silent mix).
inline constexpr uint8_t kOpusSilenceFrame[] = {0xf8, 0xff, 0xfe};

}  // namespace sfu::codec

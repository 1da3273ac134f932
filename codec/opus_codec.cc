#include "codec/opus_codec.h"

#include <opus/opus.h>

#include <algorithm>

namespace sfu::codec {

OpusFrameEncoder::OpusFrameEncoder(const EncoderSettings& s) {
  int err = 0;
  enc_ = opus_encoder_create(kSampleRate, 1, OPUS_APPLICATION_VOIP, &err);
  if (err != OPUS_OK) {
    enc_ = nullptr;
    return;
  }
  opus_encoder_ctl(enc_, OPUS_SET_BITRATE(s.bitrate_bps));
  opus_encoder_ctl(enc_, OPUS_SET_COMPLEXITY(std::clamp(s.complexity, 0, 10)));
  opus_encoder_ctl(enc_, OPUS_SET_INBAND_FEC(s.inband_fec ? 1 : 0));
  opus_encoder_ctl(enc_, OPUS_SET_PACKET_LOSS_PERC(
                             s.inband_fec ? std::clamp(s.expected_loss_percent, 0, 100) : 0));
  opus_encoder_ctl(enc_, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}

OpusFrameEncoder::~OpusFrameEncoder() {
  if (enc_) opus_encoder_destroy(enc_);
}

size_t OpusFrameEncoder::Encode(std::span<const int16_t> pcm, std::span<uint8_t> out) {
  if (!enc_ || pcm.size() < static_cast<size_t>(kOpusFrameSamples)) return 0;
  const opus_int32 n = opus_encode(enc_, pcm.data(), kOpusFrameSamples, out.data(),
                                   static_cast<opus_int32>(std::min(out.size(), kMaxOpusPacket)));
  return n > 0 ? static_cast<size_t>(n) : 0;
}

void OpusFrameEncoder::Reset() {
  if (enc_) opus_encoder_ctl(enc_, OPUS_RESET_STATE);
}

void OpusFrameEncoder::SetBitrate(int bps) {
  if (enc_) opus_encoder_ctl(enc_, OPUS_SET_BITRATE(bps));
}

OpusFrameDecoder::OpusFrameDecoder() {
  int err = 0;
  dec_ = opus_decoder_create(kSampleRate, 1, &err);
  if (err != OPUS_OK) dec_ = nullptr;
}

OpusFrameDecoder::~OpusFrameDecoder() {
  if (dec_) opus_decoder_destroy(dec_);
}

bool OpusFrameDecoder::Decode(std::span<const uint8_t> packet, std::span<int16_t> out) {
  if (!dec_ || out.size() < static_cast<size_t>(kOpusFrameSamples)) return false;
  if (OpusPacketSamples(packet) != kOpusFrameSamples) {
    Conceal(out);
    return false;
  }
  const int n = opus_decode(dec_, packet.data(), static_cast<opus_int32>(packet.size()), out.data(),
                            kOpusFrameSamples, 0);
  if (n != kOpusFrameSamples) {
    Conceal(out);
    return false;
  }
  return true;
}

bool OpusFrameDecoder::DecodeFec(std::span<const uint8_t> next_packet, std::span<int16_t> out) {
  if (!dec_ || out.size() < static_cast<size_t>(kOpusFrameSamples)) return false;
  if (!OpusPacketHasFec(next_packet)) {
    Conceal(out);
    return false;
  }
  const int n = opus_decode(dec_, next_packet.data(), static_cast<opus_int32>(next_packet.size()),
                            out.data(), kOpusFrameSamples, 1);
  if (n != kOpusFrameSamples) {
    Conceal(out);
    return false;
  }
  return true;
}

void OpusFrameDecoder::Conceal(std::span<int16_t> out) {
  if (!dec_ || out.size() < static_cast<size_t>(kOpusFrameSamples)) return;
  if (opus_decode(dec_, nullptr, 0, out.data(), kOpusFrameSamples, 0) != kOpusFrameSamples)
    std::fill(out.begin(), out.begin() + kOpusFrameSamples, int16_t{0});
}

void OpusFrameDecoder::Reset() {
  if (dec_) opus_decoder_ctl(dec_, OPUS_RESET_STATE);
}

int OpusPacketSamples(std::span<const uint8_t> packet) {
  if (packet.empty() || packet.size() > kMaxOpusPacket * 3) return -1;
  const int n = opus_packet_get_nb_samples(packet.data(), static_cast<opus_int32>(packet.size()),
                                           kSampleRate);
  return n > 0 ? n : -1;
}

bool OpusPacketHasFec(std::span<const uint8_t> packet) {
  // libopus 1.3 has no opus_packet_has_lbrr (1.5 does); the same test by hand (RFC 6716 §4.2.3,
  // §4.2.4): only SILK and hybrid configurations (TOC config < 16) carry LBRR. The SILK header
  // bits are coded with probability 1/2 each, so they are the leading bits of the first frame's
  // first byte: one VAD flag per 20 ms SILK frame, then the LBRR flag (for mono).
  if (packet.empty() || (packet[0] >> 3) >= 16) return false;
  const unsigned char* frames[48];
  opus_int16 sizes[48];
  const int n = opus_packet_parse(packet.data(), static_cast<opus_int32>(packet.size()), nullptr,
                                  frames, sizes, nullptr);
  if (n <= 0 || sizes[0] <= 0) return false;
  const int per_frame = opus_packet_get_samples_per_frame(packet.data(), kSampleRate);
  const int silk_frames = per_frame > 960 ? per_frame / 960 : 1;
  int lbrr = (frames[0][0] >> (7 - silk_frames)) & 1;
  if (opus_packet_get_nb_channels(packet.data()) == 2)
    lbrr |= (frames[0][0] >> (6 - 2 * silk_frames)) & 1;
  return lbrr != 0;
}

}  // namespace sfu::codec

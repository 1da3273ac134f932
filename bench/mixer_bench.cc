// Audio mixer cost: CPU time per 20 ms tick for one meeting of N attendees with T talkers, the
// shared-encode mixer (RoomMixer: K loudest mixed, K+1 encodes) against a per-listener-encode
// baseline (the Janus AudioBridge way: every sender decoded, every listener's mix-minus encoded
// separately), side by side in one run, both including the transport of every listener's
// packet (RTP header, SRTP AEAD_AES_128_GCM protect, sendmmsg to a loopback sink).
// Input is pre-encoded (the uplink's own cost - receive, SRTP unprotect - is measured by
// echo_path_bench). CPU time of this thread (CLOCK_THREAD_CPUTIME_ID), not wall time.
// Then: Opus encode cost and a quality proxy per complexity on the voice-like test signal.
//   mixer_bench [ticks]
#include <boost/asio/io_context.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "bench/bench_util.h"
#include "codec/audio_level.h"
#include "codec/opus_codec.h"
#include "codec/tone.h"
#include "mixer/frame_combiner.h"
#include "mixer/room_mixer.h"
#include "sfu/shard_stats.h"
#include "transport/srtp/srtp_session.h"
#include "transport/udp/udp_endpoint.h"
#include "transport/wire/rtp_packet.h"

using namespace sfu;
using codec::kMaxOpusPacket;
using codec::kOpusFrameSamples;

namespace {

constexpr int kLoopFrames = 50;  // 1 s of input per talker, looped

struct Input {
  std::vector<std::vector<std::vector<uint8_t>>> packets;  // [attendee][frame]
  std::vector<std::vector<int>> levels;
};

Input MakeInput(int n, int talkers) {
  Input in;
  in.packets.resize(static_cast<size_t>(n));
  in.levels.resize(static_cast<size_t>(n));
  std::vector<int16_t> pcm(kOpusFrameSamples);
  std::vector<uint8_t> buf(kMaxOpusPacket);
  for (int a = 0; a < n; ++a) {
    codec::OpusFrameEncoder enc(codec::EncoderSettings{32000, 5, true, 10});
    codec::VoiceLikeTone voice(300 + 97.0 * a, a < talkers ? 0.2 - 0.01 * a : 0.0,
                               a < talkers ? 0.08 : 0.0, static_cast<uint32_t>(a + 1));
    const int frames = a < talkers ? kLoopFrames : 1;
    for (int f = 0; f < frames; ++f) {
      voice.Fill(pcm);
      buf.resize(kMaxOpusPacket);
      buf.resize(enc.Encode(pcm, buf));
      in.packets[static_cast<size_t>(a)].push_back(buf);
      in.levels[static_cast<size_t>(a)].push_back(codec::LevelDbov(pcm));
    }
  }
  return in;
}

// Sends each listener's payload as a real SRTP packet to a loopback sink.
class Transport {
 public:
  explicit Transport(int n) : endpoint_(io_, stats_), sink_(io_, stats_) {
    std::string error;
    if (!endpoint_.Bind("127.0.0.1", 0, &error) || !sink_.Bind("127.0.0.1", 0, &error)) {
      std::fprintf(stderr, "bind: %s\n", error.c_str());
      std::exit(1);
    }
    to_.family = 4;
    to_.ip = {127, 0, 0, 1};
    to_.port = sink_.port();
    std::vector<uint8_t> key(28);
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    for (int i = 0; i < n; ++i)
      srtp_.push_back(transport::SrtpSession::Create(transport::SrtpProfile::kAeadAes128Gcm, key,
                                                     transport::SrtpSession::Direction::kOutbound));
    seq_.assign(static_cast<size_t>(n), 0);
  }
  void Send(size_t listener, std::span<const uint8_t> opus, uint32_t ts) {
    uint8_t buf[1600];
    wire::RtpHeaderWriter w;
    w.SetPayloadType(111);
    w.SetSequenceNumber(seq_[listener]++);
    w.SetTimestamp(ts);
    w.SetSsrc(static_cast<uint32_t>(1000 + listener));
    const size_t h = w.WriteTo(buf);
    std::copy(opus.begin(), opus.end(), buf + h);
    size_t len = h + opus.size();
    if (srtp_[listener]->ProtectRtp(buf, &len, sizeof(buf)) == transport::SrtpResult::kOk)
      endpoint_.Send(to_, std::span<const uint8_t>(buf, len));
  }
  void Flush() { endpoint_.Flush(); }

 private:
  boost::asio::io_context io_;
  ShardStats stats_;
  transport::UdpEndpoint endpoint_;
  transport::UdpEndpoint sink_;
  transport::PeerAddress to_;
  std::vector<std::unique_ptr<transport::SrtpSession>> srtp_;
  std::vector<uint16_t> seq_;
};

// Microseconds of CPU per tick, shared-encode mixer.
double RunShared(const Input& in, int ticks, int complexity) {
  const int n = static_cast<int>(in.packets.size());
  mixer::RoomMixerConfig cfg;
  cfg.encoder.complexity = complexity;
  mixer::RoomMixer room(cfg);
  for (int a = 0; a < n; ++a) room.AddParticipant(static_cast<uint32_t>(a));
  Transport transport(n);
  int64_t start = 0;
  const int warmup = 25;
  for (int t = 0; t < warmup + ticks; ++t) {
    if (t == warmup) start = bench::ThreadCpuNs();
    const int64_t now = t * 20;
    for (int a = 0; a < n; ++a) {
      const auto& p = in.packets[static_cast<size_t>(a)];
      const size_t f = static_cast<size_t>(t) % p.size();
      room.PushOpus(static_cast<uint32_t>(a), static_cast<uint16_t>(t),
                    static_cast<uint32_t>(t * 960), p[f], in.levels[static_cast<size_t>(a)][f],
                    now);
    }
    for (const auto& o : room.Tick(now))
      transport.Send(o.id, o.opus, static_cast<uint32_t>(t * 960));
    transport.Flush();
  }
  return static_cast<double>(bench::ThreadCpuNs() - start) / 1000.0 / ticks;
}

// Microseconds of CPU per tick, per-listener encoding (Janus AudioBridge's model: decode every
// sender, mix everyone unmuted, encode each listener's mix-minus with its own encoder).
double RunPerListener(const Input& in, int ticks, int complexity) {
  const int n = static_cast<int>(in.packets.size());
  std::vector<std::unique_ptr<codec::OpusFrameDecoder>> dec;
  std::vector<std::unique_ptr<codec::OpusFrameEncoder>> enc;
  for (int a = 0; a < n; ++a) {
    dec.push_back(std::make_unique<codec::OpusFrameDecoder>());
    enc.push_back(std::make_unique<codec::OpusFrameEncoder>(
        codec::EncoderSettings{32000, complexity, true, 5}));
  }
  std::vector<std::vector<int16_t>> pcm(static_cast<size_t>(n),
                                        std::vector<int16_t>(kOpusFrameSamples));
  std::vector<int32_t> sum(kOpusFrameSamples), minus(kOpusFrameSamples);
  std::vector<int16_t> out(kOpusFrameSamples);
  std::vector<uint8_t> packet(kMaxOpusPacket);
  mixer::Limiter limiter;
  Transport transport(n);
  int64_t start = 0;
  const int warmup = 10;
  for (int t = 0; t < warmup + ticks; ++t) {
    if (t == warmup) start = bench::ThreadCpuNs();
    std::fill(sum.begin(), sum.end(), 0);
    for (int a = 0; a < n; ++a) {
      const auto& p = in.packets[static_cast<size_t>(a)];
      dec[static_cast<size_t>(a)]->Decode(p[static_cast<size_t>(t) % p.size()],
                                          pcm[static_cast<size_t>(a)]);
      for (int i = 0; i < kOpusFrameSamples; ++i) sum[i] += pcm[static_cast<size_t>(a)][i];
    }
    for (int a = 0; a < n; ++a) {
      for (int i = 0; i < kOpusFrameSamples; ++i)
        minus[i] = sum[i] - pcm[static_cast<size_t>(a)][i];
      limiter.Process(minus, out);
      const size_t len = enc[static_cast<size_t>(a)]->Encode(out, packet);
      transport.Send(static_cast<size_t>(a), std::span<const uint8_t>(packet.data(), len),
                     static_cast<uint32_t>(t * 960));
    }
    transport.Flush();
  }
  return static_cast<double>(bench::ThreadCpuNs() - start) / 1000.0 / ticks;
}

// Log-spectral distance (dB, RMS over 48 frequencies from 100 Hz to 12 kHz and 20 ms frames)
// between x and decode(encode(x)), aligned for Opus's 312-sample (6.5 ms) delay: a crude quality
// proxy - waveform SNR means little for Opus, which codes noise parametrically - lower is better.
void ComplexitySweep() {
  std::printf("\nOpus per complexity on the voice-like test signal (32 kb/s, FEC on):\n");
  std::printf("%-10s %14s %14s %12s\n", "complexity", "encode us/frm", "decode us/frm", "LSD dB");
  for (int c : {0, 3, 5, 8, 10}) {
    codec::OpusFrameEncoder enc(codec::EncoderSettings{32000, c, true, 5});
    codec::OpusFrameDecoder dec;
    codec::VoiceLikeTone voice(220, 0.2, 0.08, 3);
    codec::VoiceLikeTone voice2(330, 0.15, 0.05, 4);
    const int frames = 500;
    std::vector<int16_t> x(static_cast<size_t>(frames) * kOpusFrameSamples), y(x.size());
    std::vector<int16_t> tmp(kOpusFrameSamples);
    for (int f = 0; f < frames; ++f) {
      std::span<int16_t> frame(x.data() + static_cast<size_t>(f) * kOpusFrameSamples,
                               kOpusFrameSamples);
      voice.Fill(frame);
      voice2.Fill(tmp);
      for (int i = 0; i < kOpusFrameSamples; ++i)
        frame[i] = static_cast<int16_t>(frame[i] / 2 + tmp[i] / 2);
    }
    std::vector<std::vector<uint8_t>> packets(frames);
    int64_t t0 = bench::ThreadCpuNs();
    for (int f = 0; f < frames; ++f) {
      packets[f].resize(kMaxOpusPacket);
      packets[f].resize(enc.Encode(
          std::span(x.data() + static_cast<size_t>(f) * kOpusFrameSamples, kOpusFrameSamples),
          packets[f]));
    }
    const double enc_us = static_cast<double>(bench::ThreadCpuNs() - t0) / 1000.0 / frames;
    t0 = bench::ThreadCpuNs();
    for (int f = 0; f < frames; ++f)
      dec.Decode(packets[f], std::span(y.data() + static_cast<size_t>(f) * kOpusFrameSamples,
                                       kOpusFrameSamples));
    const double dec_us = static_cast<double>(bench::ThreadCpuNs() - t0) / 1000.0 / frames;
    const size_t delay = 312;
    double sq = 0;
    int count = 0;
    for (int f = 50; f + 1 < frames; ++f) {
      const size_t at = static_cast<size_t>(f) * kOpusFrameSamples;
      std::span<const int16_t> a(x.data() + at, kOpusFrameSamples),
          b(y.data() + at + delay, kOpusFrameSamples);
      for (int k = 0; k < 48; ++k) {
        const double hz = 100.0 * std::pow(120.0, k / 47.0);
        const double d =
            std::max(codec::GoertzelDb(a, hz), -90.0) - std::max(codec::GoertzelDb(b, hz), -90.0);
        sq += d * d;
        ++count;
      }
    }
    std::printf("%-10d %14.1f %14.1f %12.2f\n", c, enc_us, dec_us, std::sqrt(sq / count));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int ticks = argc > 1 ? std::atoi(argv[1]) : 200;
  const int complexity = 5;
  std::printf(
      "one meeting, K=3 mixed talkers, Opus 32 kb/s complexity %d FEC on, %d ticks (20 ms) per "
      "case;\n"
      "CPU us per tick incl. SRTP protect + sendmmsg of every listener's packet\n\n",
      complexity, ticks);
  std::printf("%-9s %-8s %14s %16s %18s %8s\n", "attendees", "talkers", "shared us/tick",
              "shared us/att/tk", "per-listener us/tk", "ratio");
  for (int n : {10, 50, 100, 250}) {
    for (int talkers : {1, 3, 10}) {
      if (talkers > n) continue;
      const Input in = MakeInput(n, talkers);
      const double shared = RunShared(in, ticks, complexity);
      const double baseline = RunPerListener(in, std::max(20, ticks * 50 / n / 2), complexity);
      std::printf("%-9d %-8d %14.0f %16.2f %18.0f %7.1fx\n", n, talkers, shared, shared / n,
                  baseline, baseline / shared);
      std::fflush(stdout);
    }
  }
  ComplexitySweep();
  return 0;
}

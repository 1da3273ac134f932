#include "loadtest/audio_participant.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "base/random.h"
#include "codec/audio_level.h"
#include "codec/opus_codec.h"
#include "codec/tone.h"
#include "loadtest/audio_offer.h"
#include "loadtest/client_transport.h"
#include "loadtest/signaling_client.h"
#include "signaling/sdp/session_description.h"
#include "transport/dtls/dtls_context.h"
#include "transport/ice/ice_lite.h"
#include "transport/wire/red_payload.h"
#include "transport/wire/rtp_packet.h"

namespace sfu::loadtest {
namespace asio = boost::asio;
using signaling::proto::SdkSignalFrame;
using namespace std::chrono_literals;

namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct AudioParticipant::Impl {
  Impl(asio::io_context& i, const transport::DtlsContext& d, AudioParticipantConfig c)
      : io(i),
        dtls(d),
        cfg(std::move(c)),
        timer(i),
        enc(codec::EncoderSettings{32000, 5, true, 10}),
        sine(cfg.tone_hz, cfg.amplitude),
        voice(cfg.tone_hz, cfg.amplitude, 0.08, cfg.seed),
        rng(cfg.seed) {
    ssrc = base::RandomU32();
    seq = static_cast<uint16_t>(base::RandomU32());
    ssrc |= 1;
  }

  void SendTick() {
    if (stopping) return;
    if (std::chrono::steady_clock::now() > next + 15ms) {
      std::lock_guard<std::mutex> lock(mu);
      if (result.send_stalls_us.size() < 10'000) result.send_stalls_us.push_back(SteadyMicros());
    }
    std::vector<int16_t> pcm(codec::kOpusFrameSamples, 0);
    const bool on = talking.load();
    if (on && !was_talking) talk_started_us = SteadyMicros();  // the first packet with the tone
    was_talking = on;
    if (on && cfg.amplitude > 0) {
      if (cfg.voice_like)
        voice.Fill(pcm);
      else
        sine.Fill(pcm);
    }
    std::vector<uint8_t> opus(codec::kMaxOpusPacket);
    opus.resize(enc.Encode(pcm, opus));
    const uint8_t level = static_cast<uint8_t>(codec::LevelDbov(pcm));
    const bool drop = cfg.uplink_loss > 0 && std::bernoulli_distribution(cfg.uplink_loss)(rng);
    if (!opus.empty()) {
      uint8_t buf[1500];
      wire::RtpHeaderWriter w;
      w.SetPayloadType(static_cast<uint8_t>(cfg.red ? kOfferRedPt : kOfferOpusPt));
      w.SetSequenceNumber(seq);
      w.SetTimestamp(ts);
      w.SetSsrc(ssrc);
      const uint8_t ext[1] = {static_cast<uint8_t>((level < 127 ? 0x80 : 0) | level)};
      w.AddExtension(kOfferAudioLevelExtId, ext);
      const size_t header = w.WriteTo(buf);
      size_t payload = 0;
      if (cfg.red) {
        wire::RedBlock blocks[3];
        size_t n = 0;
        for (size_t back = history.size(); back >= 1; --back)
          blocks[n++] = {static_cast<uint8_t>(kOfferOpusPt), static_cast<uint32_t>(back * 960),
                         history[history.size() - back]};
        blocks[n++] = {static_cast<uint8_t>(kOfferOpusPt), 0, opus};
        payload = wire::WriteRedPayload(std::span(blocks, n),
                                        std::span(buf + header, sizeof(buf) - header));
        history.push_back(opus);
        if (history.size() > 2) history.erase(history.begin());
      } else if (opus.size() <= sizeof(buf) - header) {
        std::copy(opus.begin(), opus.end(), buf + header);
        payload = opus.size();
      }
      if (header && payload) {
        std::lock_guard<std::mutex> lock(mu);
        drop_run = drop ? drop_run + 1 : 0;
        result.longest_drop_run = std::max(result.longest_drop_run, drop_run);
        if (drop) {
          ++result.packets_dropped;
        } else if (media && media->SendRtp(std::span<const uint8_t>(buf, header + payload))) {
          ++result.packets_sent;
        }
      }
    }
    ++seq;
    ts += 960;
    next += 20ms;
    if (std::chrono::steady_clock::now() > next + 200ms) next = std::chrono::steady_clock::now();
    timer.expires_at(next);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) SendTick();
    });
  }

  void OnRtp(std::span<const uint8_t> data) {
    auto pkt = wire::RtpPacketView::Parse(data);
    if (!pkt || pkt->payload_type() != answer_opus_pt) return;
    std::vector<int16_t> pcm(codec::kOpusFrameSamples);
    const bool ok = dec.Decode(pkt->payload(), pcm);
    std::vector<float> dbs;
    for (double f : cfg.watch_hz) dbs.push_back(static_cast<float>(codec::GoertzelDb(pcm, f)));
    std::lock_guard<std::mutex> lock(mu);
    AudioParticipantResult& r = result;
    ++r.packets_received;
    r.payload_bytes_received += pkt->payload().size();
    if (!ok) ++r.undecodable;
    if (have_last) {
      if (pkt->ssrc() != r.downlink_ssrc) ++r.ssrc_changes;
      const uint16_t expected = static_cast<uint16_t>(last_seq + 1);
      if (pkt->sequence_number() != expected) ++r.seq_gaps;
      if (pkt->timestamp() - last_ts != 960u) ++r.timestamp_jumps;
    }
    have_last = true;
    r.downlink_ssrc = pkt->ssrc();
    last_seq = pkt->sequence_number();
    last_ts = pkt->timestamp();
    if (r.frame_db.size() < 30'000) {  // 10 minutes of frames
      r.frame_db.push_back(std::move(dbs));
      r.frame_arrival_us.push_back(SteadyMicros());
    }
  }

  asio::io_context& io;
  const transport::DtlsContext& dtls;
  AudioParticipantConfig cfg;
  SignalingClient sig;
  std::unique_ptr<ClientTransport> media;  // io thread
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point next;
  codec::OpusFrameEncoder enc;
  codec::OpusFrameDecoder dec;
  codec::SineGenerator sine;
  codec::VoiceLikeTone voice;
  std::mt19937 rng;
  std::vector<std::vector<uint8_t>> history;  // the last two Opus payloads (RED)
  uint32_t ssrc = 0;
  uint16_t seq = 0;
  uint32_t ts = 0;
  int answer_opus_pt = kOfferOpusPt;
  std::atomic<bool> talking{true};
  bool was_talking = false;  // io thread
  std::atomic<int64_t> talk_started_us{0};
  std::atomic<bool> connected{false};
  std::atomic<bool> failed{false};
  std::atomic<bool> stopping{false};
  bool started = false;
  mutable std::mutex mu;
  AudioParticipantResult result;
  bool have_last = false;
  int drop_run = 0;
  uint16_t last_seq = 0;
  uint32_t last_ts = 0;
};

AudioParticipant::AudioParticipant(asio::io_context& io, const transport::DtlsContext& dtls,
                                   AudioParticipantConfig config)
    : impl_(std::make_unique<Impl>(io, dtls, std::move(config))) {}

AudioParticipant::~AudioParticipant() { Stop(); }

bool AudioParticipant::Start(std::string* error, int timeout_ms) {
  Impl& m = *impl_;
  const AudioParticipantConfig& c = m.cfg;
  if (!m.sig.Connect(c.host, c.port, c.meeting_id, c.join_token,
                     SignalingClient::TokenVia::kSubprotocol, error))
    return false;
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  m.sig.Send(signaling::proto::MakeFrame(SdkSignalFrame::JOIN));
  if (!m.sig.ReceiveType(SdkSignalFrame::JOIN_ACK, timeout)) {
    *error = "no JOIN_ACK (close code " + std::to_string(m.sig.close_code()) + ")";
    return false;
  }
  AudioOfferParams op;
  op.ice_ufrag = transport::RandomIceString(8);
  op.ice_pwd = transport::RandomIceString(24);
  op.fingerprint = m.dtls.fingerprint();
  op.audio_ssrc = m.ssrc;
  op.red = c.red;
  SdkSignalFrame sub = signaling::proto::MakeFrame(SdkSignalFrame::SUBSCRIBE);
  sub.mutable_sub()->set_sdp_offer(MakeAudioOffer(op));
  sub.mutable_sub()->set_audio_host("host");
  sub.mutable_sub()->set_audio_muted(c.muted);
  m.sig.Send(sub);
  auto ack = m.sig.ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, timeout);
  if (!ack) {
    *error = "no SUBSCRIBE_ACK";
    return false;
  }
  if (ack->has_error() && ack->error().status() != 0) {
    *error = "SUBSCRIBE refused: " + ack->error().description();
    return false;
  }
  const std::string& answer = ack->suback().sdp_answer();
  auto parsed = sdp::Parse(answer);
  if (!parsed.description || parsed.description->media.empty()) {
    *error = "bad SDP answer: " + parsed.error;
    return false;
  }
  const sdp::MediaSection& audio = parsed.description->media[0];
  ClientTransportParams p;
  if (!ReadAnswerCandidates(answer, &p)) {
    *error = "SDP answer without a candidate";
    return false;
  }
  p.server_ufrag = audio.ice_ufrag;
  p.server_pwd = audio.ice_pwd;
  p.server_fingerprint = audio.fingerprint;
  p.local_ufrag = op.ice_ufrag;
  p.local_pwd = op.ice_pwd;
  ClientTransport::Callbacks cb;
  cb.on_connected = [&m] { m.connected = true; };
  cb.on_failed = [&m](const std::string&) { m.failed = true; };
  cb.on_rtp = [&m](std::span<const uint8_t> d) { m.OnRtp(d); };
  std::promise<void> made;
  asio::post(m.io, [&m, p, cb, &made] {
    m.media = std::make_unique<ClientTransport>(m.io, m.dtls, p, cb);
    m.media->Start();
    made.set_value();
  });
  made.get_future().wait();
  m.started = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!m.connected && !m.failed && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  if (!m.connected) {
    *error = m.failed ? "media transport failed" : "media did not connect within the timeout";
    return false;
  }
  m.talk_started_us = SteadyMicros();
  asio::post(m.io, [&m] {
    m.next = std::chrono::steady_clock::now();
    m.SendTick();
  });
  return true;
}

void AudioParticipant::Stop() {
  Impl& m = *impl_;
  if (m.stopping.exchange(true)) return;
  if (m.started) {
    std::promise<void> done;
    asio::post(m.io, [&m, &done] {
      m.timer.cancel();
      {
        std::lock_guard<std::mutex> lock(m.mu);
        m.media.reset();
      }
      done.set_value();
    });
    if (m.io.stopped() ||
        done.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      std::lock_guard<std::mutex> lock(m.mu);  // the io thread is gone or stuck: tear down here
      m.media.reset();
    }
  }
  m.sig.Send(signaling::proto::MakeFrame(SdkSignalFrame::LEAVE));
  m.sig.Close();
}

AudioParticipantResult AudioParticipant::Snapshot() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->result;
}

void AudioParticipant::SetTalking(bool talking) { impl_->talking = talking; }

int64_t AudioParticipant::talk_started_us() const { return impl_->talk_started_us; }

}  // namespace sfu::loadtest

#include "loadtest/sim_attendee.h"

#include <openssl/rand.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <functional>

#include "codec/opus_codec.h"
#include "codec/tone.h"
#include "loadtest/audio_offer.h"
#include "loadtest/chime_attendee.h"
#include "loadtest/client_transport.h"
#include "loadtest/janus_attendee.h"
#include "transport/dtls/dtls_context.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/fir.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/remb.h"
#include "transport/wire/rtp_packet.h"

namespace sfu::loadtest {
namespace asio = boost::asio;

namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr double kHeardDb = -30;
// A talker hearing itself would hear its tone at about -14 dB. Opus's coding noise of the others'
// voice-like signals reaches -35 dB in single 20 ms frames at any frequency, so a violation is
// the own tone above -28 dB on average over 100 ms (5 frames).
constexpr double kSelfDb = -28;

}  // namespace

const char* TargetName(Target t) {
  switch (t) {
    case Target::kChime:
      return "chime";
    case Target::kJanusAudioBridge:
      return "janus-audiobridge";
    case Target::kJanusVideoRoom:
      return "janus-videoroom";
  }
  return "?";
}

std::optional<Target> ParseTarget(std::string_view name) {
  for (Target t : {Target::kChime, Target::kJanusAudioBridge, Target::kJanusVideoRoom})
    if (name == TargetName(t)) return t;
  return std::nullopt;
}

std::unique_ptr<SimAttendee> SimAttendee::Create(asio::io_context& io,
                                                 const transport::DtlsContext& dtls,
                                                 const SignalBank& bank, SimConfig config) {
  if (IsJanus(config.target))
    return std::make_unique<JanusAttendee>(io, dtls, bank, std::move(config));
  return std::make_unique<ChimeAttendee>(io, dtls, bank, std::move(config));
}

SimAttendee::SimAttendee(asio::io_context& io, const transport::DtlsContext& dtls,
                         const SignalBank& bank, SimConfig config)
    : io_(io),
      dtls_(dtls),
      bank_(bank),
      cfg_(std::move(config)),
      rng_(cfg_.seed),
      alive_(std::make_shared<bool>(true)) {
  ssrc_ = static_cast<uint32_t>(rng_()) | 1u;
  seq_ = static_cast<uint16_t>(rng_());
  ts_ = static_cast<uint32_t>(rng_());
  phase_ = static_cast<int>(rng_() % SignalBank::kLoopFrames);
  if (cfg_.analyse) decoder_ = std::make_unique<codec::OpusFrameDecoder>();
  video_ts_ = static_cast<uint32_t>(rng_());
  auto add_layer = [&](const VideoBank* bank, const char* rid) {
    SendLayer l;
    l.bank = bank;
    l.rid = rid;
    l.ssrc = static_cast<uint32_t>(rng_()) | 2u;
    l.seq = static_cast<uint16_t>(rng_());
    l.rtx_ssrc = static_cast<uint32_t>(rng_()) | 4u;
    l.rtx_seq = static_cast<uint16_t>(rng_());
    l.picture_id = static_cast<uint16_t>(rng_() & 0x7fff);
    l.sent.resize(256);
    send_layers_.push_back(std::move(l));
  };
  if (cfg_.simulcast[0] && cfg_.simulcast[1] && cfg_.simulcast[2]) {
    add_layer(cfg_.simulcast[0], "low");
    add_layer(cfg_.simulcast[1], "mid");
    add_layer(cfg_.simulcast[2], "hi");
  } else if (cfg_.video) {
    add_layer(cfg_.video, "");
  }
}

// A subclass's destructor runs Teardown() (which needs its CloseSignaling); what is left here
// is media only.
SimAttendee::~SimAttendee() {
  *alive_ = false;
  media_down_.reset();
  media_.reset();
}

void SimAttendee::BeginJoin() {
  ++stats_.joins_attempted;
  state_ = State::kConnecting;
  join_start_us_ = NowUs();
  last_audio_us_ = 0;
  last_rx_us_ = 0;
  have_seq_ = false;
  have_transit_ = false;
  muted_ = false;
  // What it hears is judged from this join on: a tone already playing when it joins is not an
  // onset (mouth-to-ear), and its own tone's history starts again.
  off_run_.fill(0);
  self_power_.fill(0);
  self_at_ = 0;
}

ClientTransport::Callbacks SimAttendee::MediaCallbacks(const char* name,
                                                       std::function<void()> on_connected) {
  ClientTransport::Callbacks cb;
  if (cfg_.trace) {
    cb.on_trace = [trace = cfg_.trace, name](boost::json::object event) {
      boost::json::object line{{"kind", "transport"}, {"transport", name}};
      for (auto& kv : event) line[kv.key()] = std::move(kv.value());
      trace->Write(std::move(line));
    };
  }
  cb.on_connected = std::move(on_connected);
  cb.on_failed = [this](const std::string& why) { Fail("media: " + why); };
  cb.on_rtp = [this](std::span<const uint8_t> d) { OnRtp(d.data(), d.size()); };
  cb.on_rtcp = [this](std::span<const uint8_t> d) { OnRtcp(d.data(), d.size()); };
  return cb;
}

void SimAttendee::OnMediaConnected() {
  state_ = State::kMedia;
  if (cfg_.target == Target::kJanusVideoRoom) MarkJoined(NowUs());
}

void SimAttendee::MarkJoined(int64_t now_us) {
  if (stats_.join_ms.size() >= static_cast<size_t>(stats_.joins_attempted)) return;
  ++stats_.joins_ok;
  stats_.join_ms.push_back(static_cast<double>(now_us - join_start_us_) / 1000.0);
}

void SimAttendee::OnRtp(const uint8_t* data, size_t len) {
  ++stats_.rtp_received;
  if (len > 1 && ((data[1] & 0x7f) == rx_vp8_pt_ || (data[1] & 0x7f) == rx_rtx_pt_))
    ++stats_.video_rtp_received;
  const Impairment& im = cfg_.impairment;
  // Our own drops of mixed audio are counted apart: the verdict judges the server's loss.
  const bool audio = len > 1 && (data[1] & 0x7f) == kOfferOpusPt;
  if (im.loss > 0 && std::bernoulli_distribution(im.loss)(rng_)) {
    stats_.audio_downlink_impaired += audio;
    return;
  }
  if (im.downlink_kbps > 0) {
    const int64_t now = NowUs();
    const bool limited =
        now >= im.limit_from_us && (im.limit_until_us == 0 || now < im.limit_until_us);
    if (limited || !downlink_q_.empty()) {
      // The bottleneck: each packet leaves after those before it, at the link rate; a packet
      // that would wait longer than the queue holds is dropped (tail drop).
      const int64_t start = std::max(now, downlink_free_us_);
      const int64_t release =
          limited ? start + static_cast<int64_t>(len) * 8 * 1000 / im.downlink_kbps : start;
      if (release - now > Impairment::kMaxQueueMs * 1000) {
        ++stats_.downlink_dropped;
        stats_.audio_downlink_impaired += audio;
        return;
      }
      downlink_free_us_ = release;
      downlink_q_.push_back({release, std::vector<uint8_t>(data, data + len)});
      DrainDownlink(now);
      return;
    }
  }
  ProcessRtp(data, len);
}

void SimAttendee::DrainDownlink(int64_t now_us) {
  while (!downlink_q_.empty() && downlink_q_.front().release_us <= now_us) {
    std::vector<uint8_t> p = std::move(downlink_q_.front().packet);
    downlink_q_.pop_front();
    ProcessRtp(p.data(), p.size());
    if (!media_) return;  // torn down meanwhile
  }
}

void SimAttendee::ProcessRtp(const uint8_t* data, size_t len) {
  auto pkt = wire::RtpPacketView::Parse(std::span<const uint8_t>(data, len));
  if (!pkt) return;
  const int64_t now = NowUs();
  last_rx_us_ = now;
  if (pkt->payload_type() == rx_vp8_pt_ || pkt->payload_type() == rx_rtx_pt_) {
    video_rx_.OnRtp(*pkt, rx_rtx_pt_, now);
    return;
  }
  if (pkt->payload_type() != rx_opus_pt_) return;
  // Targets that forward audio unmixed: one stream per publisher, counted but not analysed.
  if (cfg_.target == Target::kJanusVideoRoom) {
    ++stats_.audio_received;
    return;
  }
  if (last_audio_us_ == 0) MarkJoined(now);
  last_audio_us_ = now;
  downlink_ssrc_ = pkt->ssrc();
  ++stats_.audio_received;
  // Loss from the sequence span; jitter per RFC 3550 §6.4.1 (48 kHz clock).
  const uint16_t s16 = pkt->sequence_number();
  if (!have_seq_) {
    have_seq_ = true;
    first_seq_ = highest_seq_ = s16;
  } else {
    const int64_t s = highest_seq_ + static_cast<int16_t>(s16 - last_seq16_);
    if (s > highest_seq_) {
      stats_.audio_expected += static_cast<uint64_t>(s - highest_seq_);
      highest_seq_ = s;
    }
  }
  if (stats_.audio_expected == 0) stats_.audio_expected = 1;  // the first packet
  last_seq16_ = s16;
  const double transit =
      static_cast<double>(now) / 1000.0 - static_cast<double>(pkt->timestamp()) / 48.0;
  if (have_transit_) {
    double d = std::fabs(transit - last_transit_);
    if (d > 10'000) d = 0;
    stats_.jitter_ms += (d - stats_.jitter_ms) / 16.0;
  }
  have_transit_ = true;
  last_transit_ = transit;
  if (!decoder_) return;
  // What it hears: decode and look for each talker's frequency.
  std::vector<int16_t> pcm(codec::kOpusFrameSamples);
  if (!decoder_->Decode(pkt->payload(), pcm)) return;
  ++stats_.analysed_frames;
  const int talkers = std::min(cfg_.meeting->talkers, 10);
  for (int t = 0; t < talkers; ++t) {
    const double db = codec::GoertzelDb(pcm, bank_.Frequency(t));
    if (t == cfg_.talker_index) {
      self_power_[self_at_++ % self_power_.size()] = std::pow(10.0, db / 10.0);
      double mean = 0;
      for (double p : self_power_) mean += p;
      mean /= static_cast<double>(self_power_.size());
      if (self_at_ >= self_power_.size() && 10.0 * std::log10(mean + 1e-20) > kSelfDb)
        ++stats_.mix_minus_violations;
      continue;
    }
    const bool heard = db > kHeardDb;
    const int64_t onset =
        cfg_.meeting->onset_us[static_cast<size_t>(t)].load(std::memory_order_relaxed);
    // Presence: while the talker is in the middle of its on-phase (allowing 100 ms for the path).
    const int64_t since = now - onset;
    if (onset > 0 && talkers <= cfg_.mixed_talkers && since > 200'000 &&
        since < (SignalBank::kTalkFrames * 20'000 - 100'000)) {
      ++stats_.presence_frames;
      if (heard) ++stats_.presence_heard;
    }
    // Mouth-to-ear: the first frame carrying the tone after a silent stretch.
    int& off = off_run_[static_cast<size_t>(t)];
    if (heard) {
      if (off >= 10 && onset > 0 && since > 0 && since < 500'000) {
        stats_.mouth_to_ear_ms.push_back(static_cast<double>(since) / 1000.0);
        stats_.mouth_to_ear_at_us.push_back(now);
      }
      off = 0;
    } else {
      ++off;
    }
  }
}

bool SimAttendee::UplinkLost() {
  const Impairment& im = cfg_.impairment;
  if (im.burst_loss > 0) {
    if (in_burst_) {
      if (std::bernoulli_distribution(0.25)(rng_)) in_burst_ = false;  // mean burst 4 packets
    } else if (std::bernoulli_distribution(im.burst_loss)(rng_)) {
      in_burst_ = true;
    }
    if (in_burst_) return true;
  }
  return im.loss > 0 && std::bernoulli_distribution(im.loss)(rng_);
}

void SimAttendee::SendReceiverReport() {
  // RFC 3550 §6.4.2, like a browser: loss since the last report, cumulative loss, extended
  // highest sequence number and interarrival jitter of the mixed-audio stream.
  wire::rtcp::ReceiverReport rr;
  rr.SetSenderSsrc(ssrc_);
  if (have_seq_ && downlink_ssrc_ != 0) {
    const uint64_t expected = stats_.audio_expected, received = stats_.audio_received;
    const uint64_t de = expected - rr_expected_, dr = received - rr_received_;
    rr_expected_ = expected;
    rr_received_ = received;
    wire::rtcp::ReportBlock b;
    b.source_ssrc = downlink_ssrc_;
    b.fraction_lost =
        de > dr && de > 0 ? static_cast<uint8_t>(std::min<uint64_t>(255, (de - dr) * 256 / de)) : 0;
    b.cumulative_lost = static_cast<int32_t>(expected > received ? expected - received : 0);
    b.extended_highest_sequence = static_cast<uint32_t>(highest_seq_);
    b.jitter = static_cast<uint32_t>(stats_.jitter_ms * 48.0);
    rr.AddReportBlock(b);
  }
  // Video: a block per received stream and, like Chrome without transport-cc, a REMB.
  for (const wire::rtcp::ReportBlock& vb : video_rx_.ReportBlocks()) rr.AddReportBlock(vb);
  if (rr.report_blocks().empty()) return;
  uint8_t buf[1024];
  size_t n = rr.Create(buf);
  const std::vector<uint32_t> video_ssrcs = video_rx_.ssrcs();
  if (n && !video_ssrcs.empty()) {
    if (const uint64_t bps = video_rx_.RembBps(NowUs())) {
      wire::rtcp::Remb remb;
      remb.SetSenderSsrc(ssrc_);
      remb.SetBitrateBps(bps);
      remb.SetSsrcs(
          std::span<const uint32_t>(video_ssrcs.data(), std::min<size_t>(video_ssrcs.size(), 32)));
      n += remb.Create(std::span<uint8_t>(buf + n, sizeof(buf) - n));
    }
  }
  if (n && FeedbackTransport()->SendRtcp(std::span<const uint8_t>(buf, n))) ++stats_.rtcp_sent;
}

void SimAttendee::SendVideoFeedback(int64_t now_us) {
  // NACKs and PLIs for what we receive, as soon as they are due (like a browser's NACK module).
  const VideoReceiver::Feedback fb = video_rx_.Poll(now_us);
  for (const auto& [ssrc, seqs] : fb.nacks) {
    wire::rtcp::Nack nack;
    nack.SetSenderSsrc(ssrc_);
    nack.SetMediaSsrc(ssrc);
    nack.SetLostPackets(seqs);
    uint8_t buf[600];
    if (const size_t n = nack.Create(buf))
      FeedbackTransport()->SendRtcp(std::span<const uint8_t>(buf, n));
  }
  for (uint32_t ssrc : fb.plis) {
    wire::rtcp::Pli pli;
    pli.SetSenderSsrc(ssrc_);
    pli.SetMediaSsrc(ssrc);
    uint8_t buf[32];
    if (const size_t n = pli.Create(buf))
      FeedbackTransport()->SendRtcp(std::span<const uint8_t>(buf, n));
  }
}

const AttendeeStats& SimAttendee::stats() {
  const VideoReceiveStats& v = video_rx_.stats();
  stats_.video_frames_received = v.frames_decoded;
  stats_.video_frames_expected = v.frames_expected;
  stats_.video_freezes = v.freezes;
  stats_.video_packets_received = v.packets;
  stats_.video_packets_recovered = v.recovered;
  stats_.video_padding_bytes = v.padding_bytes;
  stats_.video_nacks_sent = v.nacks_sent;
  stats_.video_plis_sent = v.plis_sent;
  stats_.video_stream_seconds = v.stream_seconds;
  stats_.meeting = cfg_.meeting_index;
  stats_.video_keyframe_wait_ms = v.keyframe_wait_ms;
  stats_.video_first_frame_ms = v.first_frame_ms;
  stats_.video_width_changes = v.width_changes;
  stats_.downlink_kbps = cfg_.impairment.downlink_kbps;
  stats_.limit_from_us = cfg_.impairment.limit_from_us;
  stats_.limit_until_us = cfg_.impairment.limit_until_us;
  return stats_;
}

void SimAttendee::OnRtcp(const uint8_t* data, size_t len) {
  wire::rtcp::CompoundIterator it(std::span<const uint8_t>(data, len));
  while (auto b = it.Next()) {
    if (b->type() == wire::rtcp::kPacketTypePsfb) {
      wire::rtcp::Pli pli;
      wire::rtcp::Fir fir;
      auto key_frame_for = [this](uint32_t ssrc) {
        for (auto& l : send_layers_) {
          if (l.ssrc != ssrc) continue;
          l.force_key = true;
          ++stats_.video_keyframe_requests;
        }
      };
      if (b->fmt() == 1 && pli.Parse(*b)) key_frame_for(pli.media_ssrc());
      // FIR (RFC 5104 §4.3.1) names its streams in the entries (Janus sends it too).
      if (b->fmt() == 4 && fir.Parse(*b))
        for (size_t i = 0; i < fir.request_count(); ++i) key_frame_for(fir.request(i).ssrc);
    } else if (b->type() == wire::rtcp::kPacketTypeRtpfb && b->fmt() == 1) {
      wire::rtcp::Nack nack;
      if (!nack.Parse(*b) || !media_) continue;
      for (auto& l : send_layers_) {
        if (l.ssrc != nack.media_ssrc()) continue;
        nack.ForEachLostPacket([&](uint16_t seq) {
          const auto& p = l.sent[seq % l.sent.size()];
          if (p.size() < 4 || ((p[2] << 8) | p[3]) != seq) return;
          if (!camera_rtx_) {
            if (media_->SendRtp(p)) ++stats_.video_retransmissions;
            return;
          }
          // RFC 4588 on the RTX SSRC: the original sequence number before the payload; the RID
          // in repaired-rtp-stream-id with simulcast.
          auto orig = wire::RtpPacketView::Parse(p);
          if (!orig) return;
          uint8_t buf[1500];
          wire::RtpHeaderWriter w;
          w.SetMarker(orig->marker());
          w.SetPayloadType(kOfferRtxPt);
          w.SetSequenceNumber(l.rtx_seq++);
          w.SetTimestamp(orig->timestamp());
          w.SetSsrc(l.rtx_ssrc);
          if (!l.rid.empty())
            w.AddExtension(kOfferRepairedRidExtId,
                           std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(l.rid.data()),
                                                    l.rid.size()));
          const size_t h = w.WriteTo(buf);
          const auto payload = orig->payload();
          if (h == 0 || h + 2 + payload.size() > sizeof(buf)) return;
          buf[h] = static_cast<uint8_t>(seq >> 8);
          buf[h + 1] = static_cast<uint8_t>(seq);
          std::copy(payload.begin(), payload.end(), buf + h + 2);
          if (media_->SendRtp(std::span<const uint8_t>(buf, h + 2 + payload.size())))
            ++stats_.video_retransmissions;
        });
      }
    }
  }
}

void SimAttendee::SendVideoFrame() {
  video_ts_ += VideoBank::kTicksPerFrame;
  for (SendLayer& l : send_layers_) {
    const auto& frames = l.bank->frames();
    if (frames.empty()) continue;
    if (l.force_key) {
      l.frame = 0;  // the loop's first frame is a key frame
      l.force_key = false;
    }
    const VideoBank::Frame& fr = frames[l.frame % frames.size()];
    ++l.frame;
    if (l.frame % frames.size() == 0) l.frame = 1;  // loop past the key frame: only PLIs restart it
    l.picture_id = static_cast<uint16_t>((l.picture_id + 1) & 0x7fff);
    for (size_t i = 0; i < fr.payloads.size(); ++i) {
      std::vector<uint8_t> payload = fr.payloads[i];
      VideoBank::SetPictureId(payload, l.picture_id);
      uint8_t buf[1500];
      wire::RtpHeaderWriter w;
      w.SetPayloadType(kOfferVp8Pt);
      w.SetSequenceNumber(l.seq);
      w.SetTimestamp(video_ts_);
      w.SetSsrc(l.ssrc);
      w.SetMarker(i + 1 == fr.payloads.size());
      if (!l.rid.empty())
        w.AddExtension(
            kOfferRidExtId,
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(l.rid.data()), l.rid.size()));
      if (camera_mid_ext_) {
        static const uint8_t kCameraMid[] = {'1'};
        w.AddExtension(kOfferMidExtId, kCameraMid);
      }
      const size_t h = w.WriteTo(buf);
      if (h == 0 || h + payload.size() > sizeof(buf)) break;
      std::copy(payload.begin(), payload.end(), buf + h);
      std::vector<uint8_t>& slot = l.sent[l.seq % l.sent.size()];
      slot.assign(buf, buf + h + payload.size());
      ++l.seq;
      if (UplinkLost()) continue;
      media_->SendRtp(slot);
    }
  }
  ++stats_.video_frames_sent;
}

void SimAttendee::Tick(uint64_t frame, int64_t now_us) {
  if (state_ != State::kIdle && state_ != State::kFailed) OnSignalingTick(frame);
  if (state_ != State::kMedia || !media_) return;
  if (!downlink_q_.empty()) {
    DrainDownlink(now_us);
    if (!media_) return;
  }
  SendVideoFeedback(now_us);
  if (const Impairment& im = cfg_.impairment; im.downlink_kbps > 0 && im.limit_until_us > 0) {
    constexpr int64_t kSettleUs = 4'000'000;
    const int64_t from = im.limit_from_us + kSettleUs;
    const uint64_t decoded = video_rx_.stats().frames_decoded;
    if (window_start_frames_ < 0 && now_us >= from && now_us < im.limit_until_us)
      window_start_frames_ = static_cast<int64_t>(decoded);
    if (window_start_frames_ >= 0 && now_us >= im.limit_until_us && stats_.limit_window_s == 0) {
      stats_.limit_window_frames = decoded - static_cast<uint64_t>(window_start_frames_);
      stats_.limit_window_s = static_cast<double>(im.limit_until_us - from) / 1e6;
    }
  }
  if ((frame + static_cast<uint64_t>(phase_)) % 50 == 0) SendReceiverReport();
  if (publishing() && frame % 2 == 0) SendVideoFrame();  // 25 fps
  const SignalBank::Packet* p = &bank_.Silence();
  if (cfg_.talker_index >= 0 && !muted_) {
    const uint64_t f = frame + static_cast<uint64_t>(phase_);
    p = &bank_.Talk(cfg_.talker_index, f);
    if (f % SignalBank::kLoopFrames == 0 && cfg_.talker_index < 10)
      cfg_.meeting->onset_us[static_cast<size_t>(cfg_.talker_index)].store(
          now_us, std::memory_order_relaxed);
  }
  uint8_t buf[1500];
  wire::RtpHeaderWriter w;
  w.SetPayloadType(kOfferOpusPt);
  w.SetSequenceNumber(seq_++);
  w.SetTimestamp(ts_);
  ts_ += 960;
  w.SetSsrc(ssrc_);
  const uint8_t ext[1] = {static_cast<uint8_t>((p->level < 127 ? 0x80 : 0) | p->level)};
  w.AddExtension(kOfferAudioLevelExtId, ext);
  const size_t h = w.WriteTo(buf);
  if (h == 0 || h + p->opus.size() > sizeof(buf)) return;
  std::copy(p->opus.begin(), p->opus.end(), buf + h);
  if (UplinkLost()) {
    ++stats_.audio_impaired;
    return;
  }
  const Impairment& im = cfg_.impairment;
  const bool delay_window =
      im.delay_until_us == 0 || (now_us >= im.delay_from_us && now_us < im.delay_until_us);
  if ((im.delay_ms > 0 || im.jitter_ms > 0) && delay_window) {
    SendRtpImpaired(std::vector<uint8_t>(buf, buf + h + p->opus.size()));
    return;
  }
  if (media_->SendRtp(std::span<const uint8_t>(buf, h + p->opus.size()))) ++stats_.audio_sent;
}

void SimAttendee::SendRtpImpaired(std::vector<uint8_t> packet) {
  const Impairment& im = cfg_.impairment;
  const int extra =
      im.jitter_ms > 0 ? static_cast<int>(rng_() % static_cast<uint32_t>(im.jitter_ms + 1)) : 0;
  auto timer =
      std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(im.delay_ms + extra));
  timer->async_wait([this, timer, alive = alive_,
                     packet = std::move(packet)](const boost::system::error_code& ec) {
    if (ec || !*alive || !media_) return;
    if (media_->SendRtp(packet)) ++stats_.audio_sent;
  });
}

void SimAttendee::Fail(const std::string& reason) {
  if (state_ == State::kIdle || state_ == State::kFailed) return;
  stats_.failures.push_back(reason);
  Teardown();
  state_ = State::kFailed;
}

void SimAttendee::ClearOnset() {
  // A talker that leaves or mutes mid-phase is not expected to be heard until its next onset.
  if (cfg_.talker_index >= 0 && cfg_.talker_index < 10)
    cfg_.meeting->onset_us[static_cast<size_t>(cfg_.talker_index)].store(0,
                                                                         std::memory_order_relaxed);
}

void SimAttendee::Teardown() {
  ++connection_gen_;  // late callbacks of this connection are ignored
  ClearOnset();
  downlink_q_.clear();
  downlink_free_us_ = 0;
  CloseSignaling();
  media_down_.reset();
  media_.reset();
}

}  // namespace sfu::loadtest

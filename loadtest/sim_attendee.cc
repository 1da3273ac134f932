#include "loadtest/sim_attendee.h"

#include <openssl/rand.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>

#include "codec/opus_codec.h"
#include "codec/tone.h"
#include "loadtest/async_signaling_client.h"
#include "loadtest/audio_offer.h"
#include "loadtest/client_transport.h"
#include "signaling/proto/frame_codec.h"
#include "signaling/sdp/session_description.h"
#include "transport/dtls/dtls_context.h"
#include "transport/ice/ice_lite.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtcp/fir.h"
#include "transport/wire/rtcp/nack.h"
#include "transport/wire/rtcp/pli.h"
#include "transport/wire/rtcp/receiver_report.h"
#include "transport/wire/rtcp/remb.h"
#include "transport/wire/rtp_packet.h"

namespace sfu::loadtest {
namespace asio = boost::asio;
using signaling::proto::SdkSignalFrame;

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

SimAttendee::~SimAttendee() {
  *alive_ = false;
  Teardown();
}

void SimAttendee::Join() {
  if (in_meeting()) return;
  ++stats_.joins_attempted;
  state_ = State::kConnecting;
  join_start_us_ = NowUs();
  last_audio_us_ = 0;
  have_seq_ = false;
  have_transit_ = false;
  muted_ = false;
  // What it hears is judged from this join on: a tone already playing when it joins is not an
  // onset (mouth-to-ear), and its own tone's history starts again.
  off_run_.fill(0);
  self_power_.fill(0);
  self_at_ = 0;
  // Callbacks of a connection this attendee has since left (Teardown) may still run - a
  // handshake completing, a close arriving - and must not touch the current one (churn leaves
  // and rejoins): each carries the connection's generation.
  const uint64_t gen = ++connection_gen_;
  auto current = [this, gen] { return gen == connection_gen_; };
  AsyncSignalingClient::Callbacks cb;
  cb.on_open = [this, current] {
    if (!current()) return;
    state_ = State::kJoining;
    sig_->Send(signaling::proto::MakeFrame(SdkSignalFrame::JOIN));
  };
  cb.on_frame = [this, current](const SdkSignalFrame& f) {
    if (current()) OnFrame(f);
  };
  cb.on_closed = [this, current](uint16_t code, const std::string& reason) {
    if (!current()) return;
    if (code == 4410) cfg_.meeting->ended = true;
    Fail("signaling closed" + (code ? " " + std::to_string(code) : std::string()) +
         (reason.empty() ? "" : ": " + reason));
  };
  sig_ = AsyncSignalingClient::Create(io_, std::move(cb));
  sig_->Connect(cfg_.meeting->host, cfg_.meeting->port, cfg_.meeting->meeting_id, cfg_.join_token);
}

void SimAttendee::OnFrame(const SdkSignalFrame& f) {
  switch (f.type()) {
    case SdkSignalFrame::JOIN_ACK: {
      if (state_ != State::kJoining) return;
      if (IsTurn(cfg_.media_path)) {
        const auto& creds = f.joinack().turn_credentials();
        turn_ = {};
        turn_.username = creds.username();
        turn_.password = creds.password();
        const std::vector<std::string> uris(creds.uris().begin(), creds.uris().end());
        if (!f.joinack().has_turn_credentials() || !PickTurnUri(uris, cfg_.media_path, &turn_))
          return Fail(std::string("JOIN_ACK without a ") +
                      (cfg_.media_path == MediaPath::kTurnTls ? "turns:" : "turn:") +
                      " TURN URI (the server needs --turn-policy always)");
      }
      state_ = State::kSubscribing;
      ice_ufrag_ = transport::RandomIceString(8);
      ice_pwd_ = transport::RandomIceString(24);
      subscribed_ = wanted_;
      SendSubscribe();
      return;
    }
    case SdkSignalFrame::INDEX:
      return OnIndex(f);
    case SdkSignalFrame::SUBSCRIBE_ACK:
      if (f.has_error() && f.error().status() != 0 && f.error().status() != 206)
        return Fail("SUBSCRIBE refused: " + f.error().description());
      if (publishing() && f.suback().allocations_size() > 0)
        own_group_id_ = f.suback().allocations(0).group_id();
      stats_.video_streams_subscribed = static_cast<uint64_t>(f.suback().tracks_size());
      LearnAnswer(f);
      if (state_ != State::kSubscribing) return;  // a renegotiation: the transport stays
      return OnSubscribeAck(f.suback().sdp_answer());
    case SdkSignalFrame::AUDIO_STATUS:
      if (f.audio_status().audio_status() == 410) cfg_.meeting->ended = true;
      if (f.audio_status().audio_status() >= 300)
        Fail("audio status " + std::to_string(f.audio_status().audio_status()));
      return;
    case SdkSignalFrame::DATA_MESSAGE:
      for (const auto& m : f.data_message().messages()) {
        if (m.has_ingest_time_ns() && m.ingest_time_ns() == 0)
          ++stats_.data_throttled;
        else
          ++stats_.data_received;
      }
      return;
    default:
      return;
  }
}

void SimAttendee::SendSubscribe() {
  AudioOfferParams op{ice_ufrag_, ice_pwd_, dtls_.fingerprint(), ssrc_, cfg_.red};
  SdkSignalFrame sub = signaling::proto::MakeFrame(SdkSignalFrame::SUBSCRIBE);
  const bool simulcast = send_layers_.size() > 1;
  VideoOfferParams vp{publishing(), publishing() ? send_layers_.front().ssrc : 0,
                      static_cast<int>(subscribed_.size()), simulcast,
                      publishing() && !simulcast ? send_layers_.front().rtx_ssrc : 0};
  sub.mutable_sub()->set_sdp_offer(publishing() || !subscribed_.empty() ? MakeOffer(op, vp)
                                                                        : MakeAudioOffer(op));
  sub.mutable_sub()->set_audio_host("host");
  sub.mutable_sub()->set_audio_muted(muted_);
  sub.mutable_sub()->add_send_streams()->set_media_type(signaling::proto::AUDIO);
  if (publishing()) {
    sub.mutable_sub()->set_duplex(signaling::proto::DUPLEX);
    static const uint32_t kSimulcastKbps[] = {150, 300, 500};
    for (size_t i = 0; i < send_layers_.size(); ++i) {
      auto* v = sub.mutable_sub()->add_send_streams();
      v->set_media_type(signaling::proto::VIDEO);
      v->set_max_bitrate_kbps(simulcast ? kSimulcastKbps[i] : 500);
      v->set_framerate(25);
    }
  }
  if (publishing() || !subscribed_.empty()) {
    sub.mutable_sub()->add_receive_stream_ids(0);  // the camera section
    for (uint32_t id : subscribed_) sub.mutable_sub()->add_receive_stream_ids(id);
  }
  sig_->Send(sub);
}

void SimAttendee::OnIndex(const SdkSignalFrame& f) {
  if (!cfg_.receive_video) return;
  // Like the client's default policy: the highest-bitrate stream of every other camera (group).
  std::vector<std::pair<uint32_t, const signaling::proto::SdkStreamDescriptor*>>
      best;  // group -> stream
  for (const auto& s : f.index().sources()) {
    if (s.media_type() != signaling::proto::VIDEO ||
        (own_group_id_ && s.group_id() == own_group_id_))
      continue;
    auto it = std::find_if(best.begin(), best.end(),
                           [&](const auto& b) { return b.first == s.group_id(); });
    if (it == best.end()) {
      if (best.size() < 25) best.emplace_back(s.group_id(), &s);
    } else if (s.max_bitrate_kbps() > it->second->max_bitrate_kbps()) {
      it->second = &s;
    }
  }
  std::vector<uint32_t> wanted;
  for (const auto& b : best) wanted.push_back(b.second->stream_id());
  wanted_ = wanted;
  MaybeResubscribe();
}

void SimAttendee::MaybeResubscribe() {
  // Before media is up the next SUBSCRIBE (or the connection) takes the list.
  if (state_ != State::kMedia) return;
  const std::vector<uint32_t>& wanted = wanted_;
  std::vector<uint32_t> current;
  for (uint32_t id : subscribed_)
    if (id) current.push_back(id);
  std::vector<uint32_t> a = current, b = wanted;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a == b) return;
  // Keep the sections already filled in place; add new ones at the end (like the client).
  std::vector<uint32_t> next;
  for (uint32_t id : subscribed_)
    next.push_back(std::find(wanted.begin(), wanted.end(), id) != wanted.end() ? id : 0);
  for (uint32_t id : wanted)
    if (std::find(next.begin(), next.end(), id) == next.end()) next.push_back(id);
  subscribed_ = next;
  SendSubscribe();
}

void SimAttendee::OnSubscribeAck(const std::string& answer) {
  auto parsed = sdp::Parse(answer);
  if (!parsed.description || parsed.description->media.empty())
    return Fail("bad SDP answer: " + parsed.error);
  const sdp::MediaSection& audio = parsed.description->media[0];
  ClientTransportParams p;
  if (!ReadAnswerCandidates(answer, &p)) return Fail("SDP answer without a candidate");
  p.path = cfg_.media_path;
  p.turn = turn_;
  p.server_ufrag = audio.ice_ufrag;
  p.server_pwd = audio.ice_pwd;
  p.server_fingerprint = audio.fingerprint;
  p.local_ufrag = ice_ufrag_;
  p.local_pwd = ice_pwd_;
  ClientTransport::Callbacks cb;
  cb.on_connected = [this] {
    state_ = State::kMedia;
    MaybeResubscribe();  // cameras that appeared while connecting
  };
  cb.on_failed = [this](const std::string& why) { Fail("media: " + why); };
  cb.on_rtp = [this](std::span<const uint8_t> d) { OnRtp(d.data(), d.size()); };
  cb.on_rtcp = [this](std::span<const uint8_t> d) { OnRtcp(d.data(), d.size()); };
  state_ = State::kConnectingMedia;
  media_ = std::make_unique<ClientTransport>(io_, dtls_, p, cb);
  media_->Start();
}

void SimAttendee::OnRtp(const uint8_t* data, size_t len) {
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
  if (pkt && (pkt->payload_type() == kOfferVp8Pt || pkt->payload_type() == kOfferRtxPt)) {
    video_rx_.OnRtp(*pkt, kOfferRtxPt, NowUs());
    return;
  }
  if (!pkt || pkt->payload_type() != kOfferOpusPt) return;
  const int64_t now = NowUs();
  if (last_audio_us_ == 0) {
    ++stats_.joins_ok;
    stats_.join_ms.push_back(static_cast<double>(now - join_start_us_) / 1000.0);
  }
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
  if (!have_seq_ || downlink_ssrc_ == 0) return;
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
  wire::rtcp::ReceiverReport rr;
  rr.SetSenderSsrc(ssrc_);
  rr.AddReportBlock(b);
  // Video: a block per received stream and, like Chrome without transport-cc, a REMB.
  for (const wire::rtcp::ReportBlock& vb : video_rx_.ReportBlocks()) rr.AddReportBlock(vb);
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
  if (n && media_->SendRtcp(std::span<const uint8_t>(buf, n))) ++stats_.rtcp_sent;
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
    if (const size_t n = nack.Create(buf)) media_->SendRtcp(std::span<const uint8_t>(buf, n));
  }
  for (uint32_t ssrc : fb.plis) {
    wire::rtcp::Pli pli;
    pli.SetSenderSsrc(ssrc_);
    pli.SetMediaSsrc(ssrc);
    uint8_t buf[32];
    if (const size_t n = pli.Create(buf)) media_->SendRtcp(std::span<const uint8_t>(buf, n));
  }
}

void SimAttendee::LearnAnswer(const SdkSignalFrame& f) {
  // RTX SSRCs of the sections (a=ssrc-group:FID media rtx) and the sections that are new: their
  // first frame is timed from now.
  auto parsed = sdp::Parse(f.suback().sdp_answer());
  if (parsed.description) {
    for (const sdp::MediaSection& m : parsed.description->media)
      if (m.mid == "1") camera_rtx_ = m.FindCodec(kOfferRtxPt) != nullptr && m.port != 0;
    for (const sdp::MediaSection& m : parsed.description->media)
      for (const sdp::SsrcGroup& g : m.ssrc_groups)
        if (g.semantics == "FID" && g.ssrcs.size() == 2) video_rx_.MapRtx(g.ssrcs[1], g.ssrcs[0]);
  }
  const int64_t now = NowUs();
  for (const auto& t : f.suback().tracks()) {
    if (std::find(expected_ssrcs_.begin(), expected_ssrcs_.end(), t.ssrc()) !=
        expected_ssrcs_.end())
      continue;
    expected_ssrcs_.push_back(t.ssrc());
    video_rx_.Expect(t.ssrc(), now);
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
      if (b->fmt() == 1 && pli.Parse(*b)) {
        for (auto& l : send_layers_) {
          if (l.ssrc != pli.media_ssrc()) continue;
          l.force_key = true;
          ++stats_.video_keyframe_requests;
        }
      }
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

void SimAttendee::ToggleMute() {
  if (state_ != State::kMedia || !sig_) return;
  muted_ = !muted_;
  if (muted_) ClearOnset();
  ++stats_.mute_toggles;
  SdkSignalFrame f = signaling::proto::MakeFrame(SdkSignalFrame::AUDIO_CONTROL);
  f.mutable_audio_control()->set_muted(muted_);
  sig_->Send(f);
}

void SimAttendee::SendDataMessage() {
  if (state_ != State::kMedia || !sig_) return;
  SdkSignalFrame f = signaling::proto::MakeFrame(SdkSignalFrame::DATA_MESSAGE);
  auto* m = f.mutable_data_message()->add_messages();
  m->set_topic("load");
  m->set_data("x" + std::to_string(stats_.data_sent));
  sig_->Send(f);
  ++stats_.data_sent;
}

void SimAttendee::Leave() {
  if (!in_meeting()) return;
  ++stats_.leaves;
  if (sig_ && sig_->open()) sig_->Send(signaling::proto::MakeFrame(SdkSignalFrame::LEAVE));
  Teardown();
  state_ = State::kIdle;
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
  if (sig_) {
    sig_->Close();
    sig_.reset();
  }
  media_.reset();
}

}  // namespace sfu::loadtest

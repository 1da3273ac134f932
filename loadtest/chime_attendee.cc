#include "loadtest/chime_attendee.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "loadtest/async_signaling_client.h"
#include "loadtest/audio_offer.h"
#include "signaling/proto/frame_codec.h"
#include "signaling/sdp/session_description.h"
#include "transport/dtls/dtls_context.h"
#include "transport/ice/ice_lite.h"

namespace sfu::loadtest {
using signaling::proto::SdkSignalFrame;

namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ChimeAttendee::ChimeAttendee(boost::asio::io_context& io, const transport::DtlsContext& dtls,
                             const SignalBank& bank, SimConfig config)
    : SimAttendee(io, dtls, bank, std::move(config)) {}

ChimeAttendee::~ChimeAttendee() { Teardown(); }

void ChimeAttendee::SendFrame(const SdkSignalFrame& f) {
  Trace(true, f);
  sig_->Send(f);
}

void ChimeAttendee::Trace(bool outgoing, const SdkSignalFrame& f) {
  if (!cfg_.trace) return;
  // Every field the frame carries, by its .proto name (SDP stays text; bytes are base64).
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  boost::json::object line{{"kind", "signaling"},
                           {"protocol", "chime"},
                           {"dir", outgoing ? "out" : "in"},
                           {"type", SdkSignalFrame::Type_Name(f.type())}};
  boost::system::error_code ec;
  if (google::protobuf::util::MessageToJsonString(f, &text, options).ok())
    line["frame"] = boost::json::parse(text, ec);
  if (ec) line["frame"] = text;
  cfg_.trace->Write(std::move(line));
}

void ChimeAttendee::CloseSignaling() {
  if (sig_) {
    sig_->Close();
    sig_.reset();
  }
}

void ChimeAttendee::Join() {
  if (in_meeting()) return;
  BeginJoin();
  // Callbacks of a connection this attendee has since left (Teardown) may still run - a
  // handshake completing, a close arriving - and must not touch the current one (churn leaves
  // and rejoins): each carries the connection's generation.
  const uint64_t gen = ++connection_gen_;
  auto current = [this, gen] { return gen == connection_gen_; };
  AsyncSignalingClient::Callbacks cb;
  cb.on_open = [this, current] {
    if (!current()) return;
    state_ = State::kJoining;
    SendFrame(signaling::proto::MakeFrame(SdkSignalFrame::JOIN));
  };
  cb.on_frame = [this, current](const SdkSignalFrame& f) {
    if (!current()) return;
    Trace(false, f);
    OnFrame(f);
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

void ChimeAttendee::OnFrame(const SdkSignalFrame& f) {
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

void ChimeAttendee::SendSubscribe() {
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
  SendFrame(sub);
}

void ChimeAttendee::OnIndex(const SdkSignalFrame& f) {
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

void ChimeAttendee::MaybeResubscribe() {
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

void ChimeAttendee::OnSubscribeAck(const std::string& answer) {
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
  ClientTransport::Callbacks cb = MediaCallbacks("media", [this] {
    OnMediaConnected();
    MaybeResubscribe();  // cameras that appeared while connecting
  });
  state_ = State::kConnectingMedia;
  media_ = std::make_unique<ClientTransport>(io_, dtls_, p, cb);
  media_->Start();
}

void ChimeAttendee::LearnAnswer(const SdkSignalFrame& f) {
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

void ChimeAttendee::ToggleMute() {
  if (state_ != State::kMedia || !sig_) return;
  muted_ = !muted_;
  if (muted_) ClearOnset();
  ++stats_.mute_toggles;
  SdkSignalFrame f = signaling::proto::MakeFrame(SdkSignalFrame::AUDIO_CONTROL);
  f.mutable_audio_control()->set_muted(muted_);
  SendFrame(f);
}

void ChimeAttendee::SendDataMessage() {
  if (state_ != State::kMedia || !sig_) return;
  SdkSignalFrame f = signaling::proto::MakeFrame(SdkSignalFrame::DATA_MESSAGE);
  auto* m = f.mutable_data_message()->add_messages();
  m->set_topic("load");
  m->set_data("x" + std::to_string(stats_.data_sent));
  SendFrame(f);
  ++stats_.data_sent;
}

void ChimeAttendee::Leave() {
  if (!in_meeting()) return;
  ++stats_.leaves;
  if (sig_ && sig_->open()) SendFrame(signaling::proto::MakeFrame(SdkSignalFrame::LEAVE));
  Teardown();
  state_ = State::kIdle;
}

}  // namespace sfu::loadtest

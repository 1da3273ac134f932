#include "loadtest/janus_attendee.h"

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include "loadtest/audio_offer.h"
#include "loadtest/janus_connection.h"
#include "loadtest/janus_sdp.h"
#include "signaling/sdp/session_description.h"
#include "transport/dtls/dtls_context.h"
#include "transport/ice/ice_lite.h"

namespace sfu::loadtest {
namespace json = boost::json;

namespace {

uint64_t Uint(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return 0;
}

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The JSEP SDP of a message of the given type ("offer", "answer"), or empty.
std::string Jsep(const json::object& m, const char* type) {
  const json::value* j = m.if_contains("jsep");
  if (!j || !j->is_object() || Str(j->as_object(), "type") != type) return "";
  return Str(j->as_object(), "sdp");
}

// The settings sfu-server's mixer uses (server/server_config.cc defaults: --audio-bitrate 32,
// --audio-complexity 5; codec/opus_codec.h: FEC with 5 % expected loss), as AudioBridge takes
// them per participant.
constexpr int kOpusBitrate = 32000;
constexpr int kOpusComplexity = 5;
constexpr int kOpusExpectedLoss = 5;
constexpr uint64_t kKeepAliveFrames = 25 * 50;  // 25 s of 20 ms ticks

}  // namespace

const char* JanusAttendee::PluginName(Target t) {
  return t == Target::kJanusVideoRoom ? "janus.plugin.videoroom" : "janus.plugin.audiobridge";
}

JanusAttendee::JanusAttendee(boost::asio::io_context& io, const transport::DtlsContext& dtls,
                             const SignalBank& bank, SimConfig config)
    : SimAttendee(io, dtls, bank, std::move(config)) {}

JanusAttendee::~JanusAttendee() { Teardown(); }

void JanusAttendee::CloseSignaling() {
  if (conn_) {
    // Destroying the session detaches its handles: Janus leaves the room and hangs up.
    if (conn_->open() && session_)
      conn_->Request(json::object{{"janus", "destroy"}, {"session_id", session_}}, nullptr);
    conn_->Close();
    conn_.reset();
  }
  session_ = handle_ = sub_handle_ = 0;
  publisher_id_ = private_id_ = 0;
  feeds_.clear();
  subscribed_.clear();
  sub_busy_ = sub_again_ = sub_started_ = false;
  awaiting_candidate_ = nullptr;
}

std::string JanusAttendee::CandidateIp() const {
  // The address we reach Janus's API at is one Janus reaches us at (loopback in every setup
  // scripts/janus-peer.sh makes).
  boost::system::error_code ec;
  boost::asio::ip::make_address(cfg_.meeting->host, ec);
  return ec ? std::string("127.0.0.1") : cfg_.meeting->host;
}

void JanusAttendee::Send(json::object request, Reply reply) {
  if (!conn_) return;
  if (session_) request["session_id"] = session_;
  const uint64_t gen = connection_gen_;
  conn_->Request(std::move(request),
                 reply ? Reply([this, gen, reply = std::move(reply)](const json::object& m) {
                   if (gen == connection_gen_) reply(m);
                 })
                       : Reply());
}

void JanusAttendee::Message(uint64_t handle, json::object body, json::object jsep, Reply reply) {
  json::object m{{"janus", "message"}, {"handle_id", handle}, {"body", std::move(body)}};
  if (!jsep.empty()) m["jsep"] = std::move(jsep);
  Send(std::move(m), std::move(reply));
}

void JanusAttendee::Attach(std::function<void(uint64_t)> then) {
  Send(json::object{{"janus", "attach"}, {"plugin", PluginName(cfg_.target)}},
       [this, then = std::move(then)](const json::object& m) {
         const json::value* data = m.if_contains("data");
         const uint64_t id = data && data->is_object() ? Uint(data->as_object(), "id") : 0;
         if (!id) return Fail("attach: " + JanusError(m));
         then(id);
       });
}

void JanusAttendee::Join() {
  if (in_meeting()) return;
  BeginJoin();
  const uint64_t gen = ++connection_gen_;
  auto current = [this, gen] { return gen == connection_gen_; };
  JanusConnection::Callbacks cb;
  cb.on_open = [this, current] {
    if (!current()) return;
    state_ = State::kJoining;
    Send(json::object{{"janus", "create"}}, [this](const json::object& m) {
      const json::value* data = m.if_contains("data");
      session_ = data && data->is_object() ? Uint(data->as_object(), "id") : 0;
      if (!session_) return Fail("create session: " + JanusError(m));
      Attach([this](uint64_t handle) {
        handle_ = handle;
        if (cfg_.target == Target::kJanusAudioBridge) {
          json::object body{{"request", "join"},
                            {"room", cfg_.meeting->room},
                            {"display", "load-" + std::to_string(cfg_.attendee_index)},
                            {"muted", false},
                            {"quality", kOpusComplexity},
                            {"bitrate", kOpusBitrate},
                            {"expected_loss", kOpusExpectedLoss}};
          json::object jsep{{"type", "offer"}, {"sdp", MakePublisherOffer()}, {"trickle", false}};
          state_ = State::kSubscribing;
          Message(handle_, std::move(body), std::move(jsep),
                  [this](const json::object& r) { OnPublisherAnswer(r); });
        } else {
          Message(handle_,
                  json::object{{"request", "join"},
                               {"ptype", "publisher"},
                               {"room", cfg_.meeting->room},
                               {"display", "load-" + std::to_string(cfg_.attendee_index)}},
                  {}, [this](const json::object& r) {
                    const std::string error = JanusError(r);
                    const json::object* d = JanusPluginData(r);
                    if (!error.empty() || !d) return Fail("join: " + error);
                    OnVideoRoomJoined(*d);
                  });
        }
      });
    });
  };
  cb.on_event = [this, current](const json::object& m) {
    if (current()) OnEvent(m);
  };
  cb.on_closed = [this, current](const std::string& reason) {
    if (current()) Fail("janus connection: " + reason);
  };
  if (cfg_.trace) {
    cb.on_trace = [trace = cfg_.trace](bool outgoing, const std::string& text) {
      boost::system::error_code ec;
      json::value frame = json::parse(text, ec);
      json::object line{{"kind", "signaling"},
                        {"protocol", "janus"},
                        {"dir", outgoing ? "out" : "in"},
                        {"type", ec || !frame.is_object() ? "" : Str(frame.as_object(), "janus")}};
      line["frame"] = ec ? json::value(text) : std::move(frame);
      trace->Write(std::move(line));
    };
  }
  conn_ = JanusConnection::Create(io_, std::move(cb));
  conn_->Connect(cfg_.meeting->host, cfg_.meeting->port, "/");
}

std::string JanusAttendee::MakePublisherOffer() {
  ice_ufrag_ = transport::RandomIceString(8);
  ice_pwd_ = transport::RandomIceString(24);
  ClientTransportParams p;
  p.server_ip = CandidateIp();
  p.local_ufrag = ice_ufrag_;
  p.local_pwd = ice_pwd_;
  media_ = std::make_unique<ClientTransport>(
      io_, dtls_, p, MediaCallbacks("media", [this] { OnMediaConnected(); }));
  AudioOfferParams ap{ice_ufrag_, ice_pwd_, dtls_.fingerprint(), ssrc_, cfg_.red};
  std::string offer;
  if (publishing()) {
    const bool simulcast = send_layers_.size() > 1;
    VideoOfferParams vp{true, send_layers_.front().ssrc, 0, simulcast,
                        simulcast ? 0 : send_layers_.front().rtx_ssrc};
    offer = WithCameraMidExtension(MakeOffer(ap, vp));
    camera_mid_ext_ = true;
  } else {
    offer = MakeAudioOffer(ap);
  }
  return WithHostCandidate(std::move(offer), p.server_ip, media_->local_port());
}

void JanusAttendee::OnPublisherAnswer(const json::object& r) {
  const std::string error = JanusError(r);
  if (!error.empty())
    return Fail((cfg_.target == Target::kJanusVideoRoom ? "publish: " : "join: ") + error);
  const std::string answer = Jsep(r, "answer");
  if (answer.empty()) return Fail("no SDP answer from Janus");
  // RTX on the camera when Janus took it (then NACKed packets are resent on it, RFC 4588).
  auto parsed = sdp::Parse(answer);
  if (parsed.description)
    for (const sdp::MediaSection& m : parsed.description->media)
      if (m.mid == "1") camera_rtx_ = m.FindCodec(kOfferRtxPt) != nullptr && m.port != 0;
  state_ = State::kConnectingMedia;
  StartTransport(media_.get(), answer, /*is_offer=*/false);
}

void JanusAttendee::StartTransport(ClientTransport* t, const std::string& text, bool is_offer) {
  auto parsed = sdp::Parse(text);
  if (!parsed.description) return Fail("bad SDP from Janus: " + parsed.error);
  ClientTransportParams p;
  p.local_ufrag = t == media_.get() ? ice_ufrag_ : sub_ufrag_;
  p.local_pwd = t == media_.get() ? ice_pwd_ : sub_pwd_;
  bool needs_candidate = false;
  std::string error;
  if (!ReadPeerTransport(*parsed.description, text, is_offer, &p, &needs_candidate, &error))
    return Fail(error);
  if (needs_candidate) {  // it comes by trickle (OnEvent)
    awaiting_candidate_ = t;
    awaiting_params_ = p;
    return;
  }
  t->Start(p);
}

void JanusAttendee::OnEvent(const json::object& m) {
  const std::string kind = Str(m, "janus");
  const uint64_t sender = Uint(m, "sender");
  if (kind == "hangup" || kind == "detached") {
    if (sender == handle_ || sender == sub_handle_)
      return Fail("janus " + kind + (Str(m, "reason").empty() ? "" : ": " + Str(m, "reason")));
    return;
  }
  if (kind == "trickle" && awaiting_candidate_) {
    // {"candidate": {"candidate": "candidate:1 1 udp ... typ host", ...}} or {"completed": true}
    const json::value* c = m.if_contains("candidate");
    if (!c || !c->is_object()) return;
    const std::string line = Str(c->as_object(), "candidate");
    if (line.empty()) return;
    ClientTransportParams p = awaiting_params_;
    if (!ReadAnswerCandidates("a=" + line + "\r\n", &p)) return;
    ClientTransport* t = awaiting_candidate_;
    awaiting_candidate_ = nullptr;
    p.local_ufrag = awaiting_params_.local_ufrag;
    p.local_pwd = awaiting_params_.local_pwd;
    t->Start(p);
    return;
  }
  if (kind != "event") return;
  const json::object* d = JanusPluginData(m);
  if (!d) return;
  if (cfg_.target != Target::kJanusVideoRoom) return;
  if (sender == handle_) {
    OnPublishers(d->if_contains("publishers"));
  } else if (sender == sub_handle_) {
    // A renegotiation Janus postponed ("updating"), offered now.
    const std::string offer = Jsep(m, "offer");
    if (!offer.empty()) OnSubscriptionOffer(offer);
  }
}

void JanusAttendee::OnSignalingTick(uint64_t frame) {
  if (session_ && frame % kKeepAliveFrames == static_cast<uint64_t>(cfg_.attendee_index) % 50)
    Send(json::object{{"janus", "keepalive"}}, nullptr);
}

void JanusAttendee::ToggleMute() {
  if (state_ != State::kMedia || !conn_) return;
  muted_ = !muted_;
  if (muted_) ClearOnset();
  ++stats_.mute_toggles;
  if (cfg_.target == Target::kJanusAudioBridge)
    Message(handle_, json::object{{"request", "configure"}, {"muted", muted_}}, {}, nullptr);
}

void JanusAttendee::Leave() {
  if (!in_meeting()) return;
  ++stats_.leaves;
  Teardown();  // destroys the session: Janus leaves the room for us
  state_ = State::kIdle;
}

// --- VideoRoom ---------------------------------------------------------------------------------

void JanusAttendee::OnVideoRoomJoined(const json::object& d) {
  publisher_id_ = Uint(d, "id");
  private_id_ = Uint(d, "private_id");
  // Publish our audio (and camera): "configure" with the offer.
  json::object jsep{{"type", "offer"}, {"sdp", MakePublisherOffer()}, {"trickle", false}};
  if (send_layers_.size() > 1) jsep["rid_order"] = "lmh";  // our a=rid lines: low, mid, hi
  state_ = State::kSubscribing;
  Message(handle_, json::object{{"request", "configure"}, {"audio", true}, {"video", publishing()}},
          std::move(jsep), [this](const json::object& r) { OnPublisherAnswer(r); });
  OnPublishers(d.if_contains("publishers"));
}

void JanusAttendee::OnPublishers(const json::value* publishers) {
  if (!publishers || !publishers->is_array() || !cfg_.receive_video) return;
  for (const json::value& pv : publishers->as_array()) {
    if (!pv.is_object()) continue;
    const json::object& p = pv.as_object();
    const uint64_t id = Uint(p, "id");
    if (!id || id == publisher_id_) continue;
    const json::value* streams = p.if_contains("streams");
    if (!streams || !streams->is_array()) continue;
    for (const json::value& sv : streams->as_array()) {
      if (!sv.is_object()) continue;
      const json::object& s = sv.as_object();
      if (Str(s, "type") == "video" && !s.contains("disabled") && feeds_.size() < 25)
        feeds_[id] = Str(s, "mid");
    }
  }
  UpdateSubscription();
}

void JanusAttendee::UpdateSubscription() {
  if (sub_busy_) {
    sub_again_ = true;
    return;
  }
  json::array streams;
  std::vector<uint64_t> added;
  for (const auto& [id, mid] : feeds_) {
    if (subscribed_.count(id)) continue;
    streams.push_back(json::object{{"feed", id}, {"mid", mid}});
    added.push_back(id);
  }
  if (added.empty()) return;
  sub_busy_ = true;
  for (uint64_t id : added) subscribed_.insert(id);
  auto on_reply = [this](const json::object& r) {
    const std::string error = JanusError(r);
    if (!error.empty()) return Fail("subscribe: " + error);
    const std::string offer = Jsep(r, "offer");
    if (!offer.empty()) return OnSubscriptionOffer(offer);
    // "updating": the offer comes later as an event (OnEvent).
  };
  if (sub_handle_) {
    Message(sub_handle_, json::object{{"request", "subscribe"}, {"streams", std::move(streams)}},
            {}, on_reply);
    return;
  }
  Attach([this, streams = std::move(streams), on_reply](uint64_t handle) mutable {
    sub_handle_ = handle;
    Message(sub_handle_,
            json::object{{"request", "join"},
                         {"ptype", "subscriber"},
                         {"room", cfg_.meeting->room},
                         {"private_id", private_id_},
                         {"streams", std::move(streams)}},
            {}, on_reply);
  });
}

void JanusAttendee::OnSubscriptionOffer(const std::string& offer) {
  auto parsed = sdp::Parse(offer);
  if (!parsed.description) return Fail("bad subscription offer from Janus: " + parsed.error);
  const bool first = !media_down_;
  if (first) {
    sub_ufrag_ = transport::RandomIceString(8);
    sub_pwd_ = transport::RandomIceString(24);
    ClientTransportParams p;
    p.server_ip = CandidateIp();
    p.local_ufrag = sub_ufrag_;
    p.local_pwd = sub_pwd_;
    media_down_ =
        std::make_unique<ClientTransport>(io_, dtls_, p, MediaCallbacks("subscription", [] {}));
  }
  std::vector<ReceiveSection> receiving;
  const std::string answer =
      AnswerSubscription(*parsed.description, sub_ufrag_, sub_pwd_, dtls_.fingerprint(),
                         CandidateIp(), media_down_->local_port(), &receiving);
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  uint64_t sections = 0;
  for (const ReceiveSection& r : receiving) {
    if (r.kind != "video") continue;
    ++sections;
    rx_vp8_pt_ = r.pt;
    if (r.rtx_pt >= 0) rx_rtx_pt_ = r.rtx_pt;
    if (r.rtx_ssrc) video_rx_.MapRtx(r.rtx_ssrc, r.ssrc);
    if (r.ssrc && std::find(expected_ssrcs_.begin(), expected_ssrcs_.end(), r.ssrc) ==
                      expected_ssrcs_.end()) {
      expected_ssrcs_.push_back(r.ssrc);
      video_rx_.Expect(r.ssrc, now);
    }
  }
  stats_.video_streams_subscribed = sections;
  Message(sub_handle_, json::object{{"request", "start"}},
          json::object{{"type", "answer"}, {"sdp", answer}}, [this](const json::object& r) {
            const std::string error = JanusError(r);
            if (!error.empty()) return Fail("start: " + error);
            sub_busy_ = false;
            if (sub_again_) {
              sub_again_ = false;
              UpdateSubscription();
            }
          });
  if (first) StartTransport(media_down_.get(), offer, /*is_offer=*/true);
}

}  // namespace sfu::loadtest

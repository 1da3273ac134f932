#include "signaling/signaling_session.h"

#include <utility>

#include "base/log.h"
#include "base/random.h"
#include "sfu/participant_media.h"
#include "sfu/shard_set.h"
#include "signaling/api/capabilities.h"
#include "signaling/audio_plan.h"
#include "signaling/media_reports.h"
#include "signaling/sdp/answer_builder.h"
#include "signaling/sdp/session_description.h"
#include "signaling/signaling_hub.h"
#include "signaling/signaling_metrics.h"
#include "signaling/video_plan.h"
#include "transport/crypto/turn_credentials.h"
#include "transport/dtls/dtls_context.h"
#include "transport/ice/ice_lite.h"

namespace sfu::signaling {
using proto::SdkSignalFrame;

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SignalingSession::SignalingSession(std::shared_ptr<ws::WsConnection> connection,
                                   AttendeeIdentity identity, SignalingHub& hub,
                                   SignalingMetrics& metrics, const base::Clock& clock,
                                   SignalingLimits limits, const MediaContext* media)
    : connection_(std::move(connection)),
      identity_(std::move(identity)),
      hub_(hub),
      metrics_(metrics),
      clock_(clock),
      limits_(limits),
      limiter_(limits.frames_per_second, limits.frame_burst, 1),
      media_(media),
      bridge_(media ? media->shards : nullptr) {
  if (identity_.media_meeting_id.empty()) identity_.media_meeting_id = identity_.meeting_id;
  hub_.Add(this);
  SFU_LOG(kInfo, "signaling connected")
      .Kv("meeting", identity_.meeting_id)
      .Kv("attendee", identity_.attendee_id)
      .Kv("remote", connection_->remote_address());
}

SignalingSession::~SignalingSession() {
  hub_.events().SessionEnded(*this, /*left=*/false);  // application events (docs/EVENTS.md)
  if (subscribed()) AnnounceLeft(/*dropped=*/!left_);
  StopMedia();
  hub_.Remove(this);
}

void SignalingSession::Send(const SdkSignalFrame& frame) {
  metrics_.CountSignalingFrame("out", SdkSignalFrame::Type_Name(frame.type()));
  std::vector<uint8_t> bytes = proto::EncodeFrame(frame);
  if (frame.type() == SdkSignalFrame::DATA_MESSAGE && data_channel_open_)
    bridge_.SendDataFrame(bytes);
  connection_->SendBinary(std::move(bytes));
}

void SignalingSession::OnDataChannelFrame(std::span<const uint8_t> bytes) {
  std::string error;
  auto frame = proto::DecodeFrame(bytes, &error);
  // Only data messages travel on the data channel; anything else is dropped and counted.
  if (!frame || frame->type() != SdkSignalFrame::DATA_MESSAGE) {
    metrics_.CountSignalingFrame("in", "data_channel_malformed");
    return;
  }
  metrics_.CountSignalingFrame("in", "DATA_MESSAGE_SCTP");
  HandleDataMessage(*frame);
}

void SignalingSession::OnBinaryMessage(std::span<const uint8_t> message) {
  if (connection_->closed()) return;
  if (!limiter_.Allow("c", clock_.NowSteadyMs())) {
    metrics_.CountSignalingFrame("in", "rate_limited");
    SFU_LOG(kWarn, "signaling rate limit exceeded, closing")
        .Kv("meeting", identity_.meeting_id)
        .Kv("attendee", identity_.attendee_id);
    connection_->Close(1008, "frame rate limit exceeded");
    return;
  }
  std::string error;
  auto frame = proto::DecodeFrame(message, &error);
  if (!frame) {
    metrics_.CountSignalingFrame("in", "malformed");
    SFU_LOG(kDebug, "bad signaling frame").Kv("attendee", identity_.attendee_id).Kv("error", error);
    if (++bad_frames_ >= limits_.max_bad_frames)
      connection_->Close(1008, "too many malformed frames");
    return;
  }
  metrics_.CountSignalingFrame("in", SdkSignalFrame::Type_Name(frame->type()));
  HandleFrame(*frame);
}

void SignalingSession::HandleFrame(const SdkSignalFrame& f) {
  switch (f.type()) {
    case SdkSignalFrame::PING_PONG:
      if (f.ping_pong().type() == proto::PING)
        Send(proto::MakePingPong(proto::PONG, f.ping_pong().ping_id()));
      return;
    case SdkSignalFrame::JOIN:
      return HandleJoin(f);
    case SdkSignalFrame::SUBSCRIBE:
      return HandleSubscribe(f);
    case SdkSignalFrame::PAUSE:
    case SdkSignalFrame::RESUME:
      return HandlePauseResume(f);
    case SdkSignalFrame::REMOTE_VIDEO_UPDATE:
      return HandleRemoteVideoUpdate(f);
    case SdkSignalFrame::AUDIO_CONTROL:
      return HandleAudioControl(f);
    case SdkSignalFrame::DATA_MESSAGE:
      return HandleDataMessage(f);
    case SdkSignalFrame::PRIMARY_MEETING_JOIN:
      return HandlePrimaryMeetingJoin(f);
    case SdkSignalFrame::LEAVE:
      Send(proto::MakeFrame(SdkSignalFrame::LEAVE_ACK));
      hub_.events().SessionEnded(*this, /*left=*/true);
      if (subscribed()) AnnounceLeft(/*dropped=*/false);
      StopMedia();
      joined_ = false;
      left_ = true;
      SFU_LOG(kInfo, "attendee left")
          .Kv("meeting", identity_.meeting_id)
          .Kv("attendee", identity_.attendee_id);
      return;
    default:
      return;  // CLIENT_METRIC, timing and not-yet-implemented frames are accepted and dropped
  }
}

void SignalingSession::HandleJoin(const SdkSignalFrame& f) {
  if (joined_) return;  // the first JOIN on a socket is the join
  audio_session_id_ = f.join().audio_session_id();
  // The same attendee on another socket: a reconnect of the same client (same audio_session_id)
  // replaces it quietly; another device ends it with 301 (docs/PROTOCOL.md §5.4).
  for (SignalingSession* other : hub_.SessionsOf(identity_.meeting_id)) {
    if (other == this || other->identity().attendee_id != identity_.attendee_id) continue;
    if (other->audio_session_id() != 0 && other->audio_session_id() == audio_session_id_) {
      other->StopMedia();
      other->connection_->Close(1000, "replaced by a reconnect");
    } else {
      other->End(301, "joined from another device");
    }
  }
  // Without TURN credentials the client uses host candidates (UDP, then ICE-TCP) against our
  // ICE-lite server; with them it relays everything.
  SdkSignalFrame ack = proto::MakeFrame(SdkSignalFrame::JOIN_ACK);
  OfferTurn(ack);
  Send(ack);
  joined_ = true;
  hub_.events().SessionJoined(*this);
  SendIndex();
  SFU_LOG(kInfo, "attendee joined")
      .Kv("meeting", identity_.meeting_id)
      .Kv("attendee", identity_.attendee_id);
}

void SignalingSession::OfferTurn(SdkSignalFrame& ack) {
  if (!media_ || media_->turn.secret.empty()) return;
  const TurnOffer& turn = media_->turn;
  const bool relay =
      turn.policy == TurnOffer::Policy::kAlways ||
      (turn.policy == TurnOffer::Policy::kAuto &&
       hub_.NeedsRelay(identity_.meeting_id, identity_.attendee_id, clock_.NowSteadyMs()));
  if (!relay) return;
  std::vector<std::string> uris = turn.uris;
  if (uris.empty() && media_->shards) {
    // The embedded server of the meeting's shard: it relays only to that shard's media port.
    const int shard_index = PlaceMeeting();
    const uint16_t port = media_->shards->shard(static_cast<size_t>(shard_index)).turn_port();
    if (port == 0 || media_->announce_ips.empty()) return;
    const std::string& ip = media_->announce_ips.front();
    const std::string host = (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" +
                             std::to_string(port) + "?transport=tcp";
    if (turn.embedded_tls) uris.push_back("turns:" + host);
    uris.push_back("turn:" + host);
  }
  if (uris.empty()) return;
  const int64_t expiry = clock_.NowUnixMs() / 1000 + turn.ttl_s;
  const std::string username = transport::TurnRestUsername(expiry, identity_.attendee_id);
  auto* creds = ack.mutable_joinack()->mutable_turn_credentials();
  creds->set_username(username);
  creds->set_password(transport::TurnRestPassword(turn.secret, username));
  creds->set_ttl(turn.ttl_s);
  for (const std::string& uri : uris) creds->add_uris(uri);
  turn_sent_ = true;
  SFU_LOG(kInfo, "TURN offered")
      .Kv("meeting", identity_.meeting_id)
      .Kv("attendee", identity_.attendee_id)
      .Kv("uris", static_cast<int>(uris.size()));
}

void SignalingSession::SendError(SdkSignalFrame::Type type, uint32_t status,
                                 const std::string& description) {
  SdkSignalFrame f = proto::MakeFrame(type);
  f.mutable_error()->set_status(status);
  f.mutable_error()->set_description(description);
  Send(f);
}

// A SUBSCRIBE (docs/PROTOCOL.md §4.4): the offer answered section by section - audio
// (audio_plan.h), video (video_plan.h) - the shard's participant created or renegotiated to match,
// SUBSCRIBE_ACK sent.
void SignalingSession::HandleSubscribe(const SdkSignalFrame& f) {
  // JOIN first: the one-session-per-attendee rule runs at JOIN, and media (a transport, a mixer
  // participant) is only for a session that passed it (docs/SECURITY.md).
  if (!joined_) {
    metrics_.CountSignalingFrame("in", "subscribe_before_join");
    return SendError(SdkSignalFrame::SUBSCRIBE_ACK, 400, "SUBSCRIBE before JOIN");
  }
  if (!media_ || !media_->shards || !media_->dtls) {
    return SendError(SdkSignalFrame::SUBSCRIBE_ACK, 500, "media is not available on this server");
  }
  const std::optional<sdp::SessionDescription> offer = ParseOffer(f.sub().sdp_offer());
  if (!offer) return;
  const int shard_index = PlaceMeeting();
  std::vector<sdp::MediaAnswer> answers(offer->media.size());
  const AudioPlanResult audio =
      PlanAudio(*offer, f.sub(), audio_, answers, &base::RandomNonZeroU32);
  VideoIdentity self{identity_.attendee_id, identity_.external_user_id};
  self.may_send = api::CanSend(identity_.content ? identity_.cap_content : identity_.cap_video);
  self.may_receive_video = api::CanReceive(identity_.cap_video);
  self.may_receive_content = api::CanReceive(identity_.cap_content);
  self.view_only = identity_.hidden_receive_only;
  VideoPlanResult video = PlanVideo(*offer, f.sub(), self, hub_.State(media_meeting()), video_,
                                    answers, &base::RandomNonZeroU32,
                                    /*subscription_limit=*/25, media_->max_video_senders);
  video.media.publication.max_pixels = identity_.max_video_pixels;
  // A new transport on the first SUBSCRIBE or an ICE restart; otherwise renegotiate in place.
  const sdp::MediaSection& first = offer->media.front();
  if (!bridge_.open() || first.ice_ufrag != remote_ufrag_)
    NewTransport(first.ice_ufrag, shard_index);
  bridge_.Apply(MediaPlan(first, audio, video.media));
  SendSubscribeAck(f.sub(), AnswerSdp(*offer, answers, shard_index), video);
  video_media_ = std::move(video.media);
  hub_.events().VideoPublishing(*this, video_.stream_id != 0);
  if (video.index_changed) hub_.BroadcastIndex(media_meeting());
  if (!subscribed()) BecomePresent(f.sub().audio_muted());
}

bool SignalingSession::AudioSendAllowed() const {
  if (identity_.hidden_receive_only) return false;  // a replica attendee is never mixed
  return api::CanSend(identity_.content ? identity_.cap_content : identity_.cap_audio);
}

void SignalingSession::SetCapabilities(const std::string& audio, const std::string& video,
                                       const std::string& content) {
  identity_.cap_audio = audio;
  identity_.cap_video = video;
  identity_.cap_content = content;
  bridge_.SetAudioCapabilities(AudioSendAllowed(), api::CanReceive(audio));
}

std::optional<sdp::SessionDescription> SignalingSession::ParseOffer(const std::string& sdp) {
  auto parsed = sdp::Parse(sdp);
  if (!parsed.description || parsed.description->media.empty()) {
    SendError(SdkSignalFrame::SUBSCRIBE_ACK, 400, "bad SDP offer: " + parsed.error);
    return std::nullopt;
  }
  const sdp::MediaSection& first = parsed.description->media.front();
  if (first.ice_ufrag.empty() || first.ice_pwd.empty() || first.fingerprint.empty()) {
    SendError(SdkSignalFrame::SUBSCRIBE_ACK, 400,
              "SDP offer without ICE credentials or fingerprint");
    return std::nullopt;
  }
  return std::move(parsed.description);
}

int SignalingSession::PlaceMeeting() {
  // The media meeting's shard: a replica attendee's media is in its primary's mixer and video.
  const std::optional<int> placed = media_->shards->ShardOf(media_meeting());
  return placed ? *placed : media_->shards->Place(media_meeting());
}

void SignalingSession::NewTransport(const std::string& remote_ufrag, int shard_index) {
  StopTransport();  // the published video (just planned) stays
  bridge_.Open(shard_index);
  transport_opened_ms_ = clock_.NowSteadyMs();
  media_connected_ = false;
  remote_ufrag_ = remote_ufrag;
  local_ufrag_ = transport::RandomIceString(8);
  local_pwd_ = transport::RandomIceString(24);
}

sfu::ParticipantMediaPlan SignalingSession::MediaPlan(const sdp::MediaSection& first,
                                                      const AudioPlanResult& audio,
                                                      const sfu::VideoPlanForMedia& video) const {
  sfu::ParticipantMediaPlan plan;
  plan.id = bridge_.id();
  plan.meeting_id = media_meeting();
  plan.attendee_id = identity_.attendee_id;
  plan.transport = {local_ufrag_, local_pwd_, first.fingerprint_algorithm, first.fingerprint};
  plan.audio_payload_type = audio.opus_payload_type;
  plan.red_payload_type = audio.red_payload_type;
  plan.audio_ssrc = audio.ssrc;
  plan.audio_level_ext_id = audio.level_ext_id;
  plan.muted = audio.muted;
  plan.audio_send = AudioSendAllowed();
  plan.audio_receive = api::CanReceive(identity_.cap_audio);
  plan.mixer = media_->mixer;
  if (identity_.audio_bitrate_bps > 0) plan.mixer.encoder.bitrate_bps = identity_.audio_bitrate_bps;
  plan.video = video;
  plan.data_channel = audio.data_channel;
  plan.remote_max_message_size = audio.remote_max_message_size;
  if (media_->post_to_control) RouteMediaReports(plan, media_->post_to_control, hub_, clock_);
  return plan;
}

std::string SignalingSession::AnswerSdp(const sdp::SessionDescription& offer,
                                        const std::vector<sdp::MediaAnswer>& answers,
                                        int shard_index) const {
  sdp::AnswerParams params;
  params.ice_ufrag = local_ufrag_;
  params.ice_pwd = local_pwd_;
  params.fingerprint_algorithm = media_->dtls->fingerprint_algorithm();
  params.fingerprint = media_->dtls->fingerprint();
  Shard& shard = media_->shards->shard(static_cast<size_t>(shard_index));
  for (const std::string& ip : media_->announce_ips)
    params.candidates.push_back({ip, shard.media_port()});
  if (shard.tcp_port() != 0) {
    for (const std::string& ip : media_->announce_ips)
      params.candidates.push_back({ip, shard.tcp_port(), /*tcp=*/true});
  }
  params.extension_uris = {"urn:ietf:params:rtp-hdrext:sdes:mid",
                           "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                           "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
                           "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"};
  params.feedback = {"nack", "nack pli", "ccm fir", "goog-remb"};
  params.session_id = std::to_string(bridge_.id());
  return sdp::BuildAnswer(offer, params, answers);
}

void SignalingSession::SendSubscribeAck(const proto::SdkSubscribeFrame& sub,
                                        const std::string& answer, const VideoPlanResult& video) {
  SdkSignalFrame ack = proto::MakeFrame(SdkSignalFrame::SUBSCRIBE_ACK);
  ack.mutable_suback()->set_duplex(sub.duplex());
  ack.mutable_suback()->set_sdp_answer(answer);
  for (const auto& al : video.allocations) *ack.mutable_suback()->add_allocations() = al;
  for (const auto& t : video.tracks) *ack.mutable_suback()->add_tracks() = t;
  if (video.over_sender_capacity) {
    ack.mutable_error()->set_status(206);  // VideoCallSwitchToViewOnly (docs/PROTOCOL.md §7.2)
    ack.mutable_error()->set_description("the meeting has its maximum number of video senders");
  } else if (video.view_only_refused) {
    ack.mutable_error()->set_status(206);  // the same: the client drops its local tile
    ack.mutable_error()->set_description("replica meeting attendees cannot send video");
  }
  Send(ack);
}

void SignalingSession::BecomePresent(bool muted) {
  // Presence after SUBSCRIBE_ACK (a client waiting for its own presence is not replayed). A
  // hidden attendee gets the roster but is not in it.
  present_ = true;
  MeetingState& state = hub_.State(media_meeting());
  audio_stream_id_ = identity_.hidden_receive_only
                         ? state.AllocateHiddenStreamId()
                         : state.Present(identity_.attendee_id, identity_.external_user_id, muted);
  AnnouncePresence(muted);
  // Messages kept for late joiners.
  auto& kept = state.kept(clock_.NowSteadyMs());
  if (kept.empty()) return;
  SdkSignalFrame replay = proto::MakeFrame(SdkSignalFrame::DATA_MESSAGE);
  for (const KeptDataMessage& m : kept) *replay.mutable_data_message()->add_messages() = m.payload;
  Send(replay);
}

void SignalingSession::AnnouncePresence(bool muted) {
  MeetingState& state = hub_.State(media_meeting());
  SdkSignalFrame snapshot = proto::MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO);
  for (const auto& [id, e] : state.present()) {
    auto* s = snapshot.mutable_audio_stream_id_info()->add_streams();
    s->set_audio_stream_id(e.audio_stream_id);
    s->set_attendee_id(e.attendee_id);
    s->set_external_user_id(e.external_user_id);
    s->set_muted(e.muted);
  }
  if (identity_.hidden_receive_only) {
    // Itself too, shown to itself only: a Chime client whose app sets attendeePresenceTimeoutMs
    // waits for its own attendee id (docs/PROTOCOL.md §11).
    auto* s = snapshot.mutable_audio_stream_id_info()->add_streams();
    s->set_audio_stream_id(audio_stream_id_);
    s->set_attendee_id(identity_.attendee_id);
    s->set_external_user_id(identity_.external_user_id);
    s->set_muted(muted);
    Send(snapshot);
    return;
  }
  Send(snapshot);
  const PresenceEntry* self = state.Find(identity_.attendee_id);
  SdkSignalFrame delta = proto::MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO);
  auto* d = delta.mutable_audio_stream_id_info()->add_streams();
  d->set_audio_stream_id(self->audio_stream_id);
  d->set_attendee_id(self->attendee_id);
  d->set_external_user_id(self->external_user_id);
  d->set_muted(self->muted);
  for (SignalingSession* other : hub_.MediaSessionsOf(media_meeting())) {
    if (other != this && other->subscribed()) other->Send(delta);
  }
}

void SignalingSession::AnnounceLeft(bool dropped) {
  present_ = false;
  MeetingState& state = hub_.State(media_meeting());
  const PresenceEntry* e = state.Find(identity_.attendee_id);
  // Hidden (never in the roster), or a newer session of the same attendee owns the entry now:
  // nothing to announce.
  if (identity_.hidden_receive_only || !e || e->audio_stream_id != audio_stream_id_) {
    audio_stream_id_ = 0;
    return;
  }
  SdkSignalFrame delta = proto::MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO);
  auto* d = delta.mutable_audio_stream_id_info()->add_streams();
  d->set_audio_stream_id(audio_stream_id_);
  if (dropped) d->set_dropped(true);
  state.Absent(identity_.attendee_id);
  audio_stream_id_ = 0;
  for (SignalingSession* other : hub_.MediaSessionsOf(media_meeting())) {
    if (other != this && other->subscribed()) other->Send(delta);
  }
}

void SignalingSession::HandleRemoteVideoUpdate(const SdkSignalFrame& f) {
  // docs/PROTOCOL.md §4.17: switch what a section receives (another layer or source) without
  // renegotiating, or stop sections. Streams that do not exist in this meeting, or are the client's
  // own, are ignored (counted as malformed input).
  if (!bridge_.open() || !f.has_remote_video_update()) return;
  const auto& u = f.remote_video_update();
  const MeetingState& state = hub_.State(media_meeting());
  bool changed = false;
  for (const auto& c : u.added_or_updated_video_subscriptions()) {
    const VideoSource* src = state.FindVideoForSubscription(c.stream_id());
    if (!src || src->attendee_id == identity_.attendee_id) {
      metrics_.CountSignalingFrame("in", "remote_video_update_refused");
      continue;
    }
    for (auto& sub : video_media_.subscriptions) {
      if (sub.mid == c.mid() && sub.stream_id != c.stream_id()) {
        sub.stream_id = c.stream_id();
        changed = true;
      }
    }
  }
  for (const auto& mid : u.removed_video_subscription_mids()) {
    changed |= std::erase_if(video_media_.subscriptions,
                             [&](const sfu::VideoSubscription& s) { return s.mid == mid; }) > 0;
  }
  if (changed) bridge_.SetVideo(video_media_);
}

void SignalingSession::HandlePauseResume(const SdkSignalFrame& f) {
  // docs/PROTOCOL.md §4.8: stop/restart forwarding these streams to this client only (the sections
  // stay).
  if (!bridge_.open() || !f.has_pause()) return;
  std::vector<uint32_t> ids;
  for (uint32_t id : f.pause().stream_ids()) {
    if (ids.size() == 64) break;  // more than any client subscribes to
    ids.push_back(id);
  }
  bridge_.SetVideoPaused(std::move(ids), /*paused=*/f.type() == SdkSignalFrame::PAUSE);
}

void SignalingSession::HandleAudioControl(const SdkSignalFrame& f) {
  if (!subscribed() || identity_.hidden_receive_only) return;
  PresenceEntry* e = hub_.State(media_meeting()).Find(identity_.attendee_id);
  if (!e || e->audio_stream_id != audio_stream_id_) return;
  e->muted = f.audio_control().muted();
  bridge_.SetMuted(e->muted);
  SdkSignalFrame delta = proto::MakeFrame(SdkSignalFrame::AUDIO_STREAM_ID_INFO);
  auto* d = delta.mutable_audio_stream_id_info()->add_streams();
  d->set_audio_stream_id(e->audio_stream_id);
  d->set_muted(e->muted);
  for (SignalingSession* s : hub_.MediaSessionsOf(media_meeting())) {
    if (s->subscribed()) s->Send(delta);
  }
}

void SignalingSession::HandleDataMessage(const SdkSignalFrame& f) {
  if (!joined_) return;
  if (identity_.hidden_receive_only) {
    // A replica attendee receives the primary's data messages but sends none (docs/PROTOCOL.md
    // §11): it is not a member anyone else knows of.
    metrics_.CountSignalingFrame("in", "data_message_replica_dropped");
    return;
  }
  MeetingState& state = hub_.State(media_meeting());
  SdkSignalFrame deliver = proto::MakeFrame(SdkSignalFrame::DATA_MESSAGE);
  SdkSignalFrame bounce = proto::MakeFrame(SdkSignalFrame::DATA_MESSAGE);
  const int64_t now_ms = clock_.NowSteadyMs();
  for (const proto::SdkDataMessagePayload& in : f.data_message().messages()) {
    if (!MeetingState::ValidDataMessage(in)) {
      metrics_.CountSignalingFrame("in", "data_message_invalid");
      continue;
    }
    proto::SdkDataMessagePayload out;
    out.set_topic(in.topic());
    out.set_data(in.data());
    if (in.has_lifetime_ms()) out.set_lifetime_ms(in.lifetime_ms());
    out.set_sender_attendee_id(identity_.attendee_id);
    out.set_sender_external_user_id(identity_.external_user_id);
    if (!state.AllowDataMessage(now_ms)) {
      out.set_ingest_time_ns(0);  // throttled: back to the sender only (docs/PROTOCOL.md §4.15)
      *bounce.mutable_data_message()->add_messages() = out;
      continue;
    }
    out.set_ingest_time_ns(NowNs());
    state.Keep(out, now_ms);
    *deliver.mutable_data_message()->add_messages() = out;
  }
  if (bounce.data_message().messages_size() > 0) Send(bounce);
  if (deliver.data_message().messages_size() == 0) return;
  for (SignalingSession* s : hub_.MediaSessionsOf(media_meeting())) {
    if (s != this && s->joined()) s->Send(deliver);
  }
  hub_.RelayData(media_meeting(), deliver.data_message());  // replicas on other nodes
}

void SignalingSession::HandlePrimaryMeetingJoin(const SdkSignalFrame&) {
  // docs/PROTOCOL.md §4.20: promotion is not supported. The Chime client's promoteToPrimaryMeeting
  // resolves with the ack's error status (4xx SignalingBadRequest, 5xx
  // SignalingInternalServerError) and its session continues as it was.
  SdkSignalFrame ack = proto::MakeFrame(SdkSignalFrame::PRIMARY_MEETING_JOIN_ACK);
  if (!identity_.hidden_receive_only) {
    ack.mutable_error()->set_status(400);
    ack.mutable_error()->set_description("this session is not in a replica meeting");
  } else {
    ack.mutable_error()->set_status(501);
    ack.mutable_error()->set_description(
        "promotion to the primary meeting is not supported by this server");
  }
  SFU_LOG(kInfo, "primary meeting join refused")
      .Kv("meeting", identity_.meeting_id)
      .Kv("attendee", identity_.attendee_id)
      .Kv("status", ack.error().status());
  Send(ack);
}

void SignalingSession::StopMedia() {
  if (video_.stream_id) {
    video_ = SessionVideoState{};
    if (hub_.State(media_meeting()).UnpublishVideo(identity_.attendee_id))
      hub_.BroadcastIndex(media_meeting());
  }
  StopTransport();
}

void SignalingSession::StopTransport() {
  // A direct attempt that ran a while and never connected: this attendee's network does not let
  // it reach us, so its next JOIN gets TURN (--turn-policy auto). Short attempts (a quick leave)
  // say nothing.
  if (media_ && transport_opened_ms_ >= 0 && !media_connected_ && !turn_sent_ &&
      clock_.NowSteadyMs() - transport_opened_ms_ >= media_->turn.failure_after_ms) {
    hub_.MarkNeedsRelay(identity_.meeting_id, identity_.attendee_id, clock_.NowSteadyMs());
    SFU_LOG(kInfo, "media never connected: TURN on the next join")
        .Kv("meeting", identity_.meeting_id)
        .Kv("attendee", identity_.attendee_id);
  }
  transport_opened_ms_ = -1;
  data_channel_open_ = false;
  bridge_.Stop();
}

void SignalingSession::SendIndex() {
  // The complete list every time (docs/PROTOCOL.md §4.7): every published camera, media_type VIDEO.
  SdkSignalFrame index = proto::MakeFrame(SdkSignalFrame::INDEX);
  index.mutable_index()->set_num_participants(
      static_cast<uint32_t>(hub_.JoinedCount(media_meeting())));
  for (const auto& [id, v] : hub_.State(media_meeting()).video_sources()) {
    auto* d = index.mutable_index()->add_sources();
    d->set_stream_id(v.stream_id);
    d->set_group_id(v.group_id);
    d->set_attendee_id(v.attendee_id);
    d->set_external_user_id(v.external_user_id);
    d->set_media_type(proto::VIDEO);
    d->set_max_bitrate_kbps(v.max_bitrate_kbps);
    d->set_framerate(v.framerate);
  }
  Send(index);
}

void SignalingSession::End(uint32_t status, const std::string& reason) {
  if (connection_->closed()) return;
  StopMedia();
  SdkSignalFrame f = proto::MakeFrame(SdkSignalFrame::AUDIO_STATUS);
  f.mutable_audio_status()->set_audio_status(status);
  Send(f);
  connection_->Close(1000, reason);
  SFU_LOG(kInfo, "signaling ended by server")
      .Kv("meeting", identity_.meeting_id)
      .Kv("attendee", identity_.attendee_id)
      .Kv("status", status);
}

bool SignalingSession::closing() const { return connection_->closed(); }

void SignalingSession::CloseSuperseded() {
  if (connection_->closed()) return;
  StopMedia();
  connection_->Close(1000, "superseded by a newer connection of the same attendee");
  SFU_LOG(kInfo, "signaling superseded")
      .Kv("meeting", identity_.meeting_id)
      .Kv("attendee", identity_.attendee_id);
}

void SignalingSession::OnClosed(uint16_t code) {
  SFU_LOG(kInfo, "signaling closed")
      .Kv("meeting", identity_.meeting_id)
      .Kv("attendee", identity_.attendee_id)
      .Kv("code", code);
}

}  // namespace sfu::signaling

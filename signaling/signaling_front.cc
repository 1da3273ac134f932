#include "signaling/signaling_front.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "sfu/shard_set.h"
#include "signaling/api/capabilities.h"
#include "signaling/api/join_token.h"
#include "signaling/signaling_hub.h"
#include "signaling/signaling_metrics.h"
#include "signaling/signaling_session.h"
#include "signaling/store/meeting_store.h"

namespace sfu::signaling {
namespace {

// MeetingFeatures.Audio.BitrateKbps (validated when the meeting was created) in b/s; 0 if absent.
int AudioBitrateOf(const std::string& features_json) {
  if (features_json.empty()) return 0;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(features_json, ec);
  if (ec || !v.is_object()) return 0;
  const auto* audio = v.as_object().if_contains("Audio");
  if (!audio || !audio->is_object()) return 0;
  const auto* kbps = audio->as_object().if_contains("BitrateKbps");
  return kbps && kbps->is_int64() ? static_cast<int>(kbps->as_int64()) * 1000 : 0;
}
constexpr std::string_view kSessionProtocol = "_aws_wt_session";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

SignalingFront::SignalingFront(store::MeetingStore& store, const api::JoinTokenSigner& signer,
                               SignalingHub& hub, SignalingMetrics& metrics,
                               const base::Clock& clock, SignalingLimits limits,
                               const MediaContext* media)
    : store_(store),
      signer_(signer),
      hub_(hub),
      metrics_(metrics),
      clock_(clock),
      limits_(limits),
      media_(media) {}

std::string SignalingFront::ExtractToken(const http::HttpRequest& req, bool* via_subprotocol) {
  *via_subprotocol = false;
  if (const std::string* protocols = req.Header("Sec-WebSocket-Protocol")) {
    // "_aws_wt_session, <token>"
    std::string_view rest(*protocols);
    bool saw_session = false;
    std::string token;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view item = Trim(rest.substr(0, comma));
      if (item == kSessionProtocol)
        saw_session = true;
      else if (!item.empty() && token.empty())
        token = item;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (saw_session && !token.empty()) {
      *via_subprotocol = true;
      return token;
    }
  }
  if (const std::string* cookie = req.Header("Cookie")) {
    std::string_view rest(*cookie);
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      const std::string_view item = Trim(rest.substr(0, semi));
      if (item.substr(0, kSessionProtocol.size() + 1) == std::string(kSessionProtocol) + "=") {
        return std::string(item.substr(kSessionProtocol.size() + 1));
      }
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    }
  }
  return {};
}

ws::WsAcceptance SignalingFront::Refuse(uint16_t code, const std::string& reason,
                                        const std::string& subprotocol) {
  metrics_.CountSignalingRefusal(reason);
  ws::WsAcceptance a;
  a.subprotocol = subprotocol;
  a.close_code = code;
  a.close_reason = reason;
  return a;
}

bool SignalingFront::ShardOverloadedFor(const std::string& meeting_id,
                                        const std::string& media_meeting_id,
                                        const std::string& attendee_id) const {
  if (!media_ || !media_->shards) return false;
  const std::optional<int> placed = media_->shards->ShardOf(media_meeting_id);
  const bool overloaded = placed ? media_->shards->Overloaded(static_cast<size_t>(*placed))
                                 : media_->shards->AllOverloaded();
  if (!overloaded) return false;
  // A reconnect of someone already in the meeting adds no load: let it through.
  for (SignalingSession* s : hub_.SessionsOf(meeting_id))
    if (s->identity().attendee_id == attendee_id && s->joined()) return false;
  return true;
}

void SignalingFront::SupersedeOldSessions(const std::string& meeting_id,
                                          const std::string& attendee_id) {
  size_t open = 0;
  SignalingSession* oldest_unjoined = nullptr;
  // SessionsOf lists sessions in the order they connected: the oldest first.
  for (SignalingSession* s : hub_.SessionsOf(meeting_id)) {
    if (s->identity().attendee_id != attendee_id || s->closing()) continue;
    ++open;
    if (!s->joined() && !oldest_unjoined) oldest_unjoined = s;
  }
  // JOIN ends every other session of the attendee, so at most one of them has joined: with two
  // open, one never joined.
  if (open + 1 > kMaxSessionsPerAttendee && oldest_unjoined) {
    oldest_unjoined->CloseSuperseded();
    metrics_.CountSignalingRefusal("superseded");
  }
}

ws::WsAcceptance SignalingFront::OnUpgrade(const http::HttpRequest& req,
                                           std::shared_ptr<ws::WsConnection> connection) {
  const std::vector<std::string> segments = http::SplitPath(req.path);
  if (segments.size() != 2 || segments[0] != "control") {
    ws::WsAcceptance a;
    a.upgrade = false;
    a.refusal.status = 404;
    a.refusal.body = "no WebSocket endpoint at this path; signaling is /control/<MeetingId>\n";
    metrics_.CountSignalingRefusal("bad_path");
    return a;
  }
  const std::string& meeting_id = segments[1];
  bool via_subprotocol = false;
  const std::string token = ExtractToken(req, &via_subprotocol);
  const std::string subprotocol = via_subprotocol ? std::string(kSessionProtocol) : std::string();
  auto claims = token.empty() ? std::nullopt : signer_.Verify(token);
  // Everything that does not prove "attendee of this meeting" gets the same 4403.
  if (!claims || claims->meeting_id != meeting_id) {
    SFU_LOG(kInfo, "signaling refused")
        .Kv("reason", token.empty() ? "no token" : "bad token")
        .Kv("remote", req.remote_address);
    return Refuse(4403, token.empty() ? "no_token" : "bad_token", subprotocol);
  }
  // Content share (docs/PROTOCOL.md §5.6): a second session as "<AttendeeId>#content"; at most 2
  // per meeting.
  if (claims->content) {
    size_t shares = 0;
    for (SignalingSession* s : hub_.SessionsOf(meeting_id))
      if (s->identity().content && s->identity().attendee_id != claims->attendee_id + "#content")
        ++shares;
    if (shares >= kMaxContentShares) return Refuse(4409, "content_share_limit", subprotocol);
  }
  try {
    auto meeting = store_.GetMeeting(meeting_id);
    if (!meeting) return Refuse(4410, "meeting_ended", subprotocol);
    if (!meeting->node_id.empty() && meeting->node_id != node_id_)
      return Refuse(4404, "wrong_node", subprotocol);
    auto attendee = store_.GetAttendee(meeting_id, claims->attendee_id);
    if (!attendee) return Refuse(4403, "attendee_removed", subprotocol);
    // A replica meeting's attendees are hidden, receive-only members of its primary's media
    // (docs/DESIGN.md, "Replica meetings"); a replica whose primary is gone has ended (the API
    // ends replicas with their primary; this covers a replica created as its primary ended).
    std::string media_meeting_id = meeting_id;
    // The mix's settings are the media meeting's: a replica attendee may be the one whose
    // participant creates the primary's mixer on its shard.
    std::string mix_features_json = meeting->meeting_features_json;
    if (meeting->primary_meeting_id) {
      const std::optional<store::MeetingRecord> primary =
          store_.GetMeeting(*meeting->primary_meeting_id);
      if (!primary) return Refuse(4410, "meeting_ended", subprotocol);
      media_meeting_id = primary->meeting_id;
      mix_features_json = primary->meeting_features_json;
    }
    if (ShardOverloadedFor(
            meeting_id, media_meeting_id,
            claims->content ? attendee->attendee_id + "#content" : attendee->attendee_id)) {
      return Refuse(4503, "server_overloaded", subprotocol);  // 4500-4599: the client retries
    }
    store_.TouchMeeting(meeting_id, clock_.NowUnixMs());
    ws::WsAcceptance a;
    a.subprotocol = subprotocol;
    AttendeeIdentity identity;
    identity.meeting_id = meeting_id;
    identity.attendee_id = attendee->attendee_id;
    identity.external_user_id = attendee->external_user_id;
    identity.audio_bitrate_bps = AudioBitrateOf(mix_features_json);
    identity.cap_audio = attendee->capabilities_audio;
    identity.cap_video = attendee->capabilities_video;
    identity.cap_content = attendee->capabilities_content;
    identity.max_video_pixels = api::MaxResolutionPixels(api::MaxResolutionOf(
        meeting->meeting_features_json, claims->content ? "Content" : "Video"));
    if (claims->content) {
      identity.attendee_id += "#content";
      identity.content = true;
    }
    identity.media_meeting_id = media_meeting_id;
    identity.hidden_receive_only = meeting->primary_meeting_id.has_value();
    // One live session per attendee (and per content share) plus one reconnecting: a newer
    // connection closes the oldest one that never joined (abandoned, or a client opening sockets
    // in a loop), so one join token can never hold more than two sessions.
    SupersedeOldSessions(meeting_id, identity.attendee_id);
    a.handler = std::make_unique<SignalingSession>(std::move(connection), std::move(identity), hub_,
                                                   metrics_, clock_, limits_, media_);
    return a;
  } catch (const store::StoreUnavailable& e) {
    SFU_LOG(kWarn, "store unavailable on signaling upgrade").Kv("error", e.what());
    return Refuse(4500, "internal_error", subprotocol);  // the client retries
  } catch (const store::StoreError& e) {
    SFU_LOG(kError, "store failure on signaling upgrade").Kv("error", e.what());
    return Refuse(4500, "internal_error", subprotocol);  // 4500-4599: the client retries
  }
}

}  // namespace sfu::signaling

#pragma once
// GET /control/{MeetingId} WebSocket upgrades (docs/PROTOCOL.md §2, §7.1): takes the join
// token from the subprotocol pair "_aws_wt_session, <token>" (JS client; answered with
// Sec-WebSocket-Protocol: _aws_wt_session) or the cookie "_aws_wt_session=<token>" (C++ client),
// checks it against the store, and starts a SignalingSession. Refusals accept the upgrade and
// close at once with a code the client understands, learning nothing about other meetings:
//   4403  bad, forged or revoked token, attendee deleted, token for another meeting
//   4410  the meeting has ended (valid token for this meeting, meeting gone)
// Thread: control thread.

#include <memory>
#include <string>

#include "signaling/signaling_session.h"
#include "signaling/ws/ws_connection.h"

namespace sfu::api {
class JoinTokenSigner;
}
namespace sfu::store {
class MeetingStore;
}

namespace sfu::signaling {

class SignalingMetrics;

class SignalingFront {
 public:
  static constexpr size_t kMaxContentShares = 2;  // per meeting (issue: video SFU)
  // Open signaling sessions per attendee identity: the live one and one reconnecting.
  static constexpr size_t kMaxSessionsPerAttendee = 2;
  // media: where attendees' transports go (borrowed; null: SUBSCRIBE is refused with 500).
  SignalingFront(store::MeetingStore& store, const api::JoinTokenSigner& signer, SignalingHub& hub,
                 SignalingMetrics& metrics, const base::Clock& clock, SignalingLimits limits = {},
                 const MediaContext* media = nullptr);

  ws::WsAcceptance OnUpgrade(const http::HttpRequest& request,
                             std::shared_ptr<ws::WsConnection> connection);

  // Cluster mode: this node's id. A join for a meeting placed on another node is refused
  // (4404 wrong_node): the meeting's media lives there.
  void set_node_id(std::string node_id) { node_id_ = std::move(node_id); }

  // The token from a request: subprotocol first, then cookie. Empty if neither.
  static std::string ExtractToken(const http::HttpRequest& request, bool* via_subprotocol);

 private:
  ws::WsAcceptance Refuse(uint16_t code, const std::string& reason, const std::string& subprotocol);
  void SupersedeOldSessions(const std::string& meeting_id, const std::string& attendee_id);
  // The shard of the meeting's media (`media_meeting_id`: the meeting, or a replica's primary;
  // before it is placed, every shard) is late persistently and this is not a reconnect of a
  // joined attendee: refuse with 4503 so the meeting keeps its quality.
  bool ShardOverloadedFor(const std::string& meeting_id, const std::string& media_meeting_id,
                          const std::string& attendee_id) const;

  store::MeetingStore& store_;
  const api::JoinTokenSigner& signer_;
  SignalingHub& hub_;
  SignalingMetrics& metrics_;
  const base::Clock& clock_;
  SignalingLimits limits_;
  const MediaContext* media_;
  std::string node_id_;
};

}  // namespace sfu::signaling

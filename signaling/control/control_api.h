#pragma once
// The Meetings control API in the shape of the Amazon Chime SDK Meetings REST API:
//   POST   /meetings                                   CreateMeeting
//   POST   /meetings?operation=create-attendees        CreateMeetingWithAttendees
//   GET    /meetings/{MeetingId}                       GetMeeting
//   DELETE /meetings/{MeetingId}                       DeleteMeeting
//   POST   /meetings/{MeetingId}/attendees             CreateAttendee
//   POST   /meetings/{MeetingId}/attendees?operation=batch-create   BatchCreateAttendee
//   GET    /meetings/{MeetingId}/attendees             ListAttendees (max-results, next-token)
//   GET    /meetings/{MeetingId}/attendees/{AttendeeId}             GetAttendee
//   DELETE /meetings/{MeetingId}/attendees/{AttendeeId}             DeleteAttendee
// Authentication and rate limiting happen before this (HttpRouter). Same JSON field names,
// status codes and x-amzn-ErrorType headers as the AWS service, so @aws-sdk clients work.
//
// Thread: control thread only. Owns nothing but its config; store and signer are borrowed and
// must outlive it.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"
#include "signaling/api/api_types.h"
#include "signaling/api/http_message.h"
#include "signaling/api/join_token.h"
#include "signaling/api/request_parser.h"
#include "signaling/store/meeting_store.h"

namespace sfu::api {

struct ControlApiConfig {
  std::string http_base = "http://127.0.0.1:8080";  // scheme://host:port, no trailing slash
  std::string ws_base = "ws://127.0.0.1:8080";      // ws or wss to match http/https
  std::string media_host = "127.0.0.1:3478";        // AudioHostUrl
  std::string account_id = "000000000000";          // in MeetingArn
  ParseLimits limits;
  int list_default_results = 10;
  int list_max_results = 100;
};

// Told about changes so live state (shards, signaling sessions) can follow. Called on the
// control thread after the store has committed.
class ControlApiListener {
 public:
  virtual ~ControlApiListener() = default;
  virtual void OnMeetingCreated(const store::MeetingRecord& meeting) = 0;
  virtual void OnMeetingDeleted(const std::string& meeting_id, std::string_view reason) = 0;
  virtual void OnAttendeeCreated(const store::AttendeeRecord& attendee) = 0;
  virtual void OnAttendeeDeleted(const std::string& meeting_id, const std::string& attendee_id) = 0;
  // UpdateAttendeeCapabilities / BatchUpdateAttendeeCapabilitiesExcept changed an attendee's
  // capabilities (the record holds the new ones): live sessions apply them.
  virtual void OnAttendeeCapabilitiesChanged(const store::AttendeeRecord& /*attendee*/) {}
  // True when no shard can take a new meeting without hurting the ones it has: CreateMeeting
  // then answers 503 ServiceUnavailableException (the AWS SDK retries it).
  virtual bool AtCapacity() const { return false; }
  // Cluster mode: chooses the node that hosts a new meeting and fills the record's node fields
  // (node id and the URLs its MediaPlacement names), or says why none can (503). With one node
  // the record is left as it is.
  virtual std::optional<ApiError> PlaceMeeting(store::MeetingRecord* /*meeting*/) {
    return std::nullopt;
  }
};

class ControlApi {
 public:
  ControlApi(store::MeetingStore& store, const JoinTokenSigner& signer, const base::Clock& clock,
             ControlApiConfig config, ControlApiListener* listener);

  // True if the path belongs to the API (/meetings..., /tags).
  static bool IsApiPath(std::string_view path);
  // The operation a request names ("CreateMeeting", ...), or "Unknown"; for metrics of requests
  // refused before they reach Handle (auth, rate limit).
  static std::string OperationName(const http::HttpRequest& req);
  // True for a request that a replay would repeat with effect: CreateMeeting and
  // CreateMeetingWithAttendees without a ClientRequestToken (every other operation is
  // idempotent here: creates of an attendee return the existing one, deletes are no-ops).
  static bool ReplayWouldRepeat(const http::HttpRequest& req);

  struct Result {
    http::HttpResponse response;
    std::string operation;  // "CreateMeeting", ... or "Unknown"
  };
  // Handles one authenticated request. Store failures become ServiceFailureException.
  Result Handle(const http::HttpRequest& req, const std::string& request_id);

  // Ends a meeting (DELETE or expiry): deletes it from the store and tells the listener; a
  // primary's replicas end with it (EndReplicasOf).
  bool EndMeeting(const std::string& meeting_id, std::string_view reason);

  // Replica meetings (CreateMeeting with PrimaryMeetingId; docs/DESIGN.md, "Replica meetings").
  // The API keeps, in memory, which replicas each primary has among the meetings it created or
  // was told about: ending a primary ends them ("primary_ended"). The store has no index by
  // primary (a scan per ended meeting would cost the control thread a read per meeting), so the
  // server tells the API about the meetings it hosts at start and, in cluster mode, about those
  // another node's API created here (NoteMeeting). Phase 1 keeps a replica on its primary's
  // node, so the node hosting a primary knows all of its replicas.
  void NoteMeeting(const store::MeetingRecord& meeting);
  // Ends the replicas of `primary_id` this API knows of and forgets `primary_id` itself as a
  // replica (it is gone). Returns how many ended. Safe to call for any meeting, any number of
  // times (a cluster node calls it when told that a meeting it hosts was deleted elsewhere).
  int EndReplicasOf(const std::string& primary_id);
  size_t known_replica_count() const { return primary_of_.size(); }
  // Ends meetings idle (no connected attendee) for idle_ms; is_connected says whether a meeting
  // has a connected attendee right now. Returns how many ended.
  int ExpireIdleMeetings(int64_t idle_ms,
                         const std::function<bool(const std::string&)>& is_connected);

  // Builds an AWS-style error response.
  static http::HttpResponse ErrorResponse(const ApiError& e, const std::string& request_id);

  const ControlApiConfig& config() const { return config_; }

 private:
  http::HttpResponse CreateMeeting(const http::HttpRequest& req, bool with_attendees);
  http::HttpResponse GetMeeting(const std::string& meeting_id);
  http::HttpResponse DeleteMeeting(const std::string& meeting_id);
  http::HttpResponse CreateAttendee(const std::string& meeting_id, const http::HttpRequest& req);
  http::HttpResponse BatchCreateAttendee(const std::string& meeting_id,
                                         const http::HttpRequest& req);
  http::HttpResponse ListAttendees(const std::string& meeting_id, const http::HttpRequest& req);
  http::HttpResponse GetAttendee(const std::string& meeting_id, const std::string& attendee_id);
  http::HttpResponse DeleteAttendee(const std::string& meeting_id, const std::string& attendee_id);
  // signaling/control/attendee_capabilities.cc
  http::HttpResponse UpdateAttendeeCapabilities(const std::string& meeting_id,
                                                const std::string& attendee_id,
                                                const http::HttpRequest& req);
  http::HttpResponse BatchUpdateAttendeeCapabilitiesExcept(const std::string& meeting_id,
                                                           const http::HttpRequest& req);
  http::HttpResponse MeetingTranscription(const std::string& meeting_id, bool start);
  // signaling/control/meeting_tags.cc
  http::HttpResponse TagResource(const http::HttpRequest& req);
  http::HttpResponse UntagResource(const http::HttpRequest& req);
  http::HttpResponse ListTagsForResource(const http::HttpRequest& req);
  // The meeting id an ARN of ours names (arn:aws:chime:<region>:<account>:meeting/<id>), or an
  // error: BadRequest for a malformed ARN, ResourceNotFound for no such meeting.
  std::optional<store::MeetingRecord> MeetingOfArn(const std::string& arn, ApiError* error);

  // Creates (or returns the existing attendee with the same ExternalUserId) without committing
  // the capacity check; shared by the three creating operations.
  std::optional<store::AttendeeRecord> ExistingAttendee(const std::string& meeting_id,
                                                        const std::string& external_user_id);
  store::AttendeeRecord NewAttendee(const std::string& meeting_id, const AttendeeParams& p);

  http::HttpResponse Fail(const ApiError& e) const;

  std::string request_id_;         // of the request being handled, for error bodies
  store::MeetingStore& store_;     // borrowed
  const JoinTokenSigner& signer_;  // borrowed
  const base::Clock& clock_;       // borrowed
  ControlApiConfig config_;
  ControlApiListener* listener_;                                     // borrowed, may be null
  std::unordered_map<std::string, std::set<std::string>> replicas_;  // primary -> its replicas
  std::unordered_map<std::string, std::string> primary_of_;          // replica -> its primary
};

}  // namespace sfu::api

#pragma once
// The cluster store (--redis): the same state as SqliteStore, in Redis, shared by every node
// (docs/DESIGN.md, "Cluster mode"; the keys are listed in docs/SCALING.md). Writes that must
// be atomic are one MULTI/EXEC or one Lua script; a Transaction() queues its writes and sends
// them as one MULTI/EXEC. Per-node views (ListMeetingIds, idle expiry, counts, the event queue)
// are this node's: a meeting belongs to the node it was placed on.
//
// What SQLite's constraints refuse is refused here too (StoreError, nothing written): a meeting
// id or ClientRequestToken already used, an attendee id or ExternalUserId already in the
// meeting. The checks are reads made at once; the keys they read are WATCHed, so if another node
// changes them before the MULTI/EXEC, it is aborted as a whole (StoreError).
//
// Redis must keep what it acknowledged: run it with appendonly yes and appendfsync everysec
// (or always); docs/SCALING.md says what each setting loses on a Redis restart.
//
// Thread: one owner (the control thread). Not thread-safe.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "signaling/store/meeting_store.h"
#include "signaling/store/redis_client.h"

namespace sfu::store {

class RedisStore final : public MeetingStore {
 public:
  // Connects, and makes (SET NX) or reads the cluster's join-token secret. nullptr with *error.
  static std::unique_ptr<RedisStore> Open(const RedisAddress& address, const std::string& node_id,
                                          std::string* error, RedisTimeouts timeouts = {});

  RedisClient& client() { return *client_; }
  const std::string& node_id() const { return node_id_; }

  std::string Describe() const override { return client_->address().Describe(); }
  const std::string& token_secret() const override { return token_secret_; }

  void InsertMeeting(const MeetingRecord& m) override;
  std::optional<MeetingRecord> GetMeeting(const std::string& meeting_id) override;
  std::optional<MeetingRecord> FindMeetingByRequestToken(const std::string& token) override;
  bool DeleteMeeting(const std::string& meeting_id) override;
  void TouchMeeting(const std::string& meeting_id, int64_t now_ms) override;
  std::vector<std::string> ListMeetingIds() override;
  std::vector<std::string> ListMeetingsIdleSince(int64_t before_ms) override;
  int64_t CountMeetings() override;
  // Which of these meetings are still in the store (one pipeline), in order.
  std::vector<bool> MeetingsExist(const std::vector<std::string>& meeting_ids);
  // The meetings placed on any node (a dead node's, for the sweep).
  std::vector<std::string> ListMeetingIdsOf(const std::string& node_id);

  void InsertAttendeesUpTo(std::vector<AttendeeRecord>* attendees, int64_t max_attendees) override;
  std::optional<AttendeeRecord> GetAttendee(const std::string& meeting_id,
                                            const std::string& attendee_id) override;
  std::optional<AttendeeRecord> FindAttendeeByExternalUserId(
      const std::string& meeting_id, const std::string& external_user_id) override;
  bool DeleteAttendee(const std::string& meeting_id, const std::string& attendee_id) override;
  bool UpdateAttendeeCapabilities(const std::string& meeting_id, const std::string& attendee_id,
                                  const std::string& audio, const std::string& video,
                                  const std::string& content) override;

  std::vector<std::pair<std::string, std::string>> ListTags(const std::string& meeting_id) override;
  void SetTags(const std::string& meeting_id,
               const std::vector<std::pair<std::string, std::string>>& tags) override;
  void RemoveTags(const std::string& meeting_id, const std::vector<std::string>& keys) override;
  std::vector<AttendeeRecord> ListAttendees(const std::string& meeting_id, int64_t after_seq,
                                            int limit) override;
  int64_t CountAttendees(const std::string& meeting_id) override;
  int64_t CountAllAttendees() override;

  int64_t EnqueueEvent(const std::string& event_id, const std::string& meeting_id,
                       const std::string& body, int64_t now_ms,
                       const std::vector<std::string>& destinations) override;
  std::vector<QueuedEvent> PendingEvents(const std::string& destination, int64_t after_seq,
                                         int limit) override;
  bool AckEvent(const std::string& destination, int64_t seq) override;
  int64_t DropOldestEvents(const std::string& destination, int64_t n) override;
  int64_t CountPendingEvents(const std::string& destination) override;
  int64_t ForgetEventDestinationsExcept(const std::vector<std::string>& keep) override;

  void Transaction(const std::function<void()>& f) override;

 private:
  RedisStore(std::unique_ptr<RedisClient> client, std::string node_id);
  using Commands = std::vector<std::vector<std::string>>;
  // Inside Transaction(): queued; otherwise sent at once as one MULTI/EXEC.
  void Write(Commands commands);
  // Sends one MULTI/EXEC (or nothing) and ends the WATCH; on failure gives the claims back.
  void Commit(Commands commands);
  // A transaction that will not be sent: drops its writes, WATCH and claims.
  void Abandon();
  // Throws StoreError(why); outside a transaction, first ends the WATCH of the failed call.
  [[noreturn]] void Refuse(const std::string& why);
  void Unwatch();
  // Gives back ClientRequestToken claims (best effort: they lapse anyway).
  void ReleaseClaims(const std::vector<std::pair<std::string, std::string>>& claims);
  // WATCHes keys (one more command in the round trip of the reads it guards).
  std::vector<std::string> WatchCommand(const std::vector<std::string>& keys);

  std::unique_ptr<RedisClient> client_;
  std::string node_id_;
  std::string token_secret_;
  int transaction_depth_ = 0;
  Commands pending_;
  bool watching_ = false;
  // ClientRequestToken claims (SET NX PX) not yet made permanent: token, meeting id.
  std::vector<std::pair<std::string, std::string>> claims_;
  // Inside a transaction, what its queued writes will have done when they are sent, so that
  // reads made meanwhile answer as SQLite would: the attendees it inserts (meeting, attendee id
  // and meeting, ExternalUserId), the events it enqueues and the deliveries it removes, per
  // destination.
  std::set<std::pair<std::string, std::string>> txn_attendee_ids_;
  std::set<std::pair<std::string, std::string>> txn_external_ids_;
  std::map<std::string, std::vector<int64_t>> txn_enqueued_;
  std::map<std::string, std::set<int64_t>> txn_removed_;
};

}  // namespace sfu::store

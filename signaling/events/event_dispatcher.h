#pragma once
// Meeting events for the application (docs/EVENTS.md): turns control-API changes (chained from
// the ControlApiListener in server/server.cc) and signaling-session changes (MeetingEventSink,
// one-line hooks in SignalingSession) into AWS-shaped events, stores each in the durable queue of
// the store (one delivery row per webhook destination, seq order) and hands each destination's
// oldest undelivered events to its EventChannel, a window at a time. A channel delivers one
// event at a time, in order, and reports each success back (OnDelivered); the row is then
// deleted. A destination holds at most max_queue_per_destination undelivered events: past it the
// oldest are dropped and counted. One destination's state never waits on another's.
//
// Thread: control thread only (it owns the store). Channels do their work elsewhere and call
// OnDelivered / OnAttemptFailed through a task posted to the control thread. Store failures are
// logged, never thrown: an event lost to a failing disk must not fail the API request that
// caused it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "signaling/api/meeting_event.h"
#include "signaling/meeting_events.h"
#include "signaling/store/meeting_store.h"

namespace sfu::signaling {

class EventMetrics;

// The delivery side of one destination (signaling/events/webhook_worker.h; a fake in tests).
// Thread-safe: called on the control thread, delivers elsewhere.
class EventChannel {
 public:
  virtual ~EventChannel() = default;
  // Appends events (in seq order, after every event handed before) to deliver in order.
  virtual void Hand(std::vector<store::QueuedEvent> events) = 0;
  // Events with seq <= seq were dropped from the queue: do not start delivering them.
  virtual void DropThrough(int64_t seq) = 0;
};

struct EventDispatcherConfig {
  std::string account_id = "000000000000";  // the envelope's "account" (as in MeetingArn)
  int64_t max_queue_per_destination = 10'000;
  int64_t window = 64;  // events handed to a channel ahead of its acknowledgements
};

class EventDispatcher final : public MeetingEventSink {
 public:
  // destinations: the webhook URLs as configured (queue keys and metric labels). Borrowed store,
  // clock and metrics (may be null) outlive this object.
  EventDispatcher(store::MeetingStore& store, const base::Clock& clock,
                  EventDispatcherConfig config, std::vector<std::string> destinations,
                  EventMetrics* metrics);

  // Forgets queued deliveries of destinations no longer configured, learns the stored meetings
  // and attendees (their external ids, for events after they are deleted), and hands each
  // channel (one per destination, same order; borrowed) its first window.
  void Start(std::vector<EventChannel*> channels);

  // Control API (after the store committed).
  void MeetingCreated(const store::MeetingRecord& meeting);
  // Deleted or expired: joined sessions leave, then chime:MeetingEnded.
  void MeetingEnded(const std::string& meeting_id);
  void AttendeeAdded(const store::AttendeeRecord& attendee);
  // The attendee's joined sessions (and content share) leave, then chime:AttendeeDeleted.
  void AttendeeDeleted(const std::string& meeting_id, const std::string& attendee_id);

  // Sessions, as plain data (the MeetingEventSink overrides call these). session_attendee_id is
  // "<AttendeeId>#content" for a content share; session identifies the session object.
  void Joined(const std::string& meeting_id, const std::string& session_attendee_id,
              const std::string& external_user_id, bool content, uintptr_t session);
  void Ended(const std::string& meeting_id, const std::string& session_attendee_id,
             uintptr_t session, bool left);
  void Video(const std::string& meeting_id, const std::string& session_attendee_id,
             uintptr_t session, bool publishing);
  // Server shutdown: every joined session is dropped (the clients reconnect to the next run).
  void DropAllSessions();

  // MeetingEventSink.
  void SessionJoined(const SignalingSession& session) override;
  void SessionEnded(const SignalingSession& session, bool left) override;
  void VideoPublishing(const SignalingSession& session, bool publishing) override;

  // From channel `destination`, on the control thread.
  void OnDelivered(size_t destination, int64_t seq);
  void OnAttemptFailed(size_t destination);

  size_t destination_count() const { return dests_.size(); }
  const std::string& destination(size_t i) const { return dests_[i].url; }
  int64_t queue_depth(size_t i) const { return dests_[i].depth; }
  int64_t dropped(size_t i) const { return dests_[i].dropped; }

 private:
  struct Dest {
    std::string url;
    EventChannel* channel = nullptr;  // borrowed
    int64_t depth = 0;                // undelivered events in the store
    int64_t handed = 0;               // of those, handed to the channel
    int64_t handed_through = 0;       // highest seq handed
    int64_t dropped = 0;
  };
  struct MeetingInfo {
    std::optional<std::string> external_meeting_id;
    std::string media_region;
    std::map<std::string, std::string> attendees;  // AttendeeId -> ExternalUserId
  };
  struct LiveSession {
    uintptr_t session = 0;
    std::string external_user_id;
    bool content = false;
    bool publishing = false;
  };
  using LiveKey = std::pair<std::string, std::string>;  // meeting, session attendee id

  void Emit(api::MeetingEventType type, const std::string& meeting_id,
            const std::string& attendee_id = {}, const std::string& external_user_id = {});
  // The live session leaves (left) or drops: its video stops first.
  void Close(const LiveKey& key, const LiveSession& live, bool left);
  void Refill(Dest& d);
  void UpdateDepth(const Dest& d);
  MeetingInfo* Meeting(const std::string& meeting_id);

  store::MeetingStore& store_;
  const base::Clock& clock_;
  EventDispatcherConfig config_;
  EventMetrics* metrics_;  // borrowed, may be null
  std::vector<Dest> dests_;
  std::vector<std::string> urls_;
  std::map<std::string, MeetingInfo> meetings_;
  std::map<LiveKey, LiveSession> live_;
};

}  // namespace sfu::signaling

#pragma once
// The control thread's directory of live signaling sessions, by meeting: who is connected
// (meeting expiry, metrics), and the server-initiated ends of sessions: DeleteMeeting and meeting
// expiry send AUDIO_STATUS 410, DeleteAttendee sends 411, each before the close (a bare close
// after start strands the Chime client, docs/PROTOCOL.md §5.5).
// Thread: control thread only. Sessions register and unregister themselves.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "signaling/meeting_events.h"
#include "signaling/meeting_state.h"

namespace sfu::signaling {

class SignalingSession;

class SignalingHub {
 public:
  void Add(SignalingSession* session);
  void Remove(SignalingSession* session);

  bool HasConnected(const std::string& meeting_id) const;
  size_t JoinedCount(const std::string& meeting_id) const;
  size_t session_count() const { return count_; }

  // Attendees whose media once failed to connect without TURN get TURN credentials on their
  // later JOINs (--turn-policy auto; docs/DESIGN.md, "Media over TCP and TLS"). Kept here, not
  // in the meeting's state, because a lone attendee's failed attempt ends its meeting's
  // sessions before the retry; a mark lasts an hour, and at most kMaxRelayMarks are kept.
  static constexpr size_t kMaxRelayMarks = 100'000;
  static constexpr int64_t kRelayMarkMs = 3'600'000;
  void MarkNeedsRelay(const std::string& meeting_id, const std::string& attendee_id,
                      int64_t now_ms);
  bool NeedsRelay(const std::string& meeting_id, const std::string& attendee_id,
                  int64_t now_ms) const;

  // Ends every session of the meeting (status 410) / of one attendee (status 411).
  void EndMeeting(const std::string& meeting_id);
  // Sends the meeting's current INDEX to every joined session (a video source changed).
  void BroadcastIndex(const std::string& meeting_id);
  void RemoveAttendee(const std::string& meeting_id, const std::string& attendee_id);
  // UpdateAttendeeCapabilities: the attendee's live sessions (and its content share) take them.
  void SetCapabilities(const std::string& meeting_id, const std::string& attendee_id,
                       const std::string& audio, const std::string& video,
                       const std::string& content);

  std::vector<SignalingSession*> SessionsOf(const std::string& meeting_id) const;
  // Sends AUDIO_METADATA to every subscribed session of each meeting where someone is audible
  // (level reported in the last 500 ms and louder than -42 dBov, the client's scale floor).
  // Call every ~250 ms (docs/PROTOCOL.md §4.11).
  void PublishAudioMetadata(int64_t now_ms);

  // Where sessions report presence and video changes for application events (docs/EVENTS.md).
  // Borrowed; null restores the no-op sink.
  void set_events(MeetingEventSink* sink) { events_ = sink ? sink : &NoMeetingEvents(); }
  MeetingEventSink& events() const { return *events_; }

  // Live state of a meeting with sessions (created on demand, dropped with its last session).
  MeetingState& State(const std::string& meeting_id) { return states_[meeting_id]; }

 private:
  std::unordered_map<std::string, MeetingState> states_;
  std::unordered_map<std::string, std::vector<SignalingSession*>> by_meeting_;
  size_t count_ = 0;
  std::unordered_map<std::string, int64_t> relay_marks_;  // "meeting/attendee" -> marked at
  MeetingEventSink* events_ = &NoMeetingEvents();         // borrowed
};

}  // namespace sfu::signaling

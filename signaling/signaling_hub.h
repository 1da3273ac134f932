#pragma once
// The control thread's directory of live signaling sessions, by meeting: who is connected
// (meeting expiry, metrics), and the server-initiated ends of sessions: DeleteMeeting and meeting
// expiry send AUDIO_STATUS 410, DeleteAttendee sends 411, each before the close (a bare close
// after start strands the Chime client, docs/PROTOCOL.md §5.5).
// Two indexes: by the session's meeting (authentication, API operations, expiry) and by its
// media meeting (the live MeetingState and everything broadcast from it: presence, INDEX,
// AUDIO_METADATA, data messages). They differ only for a replica meeting's attendees, whose
// media meeting is the primary (docs/DESIGN.md, "Replica meetings").
// Thread: control thread only. Sessions register and unregister themselves.

#include <cstdint>
#include <functional>
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
  // Joined sessions sharing the media meeting's state that others can see (a replica's hidden
  // attendees are not counted): INDEX num_participants.
  size_t JoinedCount(const std::string& media_meeting_id) const;
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
  // Sends the media meeting's current INDEX to every joined session sharing it (a video source
  // changed), its replicas' attendees included.
  void BroadcastIndex(const std::string& media_meeting_id);
  void RemoveAttendee(const std::string& meeting_id, const std::string& attendee_id);
  // UpdateAttendeeCapabilities: the attendee's live sessions (and its content share) take them.
  void SetCapabilities(const std::string& meeting_id, const std::string& attendee_id,
                       const std::string& audio, const std::string& video,
                       const std::string& content);

  // Sessions authenticated for the meeting (identity().meeting_id), oldest first.
  std::vector<SignalingSession*> SessionsOf(const std::string& meeting_id) const;
  // Sessions whose media and live state are the meeting's (identity().media_meeting_id): its own
  // attendees and its replicas' (hidden) ones, oldest first.
  std::vector<SignalingSession*> MediaSessionsOf(const std::string& media_meeting_id) const;
  // Sends AUDIO_METADATA to every subscribed session of each meeting where someone is audible
  // (level reported in the last 500 ms and louder than -42 dBov, the client's scale floor).
  // Call every ~250 ms (docs/PROTOCOL.md §4.11).
  void PublishAudioMetadata(int64_t now_ms);

  // Where sessions report presence and video changes for application events (docs/EVENTS.md).
  // Borrowed; null restores the no-op sink.
  // Data messages delivered in a media meeting, for its replicas on other nodes (the cascade,
  // server/cascade_links.h). Null: nobody relays.
  using DataRelay =
      std::function<void(const std::string& media_meeting_id, const proto::SdkDataMessageFrame&)>;
  void set_data_relay(DataRelay relay) { data_relay_ = std::move(relay); }
  void RelayData(const std::string& media_meeting_id, const proto::SdkDataMessageFrame& frame) {
    if (data_relay_) data_relay_(media_meeting_id, frame);
  }

  void set_events(MeetingEventSink* sink) { events_ = sink ? sink : &NoMeetingEvents(); }
  MeetingEventSink& events() const { return *events_; }

  // Live state of a media meeting with sessions (created on demand, dropped with the last
  // session sharing it).
  MeetingState& State(const std::string& media_meeting_id) { return states_[media_meeting_id]; }
  // The same without creating it (null: no session shares it and no mirror set it).
  const MeetingState* FindState(const std::string& media_meeting_id) const {
    auto it = states_.find(media_meeting_id);
    return it == states_.end() ? nullptr : &it->second;
  }
  // Forgets a media meeting's state if no session shares it (a mirror whose link closed).
  void DropStateIfUnused(const std::string& media_meeting_id) {
    if (!by_media_.contains(media_meeting_id)) states_.erase(media_meeting_id);
  }

 private:
  std::unordered_map<std::string, MeetingState> states_;  // by media meeting
  std::unordered_map<std::string, std::vector<SignalingSession*>> by_meeting_;
  std::unordered_map<std::string, std::vector<SignalingSession*>> by_media_;
  size_t count_ = 0;
  std::unordered_map<std::string, int64_t> relay_marks_;  // "meeting/attendee" -> marked at
  MeetingEventSink* events_ = &NoMeetingEvents();         // borrowed
  DataRelay data_relay_;
};

}  // namespace sfu::signaling

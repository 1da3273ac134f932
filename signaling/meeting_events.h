#pragma once
// What signaling sessions tell the application-event emitter (docs/EVENTS.md): one call per
// change of an attendee's presence or camera, made from the session's own code paths. The
// emitter (signaling/events/event_dispatcher.h) decides which AWS events follow (a reconnect
// is a drop then a join, a session replaced by a newer one is ignored, ...), so the calls stay
// one line each and carry no policy.
// Thread: control thread only. The hub holds the sink (SignalingHub::events()); without one,
// NoMeetingEvents() does nothing.

namespace sfu::signaling {

class SignalingSession;

class MeetingEventSink {
 public:
  virtual ~MeetingEventSink() = default;
  // The session answered JOIN (the attendee, or its content share, is in the meeting).
  virtual void SessionJoined(const SignalingSession& session) = 0;
  // The session ended: left = a LEAVE frame; otherwise the socket closed or the server ended it.
  // Called again from the destructor; a session already ended is ignored.
  virtual void SessionEnded(const SignalingSession& session, bool left) = 0;
  // After each SUBSCRIBE: whether the session now publishes its camera (or content) video.
  virtual void VideoPublishing(const SignalingSession& session, bool publishing) = 0;
};

// The sink that ignores everything (no webhook configured).
MeetingEventSink& NoMeetingEvents();

}  // namespace sfu::signaling

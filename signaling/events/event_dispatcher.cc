#include "signaling/events/event_dispatcher.h"

#include <algorithm>

#include "base/log.h"
#include "signaling/api/crypto_util.h"
#include "signaling/events/event_metrics.h"
#include "signaling/signaling_session.h"

namespace sfu::signaling {
namespace {

constexpr std::string_view kContentSuffix = "#content";

// "<AttendeeId>#content" -> "<AttendeeId>": content events name the attendee who shares.
std::string BaseAttendeeId(const std::string& session_attendee_id) {
  const std::string_view s(session_attendee_id);
  if (s.size() > kContentSuffix.size() &&
      s.substr(s.size() - kContentSuffix.size()) == kContentSuffix)
    return std::string(s.substr(0, s.size() - kContentSuffix.size()));
  return session_attendee_id;
}

uintptr_t KeyOf(const SignalingSession& s) { return reinterpret_cast<uintptr_t>(&s); }

}  // namespace

EventDispatcher::EventDispatcher(store::MeetingStore& store, const base::Clock& clock,
                                 EventDispatcherConfig config,
                                 std::vector<std::string> destinations, EventMetrics* metrics)
    : store_(store), clock_(clock), config_(std::move(config)), metrics_(metrics) {
  for (std::string& url : destinations) {
    urls_.push_back(url);
    dests_.push_back(Dest{std::move(url)});
  }
}

void EventDispatcher::Start(std::vector<EventChannel*> channels) {
  try {
    if (const int64_t gone = store_.ForgetEventDestinationsExcept(urls_); gone > 0) {
      SFU_LOG(kWarn, "events queued for webhooks no longer configured were discarded")
          .Kv("events", gone);
    }
    for (const std::string& id : store_.ListMeetingIds()) Meeting(id);
    for (size_t i = 0; i < dests_.size(); ++i) {
      Dest& d = dests_[i];
      d.channel = i < channels.size() ? channels[i] : nullptr;
      if (metrics_) metrics_->AddDestination(d.url);
      d.depth = store_.CountPendingEvents(d.url);
      UpdateDepth(d);
      if (d.depth > 0) {
        SFU_LOG(kInfo, "webhook events waiting from the last run")
            .Kv("destination", d.url)
            .Kv("events", d.depth);
      }
      Refill(d);
    }
  } catch (const store::StoreError& e) {
    SFU_LOG(kError, "event queue: store failure at start").Kv("error", e.what());
  }
}

EventDispatcher::MeetingInfo* EventDispatcher::Meeting(const std::string& meeting_id) {
  auto it = meetings_.find(meeting_id);
  if (it != meetings_.end()) return &it->second;
  const std::optional<store::MeetingRecord> m = store_.GetMeeting(meeting_id);
  if (!m) return nullptr;
  MeetingInfo info{m->external_meeting_id, m->media_region, {}};
  for (int64_t after = 0;;) {
    const std::vector<store::AttendeeRecord> page = store_.ListAttendees(meeting_id, after, 500);
    for (const store::AttendeeRecord& a : page) info.attendees[a.attendee_id] = a.external_user_id;
    if (page.size() < 500) break;
    after = page.back().seq;
  }
  return &meetings_.emplace(meeting_id, std::move(info)).first->second;
}

void EventDispatcher::Emit(api::MeetingEventType type, const std::string& meeting_id,
                           const std::string& attendee_id, const std::string& external_user_id) {
  try {
    const MeetingInfo* info = Meeting(meeting_id);
    if (!info) {
      SFU_LOG(kDebug, "event for an unknown meeting not sent")
          .Kv("meeting", meeting_id)
          .Kv("type", api::EventTypeName(type));
      return;
    }
    api::MeetingEvent e;
    e.type = type;
    e.event_id = api::NewUuid();
    e.timestamp_ms = clock_.NowUnixMs();
    e.account_id = config_.account_id;
    e.meeting_id = meeting_id;
    e.external_meeting_id = info->external_meeting_id;
    e.media_region = info->media_region;
    e.attendee_id = attendee_id;
    e.external_user_id = external_user_id;
    const std::string body = api::MeetingEventJson(e);
    // The event and the drops it causes commit together.
    std::vector<std::pair<size_t, int64_t>> drops;  // destination, highest seq dropped
    store_.Transaction([&] {
      store_.EnqueueEvent(e.event_id, meeting_id, body, e.timestamp_ms, urls_);
      for (size_t i = 0; i < dests_.size(); ++i) {
        const int64_t over = dests_[i].depth + 1 - config_.max_queue_per_destination;
        if (over > 0) drops.emplace_back(i, store_.DropOldestEvents(dests_[i].url, over));
      }
    });
    if (metrics_) metrics_->CountEmitted(std::string(api::EventTypeName(type)));
    for (Dest& d : dests_) ++d.depth;
    for (const auto& [i, highest] : drops) {
      Dest& d = dests_[i];
      const int64_t n = d.depth - config_.max_queue_per_destination;
      d.depth -= n;
      d.dropped += n;
      // The dropped events are the oldest: first those handed to the channel, then the next.
      d.handed -= std::min(n, d.handed);
      d.handed_through = std::max(d.handed_through, highest);
      if (d.channel) d.channel->DropThrough(highest);
      if (metrics_) metrics_->CountDropped(d.url, n);
      SFU_LOG(kWarn, "webhook queue full: oldest events dropped")
          .Kv("destination", d.url)
          .Kv("dropped", n)
          .Kv("dropped_total", d.dropped);
    }
    for (Dest& d : dests_) {
      UpdateDepth(d);
      Refill(d);
    }
  } catch (const store::StoreError& e) {
    SFU_LOG(kError, "event queue: store failure, event lost")
        .Kv("type", api::EventTypeName(type))
        .Kv("meeting", meeting_id)
        .Kv("error", e.what());
  }
}

void EventDispatcher::Refill(Dest& d) {
  if (!d.channel || d.handed >= config_.window || d.handed >= d.depth) return;
  std::vector<store::QueuedEvent> more =
      store_.PendingEvents(d.url, d.handed_through, static_cast<int>(config_.window - d.handed));
  if (more.empty()) return;
  d.handed += static_cast<int64_t>(more.size());
  d.handed_through = more.back().seq;
  d.channel->Hand(std::move(more));
}

void EventDispatcher::UpdateDepth(const Dest& d) {
  if (metrics_) metrics_->SetQueueDepth(d.url, d.depth);
}

void EventDispatcher::OnDelivered(size_t destination, int64_t seq) {
  if (destination >= dests_.size()) return;
  Dest& d = dests_[destination];
  if (metrics_) metrics_->CountDelivered(d.url);
  try {
    // False: the event was dropped by the bound while it was being delivered (already counted).
    if (store_.AckEvent(d.url, seq)) {
      --d.depth;
      --d.handed;
      UpdateDepth(d);
    }
    Refill(d);
  } catch (const store::StoreError& e) {
    SFU_LOG(kError, "event queue: store failure on delivery").Kv("error", e.what());
  }
}

void EventDispatcher::OnAttemptFailed(size_t destination) {
  if (destination < dests_.size() && metrics_) metrics_->CountRetried(dests_[destination].url);
}

void EventDispatcher::MeetingCreated(const store::MeetingRecord& m) {
  meetings_[m.meeting_id] = MeetingInfo{m.external_meeting_id, m.media_region, {}};
  Emit(api::MeetingEventType::kMeetingStarted, m.meeting_id);
}

void EventDispatcher::MeetingEnded(const std::string& meeting_id) {
  // Sessions the server ends with the meeting leave first (in a stable order: by attendee id).
  std::vector<std::pair<LiveKey, LiveSession>> closing;
  for (const auto& [key, live] : live_)
    if (key.first == meeting_id) closing.emplace_back(key, live);
  for (const auto& [key, live] : closing) Close(key, live, /*left=*/true);
  Emit(api::MeetingEventType::kMeetingEnded, meeting_id);
  meetings_.erase(meeting_id);
}

void EventDispatcher::AttendeeAdded(const store::AttendeeRecord& a) {
  if (MeetingInfo* info = Meeting(a.meeting_id))
    info->attendees[a.attendee_id] = a.external_user_id;
  Emit(api::MeetingEventType::kAttendeeAdded, a.meeting_id, a.attendee_id, a.external_user_id);
}

void EventDispatcher::AttendeeDeleted(const std::string& meeting_id,
                                      const std::string& attendee_id) {
  for (const std::string& id : {attendee_id, attendee_id + std::string(kContentSuffix)}) {
    const LiveKey key{meeting_id, id};
    if (auto it = live_.find(key); it != live_.end()) Close(key, LiveSession(it->second), true);
  }
  std::string external_user_id;
  if (MeetingInfo* info = Meeting(meeting_id)) {
    if (auto it = info->attendees.find(attendee_id); it != info->attendees.end()) {
      external_user_id = it->second;
      info->attendees.erase(it);
    }
  }
  Emit(api::MeetingEventType::kAttendeeDeleted, meeting_id, attendee_id, external_user_id);
}

void EventDispatcher::Joined(const std::string& meeting_id, const std::string& session_attendee_id,
                             const std::string& external_user_id, bool content, uintptr_t session) {
  const LiveKey key{meeting_id, session_attendee_id};
  if (auto it = live_.find(key); it != live_.end()) {
    if (it->second.session == session) return;
    // A newer session of the same attendee joined (a reconnect or another device): the old one
    // dropped, as AWS reports a reconnect (docs/EVENTS.md).
    Close(key, LiveSession(it->second), /*left=*/false);
  }
  live_[key] = LiveSession{session, external_user_id, content, false};
  Emit(content ? api::MeetingEventType::kAttendeeContentJoined
               : api::MeetingEventType::kAttendeeJoined,
       meeting_id, BaseAttendeeId(session_attendee_id), external_user_id);
}

void EventDispatcher::Close(const LiveKey& key, const LiveSession& live, bool left) {
  live_.erase(key);
  const std::string attendee_id = BaseAttendeeId(key.second);
  using T = api::MeetingEventType;
  if (live.publishing) {
    Emit(live.content ? T::kAttendeeContentVideoStopped : T::kAttendeeVideoStopped, key.first,
         attendee_id, live.external_user_id);
  }
  T type = left ? T::kAttendeeLeft : T::kAttendeeDropped;
  if (live.content) type = left ? T::kAttendeeContentLeft : T::kAttendeeContentDropped;
  Emit(type, key.first, attendee_id, live.external_user_id);
}

void EventDispatcher::Ended(const std::string& meeting_id, const std::string& session_attendee_id,
                            uintptr_t session, bool left) {
  const LiveKey key{meeting_id, session_attendee_id};
  auto it = live_.find(key);
  if (it == live_.end() || it->second.session != session) return;  // replaced or already ended
  Close(key, LiveSession(it->second), left);
}

void EventDispatcher::Video(const std::string& meeting_id, const std::string& session_attendee_id,
                            uintptr_t session, bool publishing) {
  auto it = live_.find(LiveKey{meeting_id, session_attendee_id});
  if (it == live_.end() || it->second.session != session || it->second.publishing == publishing)
    return;
  it->second.publishing = publishing;
  const bool content = it->second.content;
  using T = api::MeetingEventType;
  const T type = publishing
                     ? (content ? T::kAttendeeContentVideoStarted : T::kAttendeeVideoStarted)
                     : (content ? T::kAttendeeContentVideoStopped : T::kAttendeeVideoStopped);
  Emit(type, meeting_id, BaseAttendeeId(session_attendee_id), it->second.external_user_id);
}

void EventDispatcher::DropAllSessions() {
  std::vector<std::pair<LiveKey, LiveSession>> all(live_.begin(), live_.end());
  for (const auto& [key, live] : all) Close(key, live, /*left=*/false);
}

void EventDispatcher::SessionJoined(const SignalingSession& s) {
  Joined(s.identity().meeting_id, s.identity().attendee_id, s.identity().external_user_id,
         s.identity().content, KeyOf(s));
}

void EventDispatcher::SessionEnded(const SignalingSession& s, bool left) {
  Ended(s.identity().meeting_id, s.identity().attendee_id, KeyOf(s), left);
}

void EventDispatcher::VideoPublishing(const SignalingSession& s, bool publishing) {
  Video(s.identity().meeting_id, s.identity().attendee_id, KeyOf(s), publishing);
}

}  // namespace sfu::signaling

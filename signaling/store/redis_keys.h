#pragma once
// Every key the Redis engine uses (docs/SCALING.md, "Keys in Redis"), in one place for the
// store, the event queue, the node registry and the rate limiter. {id} hash tags keep a
// meeting's keys in one slot, so Redis Cluster can shard by meeting id.

#include <cstdint>
#include <string>
#include <string_view>

namespace sfu::store::keys {

inline const std::string kSecret = "sfu:secret";
inline const std::string kAttendeeSeq = "sfu:attendee-seq";
inline const std::string kNodes = "sfu:nodes";

inline std::string Meeting(const std::string& id) { return "sfu:meeting:{" + id + "}"; }
inline std::string Attendees(const std::string& id) { return "sfu:attendees:{" + id + "}"; }
inline std::string AttendeeOrder(const std::string& id) {
  return "sfu:attendee-order:{" + id + "}";
}
inline std::string AttendeeExternal(const std::string& id) {
  return "sfu:attendee-ext:{" + id + "}";
}
inline std::string Tags(const std::string& id) { return "sfu:tags:{" + id + "}"; }
inline std::string TagOrder(const std::string& id) { return "sfu:tag-order:{" + id + "}"; }
inline std::string RequestToken(const std::string& token) { return "sfu:request-token:" + token; }
inline std::string NodeMeetings(const std::string& node) { return "sfu:node-meetings:" + node; }

// The node registry (signaling/store/node_registry.h).
inline std::string Node(const std::string& node) { return "sfu:node:" + node; }
inline std::string Drain(const std::string& node) { return "sfu:drain:" + node; }
inline std::string Inbox(const std::string& node) { return "sfu:inbox:" + node; }
inline std::string Sweep(const std::string& node) { return "sfu:sweep:" + node; }

// A caller's API token bucket (signaling/store/redis_rate_limiter.h).
inline std::string Rate(std::string_view caller) { return "sfu:rate:" + std::string(caller); }

// A node's meeting-event queue (signaling/store/redis_store_events.cc).
inline std::string EventSeq(const std::string& node) { return "sfu:event-seq:" + node; }
inline std::string EventPrefix(const std::string& node) { return "sfu:event:" + node + ":"; }
inline std::string Event(const std::string& node, int64_t seq) {
  return EventPrefix(node) + std::to_string(seq);
}
inline std::string Deliveries(const std::string& node, const std::string& destination) {
  return "sfu:deliveries:" + node + ":" + destination;
}
inline std::string Destinations(const std::string& node) { return "sfu:destinations:" + node; }

}  // namespace sfu::store::keys

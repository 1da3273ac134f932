#include "transport/endpoint_demuxer.h"

#include <chrono>

#include "transport/webrtc_transport.h"
#include "transport/wire/demux.h"
#include "transport/wire/stun_message.h"

namespace sfu::transport {

namespace {
void RunHandshake(void* owner, const Route& from, std::span<const uint8_t> bytes) {
  static_cast<WebRtcTransport*>(owner)->OnDtls(from, bytes);
}
}  // namespace

void EndpointDemuxer::OnTick() { pacer_.OnTick(); }

bool EndpointDemuxer::PaceHandshake(void* owner, std::span<const uint8_t> bytes,
                                    const HandshakePacer::Run& run) {
  const bool taken = pacer_.Submit(owner, Route{}, bytes, run);
  stats_.dtls_deferred.store(pacer_.total_deferred(), std::memory_order_relaxed);
  if (!taken) stats_.Drop(DropReason::kHandshakeBacklog);
  return taken;
}

void EndpointDemuxer::Add(const std::string& local_ufrag, WebRtcTransport* transport) {
  by_ufrag_[local_ufrag] = transport;
}

void EndpointDemuxer::Remove(WebRtcTransport* transport) {
  pacer_.Forget(transport);
  for (auto it = by_ufrag_.begin(); it != by_ufrag_.end();) {
    it = it->second == transport ? by_ufrag_.erase(it) : std::next(it);
  }
  for (auto it = by_address_.begin(); it != by_address_.end();) {
    it = it->second == transport ? by_address_.erase(it) : std::next(it);
  }
  // Its links serve nobody now: they close (and come back through OnLinkClosed).
  std::vector<StreamLink*> orphans;
  for (auto it = by_link_.begin(); it != by_link_.end();) {
    if (it->second == transport) {
      orphans.push_back(it->first);
      it = by_link_.erase(it);
    } else {
      ++it;
    }
  }
  for (StreamLink* link : orphans) link->Close();
}

void EndpointDemuxer::OnLinkClosed(StreamLink* link) {
  pacer_.ForgetLink(link);
  std::erase(flush_, link);
  auto it = by_link_.find(link);
  if (it == by_link_.end()) return;
  it->second->OnLinkClosed(link);
  by_link_.erase(it);
}

void EndpointDemuxer::FlushLinks() {
  // A flush never queues more, so one pass empties the list.
  for (StreamLink* link : flush_) link->Flush();
  flush_.clear();
}

void EndpointDemuxer::OnDatagram(const PeerAddress& from, uint8_t* data, size_t len,
                                 size_t capacity) {
  if (!peers_.empty()) {
    auto it = peers_.find(from);
    if (it != peers_.end()) return it->second->OnDatagram(from, data, len, capacity);
  }
  Dispatch(Route{from, nullptr}, data, len, capacity);
}

void EndpointDemuxer::OnLinkDatagram(StreamLink* link, const PeerAddress& from, uint8_t* data,
                                     size_t len, size_t capacity) {
  Dispatch(Route{from, link}, data, len, capacity);
}

void EndpointDemuxer::Dispatch(const Route& from, uint8_t* data, size_t len, size_t capacity) {
  const std::span<const uint8_t> packet(data, len);
  // RFC 7983 §7 and RFC 5761 §4, in one place: transport/wire/demux.h.
  const wire::PacketKind kind = wire::Classify(packet);
  if (kind == wire::PacketKind::kStun) {
    auto msg = wire::StunMessageView::Parse(packet);
    if (!msg) return stats_.Drop(DropReason::kMalformed);
    if (msg->type() != wire::kStunBindingRequest) {
      return;  // indications (keepalives) and responses need nothing from a lite agent
    }
    auto username = msg->Username();
    WebRtcTransport* t = nullptr;
    if (username) {
      const size_t colon = username->find(':');
      auto it = by_ufrag_.find(std::string(username->substr(0, colon)));
      if (it != by_ufrag_.end()) t = it->second;
    }
    if (!t) return stats_.Drop(DropReason::kUnknownUfrag);
    // An address belongs to the transport that first checked from it until that transport is
    // removed: a check for another transport from the same address (an attendee spoofing
    // someone's 5-tuple with its own valid credentials) is dropped unanswered, never moved.
    // A link likewise belongs to the transport its first valid check was for.
    if (from.link) {
      if (auto owner = by_link_.find(from.link); owner != by_link_.end() && owner->second != t) {
        return stats_.Drop(DropReason::kAddressTaken);
      }
    } else if (auto owner = by_address_.find(from.address);
               owner != by_address_.end() && owner->second != t) {
      return stats_.Drop(DropReason::kAddressTaken);
    }
    // Checks are rare (consent every few seconds): read the clock here, in the shard's
    // steady-clock milliseconds, rather than threading "now" through every datagram.
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
    if (t->OnStunRequest(*msg, from, now_ms)) {
      if (from.link) {
        by_link_[from.link] = t;
      } else {
        by_address_[from.address] = t;
      }
    }
    return;
  }
  // ZRTP and TURN channel data have no place on an ICE-lite, rtcp-mux port; neither has an
  // empty datagram or a reserved first byte.
  const bool dtls = kind == wire::PacketKind::kDtls;
  if (!dtls && kind != wire::PacketKind::kRtp && kind != wire::PacketKind::kRtcp) {
    return stats_.Drop(DropReason::kMalformed);
  }
  WebRtcTransport* t = nullptr;
  if (from.link) {
    if (auto it = by_link_.find(from.link); it != by_link_.end()) t = it->second;
  } else if (auto it = by_address_.find(from.address); it != by_address_.end()) {
    t = it->second;
  }
  if (!t) return stats_.Drop(DropReason::kNoTransport);
  if (dtls) {
    if (t->connected() || t->closed()) return t->OnDtls(from, packet);
    const bool taken = pacer_.Submit(t, from, packet, RunHandshake);
    stats_.dtls_deferred.store(pacer_.total_deferred(), std::memory_order_relaxed);
    if (!taken) stats_.Drop(DropReason::kHandshakeBacklog);
    return;
  }
  if (len < 12) return stats_.Drop(DropReason::kMalformed);
  if (kind == wire::PacketKind::kRtcp) return t->OnSrtcp(data, len, capacity);
  t->OnSrtp(data, len, capacity);
}

}  // namespace sfu::transport

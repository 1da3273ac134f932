#include "transport/endpoint_demuxer.h"

#include <chrono>

#include "transport/webrtc_transport.h"
#include "transport/wire/stun_message.h"

namespace sfu::transport {

void EndpointDemuxer::Add(const std::string& local_ufrag, WebRtcTransport* transport) {
  by_ufrag_[local_ufrag] = transport;
}

void EndpointDemuxer::Remove(WebRtcTransport* transport) {
  for (auto it = by_ufrag_.begin(); it != by_ufrag_.end();) {
    it = it->second == transport ? by_ufrag_.erase(it) : std::next(it);
  }
  for (auto it = by_address_.begin(); it != by_address_.end();) {
    it = it->second == transport ? by_address_.erase(it) : std::next(it);
  }
}

void EndpointDemuxer::OnDatagram(const PeerAddress& from, uint8_t* data, size_t len, size_t capacity) {
  if (len == 0) return stats_.Drop(DropReason::kMalformed);
  const uint8_t b = data[0];
  // RFC 7983 §7: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP.
  if (b <= 3) {
    auto msg = wire::StunMessageView::Parse(std::span<const uint8_t>(data, len));
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
    // Checks are rare (consent every few seconds): read the clock here, in the shard's
    // steady-clock milliseconds, rather than threading "now" through every datagram.
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch()).count();
    if (t->OnStunRequest(*msg, from, now_ms)) by_address_[from] = t;
    return;
  }
  const bool dtls = b >= 20 && b <= 63;
  const bool rtp = b >= 128 && b <= 191;
  if (!dtls && !rtp) return stats_.Drop(DropReason::kMalformed);
  auto it = by_address_.find(from);
  if (it == by_address_.end()) return stats_.Drop(DropReason::kNoTransport);
  WebRtcTransport* t = it->second;
  if (dtls) return t->OnDtls(from, std::span<const uint8_t>(data, len));
  if (len < 12) return stats_.Drop(DropReason::kMalformed);
  // RFC 5761 §4: RTCP packet types 192-223 in the second byte.
  const uint8_t pt = data[1];
  if (pt >= 192 && pt <= 223) return t->OnSrtcp(from, data, len, capacity);
  t->OnSrtp(from, data, len, capacity);
}

}  // namespace sfu::transport

#include "transport/turn/turn_session.h"

#include <algorithm>
#include <ctime>

#include "transport/crypto/hmac_sha1.h"
#include "transport/crypto/turn_credentials.h"
#include "transport/wire/turn_message.h"

namespace sfu::transport {

namespace {
using wire::StunClass;

wire::StunAddress HostOf(wire::StunAddress a) {
  a.port = 0;
  return a;
}

const char* Reason(uint16_t code) {
  switch (code) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 437:
      return "Allocation Mismatch";
    case 438:
      return "Stale Nonce";
    case 440:
      return "Address Family not Supported";
    case 441:
      return "Wrong Credentials";
    case 442:
      return "Unsupported Transport Protocol";
    default:
      return "Error";
  }
}
}  // namespace

TurnSession::TurnSession(const TurnPolicy& policy, TurnStats& stats, Sink& sink,
                         const wire::StunAddress& client, uint16_t relay_port, std::string nonce)
    : policy_(policy), stats_(stats), sink_(sink), client_(client), nonce_(std::move(nonce)) {
  relayed_ = policy.relay_ip;
  relayed_.port = relay_port;
}

void TurnSession::Answer(const wire::StunMessageView& req, bool error, uint16_t code,
                         const std::function<void(wire::StunWriter&)>& attrs, const Key* key) {
  uint8_t out[512];
  const uint16_t method = wire::StunMethodOf(req.type());
  wire::StunWriter w(out, wire::StunType(method, error ? StunClass::kError : StunClass::kSuccess),
                     req.transaction_id());
  if (error) {
    w.AddErrorCode(code, Reason(code));
    if (code == 401 || code == 438) {
      w.AddString(wire::kStunAttrRealm, policy_.realm);
      w.AddString(wire::kStunAttrNonce, nonce_);
    }
  }
  if (attrs) attrs(w);
  if (key) w.AddMessageIntegrity(std::span<const uint8_t>(key->data(), key->size()), &HmacSha1);
  if (req.has_fingerprint()) w.AddFingerprint();
  if (w.size() > 0) sink_.ToClient(std::span<const uint8_t>(out, w.size()));
}

std::optional<TurnSession::Key> TurnSession::Authenticate(const wire::StunMessageView& req) {
  if (!req.has_message_integrity()) {
    Answer(req, true, 401, nullptr, nullptr);  // the challenge: realm and nonce
    return std::nullopt;
  }
  const auto username = req.Username();
  const auto realm = req.Realm();
  const auto nonce = req.Nonce();
  if (!username || !realm || !nonce) {
    base::Bump(stats_.bad_requests);
    Answer(req, true, 400, nullptr, nullptr);
    return std::nullopt;
  }
  if (*nonce != nonce_ || *realm != policy_.realm) {
    Answer(req, true, 438, nullptr, nullptr);
    return std::nullopt;
  }
  const auto user = ParseTurnRestUsername(*username);
  const int64_t now_s = policy_.unix_now_s ? policy_.unix_now_s() : std::time(nullptr);
  if (!user || user->expiry_unix_s < now_s) {
    base::Bump(stats_.auth_failures);
    Answer(req, true, 401, nullptr, nullptr);
    return std::nullopt;
  }
  const Key key = TurnRestLongTermKey(policy_.secret, *username, policy_.realm);
  if (!req.CheckMessageIntegrity(std::span<const uint8_t>(key.data(), key.size()), &HmacSha1)) {
    base::Bump(stats_.auth_failures);
    Answer(req, true, 401, nullptr, nullptr);
    return std::nullopt;
  }
  // RFC 8656 §5: every request on an allocation uses the credentials that made it.
  if (allocated_ && *username != username_) {
    base::Bump(stats_.auth_failures);
    Answer(req, true, 441, nullptr, &key);
    return std::nullopt;
  }
  return key;
}

void TurnSession::OnMessage(uint8_t* data, size_t len, size_t capacity, int64_t now_ms) {
  const std::span<const uint8_t> bytes(data, len);
  if (wire::IsChannelData(bytes)) return OnChannelData(data, len, capacity, now_ms);
  auto msg = wire::StunMessageView::Parse(bytes);
  if (!msg) {
    base::Bump(stats_.bad_requests);
    return;
  }
  const uint16_t method = wire::StunMethodOf(msg->type());
  const StunClass cls = wire::StunClassOf(msg->type());
  if (cls == StunClass::kIndication) {
    if (method == wire::kTurnSend) OnSend(*msg, data, capacity, now_ms);
    return;  // other indications need nothing
  }
  if (cls != StunClass::kRequest) return;
  if (method == wire::kStunMethodBinding) {
    return Answer(
        *msg, false, 0, [&](wire::StunWriter& w) { w.AddXorMappedAddress(client_); }, nullptr);
  }
  if (method != wire::kTurnAllocate && method != wire::kTurnRefresh &&
      method != wire::kTurnCreatePermission && method != wire::kTurnChannelBind) {
    base::Bump(stats_.bad_requests);
    return Answer(*msg, true, 400, nullptr, nullptr);
  }
  const auto key = Authenticate(*msg);
  if (!key) return;
  if (method == wire::kTurnAllocate) return OnAllocate(*msg, *key, now_ms);
  if (!allocated(now_ms)) {
    base::Bump(stats_.bad_requests);
    return Answer(*msg, true, 437, nullptr, &*key);
  }
  if (method == wire::kTurnRefresh) return OnRefresh(*msg, *key, now_ms);
  if (method == wire::kTurnCreatePermission) return OnCreatePermission(*msg, *key, now_ms);
  OnChannelBind(*msg, *key, now_ms);
}

uint32_t TurnSession::Lifetime(const wire::StunMessageView& req) const {
  const auto asked = req.Uint32(wire::kStunAttrLifetime);
  if (!asked) return policy_.default_lifetime_s;
  return std::min(*asked, policy_.max_lifetime_s);
}

void TurnSession::OnAllocate(const wire::StunMessageView& req, const Key& key, int64_t now_ms) {
  if (allocated_) {  // one allocation per connection (RFC 8656 §7.2 for TCP)
    base::Bump(stats_.bad_requests);
    return Answer(req, true, 437, nullptr, &key);
  }
  const auto transport = req.Uint32(wire::kStunAttrRequestedTransport);
  if (!transport) {
    base::Bump(stats_.bad_requests);
    return Answer(req, true, 400, nullptr, &key);
  }
  if ((*transport >> 24) != wire::kTurnTransportUdp) {
    base::Bump(stats_.bad_requests);
    return Answer(req, true, 442, nullptr, &key);
  }
  if (const auto family = req.Uint32(wire::kStunAttrRequestedAddressFamily)) {
    const uint8_t f = static_cast<uint8_t>(*family >> 24);
    if ((f == 0x01 ? 4 : f == 0x02 ? 6 : 0) != relayed_.family) {
      base::Bump(stats_.bad_requests);
      return Answer(req, true, 440, nullptr, &key);
    }
  }
  const uint32_t lifetime = std::max<uint32_t>(Lifetime(req), 1);
  allocated_ = true;
  username_ = std::string(*req.Username());
  expires_ms_ = now_ms + int64_t{lifetime} * 1000;
  base::Bump(stats_.allocations);
  Answer(
      req, false, 0,
      [&](wire::StunWriter& w) {
        w.AddXorAddress(wire::kStunAttrXorRelayedAddress, relayed_);
        w.AddUint32(wire::kStunAttrLifetime, lifetime);
        w.AddXorMappedAddress(client_);
      },
      &key);
}

void TurnSession::OnRefresh(const wire::StunMessageView& req, const Key& key, int64_t now_ms) {
  const uint32_t lifetime = Lifetime(req);
  if (lifetime == 0) {
    ended_ = true;
  } else {
    expires_ms_ = now_ms + int64_t{lifetime} * 1000;
  }
  Answer(
      req, false, 0, [&](wire::StunWriter& w) { w.AddUint32(wire::kStunAttrLifetime, lifetime); },
      &key);
}

bool TurnSession::IsOurPeer(const wire::StunAddress& a) const {
  return std::find(policy_.peers.begin(), policy_.peers.end(), a) != policy_.peers.end();
}

bool TurnSession::IsOurPeerIp(const wire::StunAddress& a) const {
  return std::any_of(policy_.peers.begin(), policy_.peers.end(),
                     [&](const wire::StunAddress& p) { return HostOf(p) == HostOf(a); });
}

bool TurnSession::Permitted(const wire::StunAddress& peer, int64_t now_ms) const {
  const wire::StunAddress host = HostOf(peer);
  return std::any_of(permissions_.begin(), permissions_.end(),
                     [&](const auto& p) { return p.first == host && now_ms < p.second; });
}

void TurnSession::OnCreatePermission(const wire::StunMessageView& req, const Key& key,
                                     int64_t now_ms) {
  // Every XOR-PEER-ADDRESS must be ours (RFC 8656 §9.2 lets a server refuse with 403).
  std::vector<wire::StunAddress> peers;
  for (size_t i = 0; i < 8; ++i) {  // a handful per request; more are ignored
    auto peer = req.XorAddress(wire::kStunAttrXorPeerAddress, i);
    if (!peer) break;
    peers.push_back(*peer);
  }
  if (peers.empty()) {
    base::Bump(stats_.bad_requests);
    return Answer(req, true, 400, nullptr, &key);
  }
  for (const auto& p : peers) {
    if (!IsOurPeerIp(p)) {
      base::Bump(stats_.peers_refused);
      return Answer(req, true, 403, nullptr, &key);
    }
  }
  for (const auto& p : peers) {
    const wire::StunAddress host = HostOf(p);
    auto it = std::find_if(permissions_.begin(), permissions_.end(),
                           [&](const auto& e) { return e.first == host; });
    if (it == permissions_.end()) {
      permissions_.emplace_back(host, now_ms + kPermissionMs);
    } else {
      it->second = now_ms + kPermissionMs;
    }
  }
  Answer(req, false, 0, nullptr, &key);
}

void TurnSession::OnChannelBind(const wire::StunMessageView& req, const Key& key, int64_t now_ms) {
  const auto number = req.Uint32(wire::kStunAttrChannelNumber);
  const auto peer = req.XorAddress(wire::kStunAttrXorPeerAddress);
  if (!number || !peer || !wire::IsValidTurnChannel(static_cast<uint16_t>(*number >> 16))) {
    base::Bump(stats_.bad_requests);
    return Answer(req, true, 400, nullptr, &key);
  }
  if (!IsOurPeer(*peer)) {
    base::Bump(stats_.peers_refused);
    return Answer(req, true, 403, nullptr, &key);
  }
  const uint16_t channel = static_cast<uint16_t>(*number >> 16);
  for (Channel& c : channels_) {
    // A channel stays with its peer and a peer with its channel (RFC 8656 §11.2).
    if ((c.number == channel) != (c.peer == *peer)) {
      base::Bump(stats_.bad_requests);
      return Answer(req, true, 400, nullptr, &key);
    }
  }
  auto it = std::find_if(channels_.begin(), channels_.end(),
                         [&](const Channel& c) { return c.number == channel; });
  if (it == channels_.end()) {
    if (channels_.size() >= 16) {  // we have a handful of peers per shard at most
      base::Bump(stats_.bad_requests);
      return Answer(req, true, 400, nullptr, &key);
    }
    channels_.push_back({channel, *peer, now_ms + kChannelMs});
  } else {
    it->expires_ms = now_ms + kChannelMs;
  }
  // A channel binding installs or refreshes the peer's permission too (§11.2).
  const wire::StunAddress host = HostOf(*peer);
  auto perm = std::find_if(permissions_.begin(), permissions_.end(),
                           [&](const auto& e) { return e.first == host; });
  if (perm == permissions_.end()) {
    permissions_.emplace_back(host, now_ms + kPermissionMs);
  } else {
    perm->second = now_ms + kPermissionMs;
  }
  Answer(req, false, 0, nullptr, &key);
}

void TurnSession::OnSend(const wire::StunMessageView& ind, uint8_t* base, size_t capacity,
                         int64_t now_ms) {
  const auto peer = ind.XorAddress(wire::kStunAttrXorPeerAddress);
  const auto data = ind.Attribute(wire::kStunAttrData);
  if (!peer || !data || data->empty() || !allocated(now_ms)) {
    base::Bump(stats_.bad_requests);
    return;
  }
  if (!IsOurPeer(*peer)) {
    base::Bump(stats_.peers_refused);
    return;
  }
  if (!Permitted(*peer, now_ms)) {
    base::Bump(stats_.dropped_no_permission);
    return;
  }
  const size_t offset = static_cast<size_t>(data->data() - base);
  base::Bump(stats_.relayed_to_peer);
  sink_.ToPeer(*peer, base + offset, data->size(), capacity - offset);
}

void TurnSession::OnChannelData(uint8_t* data, size_t len, size_t capacity, int64_t now_ms) {
  const auto cd = wire::ChannelDataView::Parse(std::span<const uint8_t>(data, len));
  if (!cd || cd->payload.empty() || !allocated(now_ms)) {
    base::Bump(stats_.bad_requests);
    return;
  }
  auto it = std::find_if(channels_.begin(), channels_.end(),
                         [&](const Channel& c) { return c.number == cd->channel; });
  if (it == channels_.end() || now_ms >= it->expires_ms || !Permitted(it->peer, now_ms)) {
    base::Bump(stats_.dropped_no_permission);
    return;
  }
  base::Bump(stats_.relayed_to_peer);
  sink_.ToPeer(it->peer, data + wire::kChannelDataHeaderSize, cd->payload.size(),
               capacity - wire::kChannelDataHeaderSize);
}

bool TurnSession::FromPeer(const wire::StunAddress& peer, std::span<const uint8_t> data,
                           int64_t now_ms) {
  if (!allocated(now_ms) || ended_ || !Permitted(peer, now_ms)) {
    base::Bump(stats_.dropped_no_permission);
    return false;
  }
  uint8_t out[2 * 1024 + 64];
  if (data.size() > 2 * 1024) return false;
  for (const Channel& c : channels_) {
    if (c.peer == peer && now_ms < c.expires_ms) {
      const size_t n = wire::WriteChannelData(out, c.number, data, /*pad_to_4=*/true);
      if (n == 0) return false;
      base::Bump(stats_.relayed_to_client);
      sink_.ToClient(std::span<const uint8_t>(out, n));
      return true;
    }
  }
  // A Data indication: transaction id need not be unique for indications, any will do.
  static constexpr std::array<uint8_t, 12> kTxid{'s', 'f', 'u', '-', 't', 'u',
                                                 'r', 'n', 0,   0,   0,   1};
  wire::StunWriter w(out, wire::StunType(wire::kTurnData, StunClass::kIndication), kTxid);
  w.AddXorAddress(wire::kStunAttrXorPeerAddress, peer);
  w.AddAttribute(wire::kStunAttrData, data);
  if (w.size() == 0) return false;
  base::Bump(stats_.relayed_to_client);
  sink_.ToClient(std::span<const uint8_t>(out, w.size()));
  return true;
}

}  // namespace sfu::transport

#include "loadtest/turn_client.h"

#include <algorithm>

#include "base/random.h"
#include "transport/crypto/hmac_sha1.h"
#include "transport/crypto/turn_credentials.h"
#include "transport/wire/turn_message.h"

namespace sfu::loadtest {

using wire::StunClass;

TurnClient::TurnClient(std::string username, std::string password, const wire::StunAddress& peer)
    : username_(std::move(username)), password_(std::move(password)), peer_(peer) {}

void TurnClient::Fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
}

void TurnClient::Start(std::vector<uint8_t>* out) {
  state_ = State::kAllocating;
  Request(wire::kTurnAllocate, out);
}

void TurnClient::Request(uint16_t method, std::vector<uint8_t>* out) {
  Pending p{{}, method};
  base::RandomFill(p.txid);
  uint8_t buf[512];
  wire::StunWriter w(buf, wire::StunType(method, StunClass::kRequest), p.txid);
  switch (method) {
    case wire::kTurnAllocate:
      w.AddUint32(wire::kStunAttrRequestedTransport, uint32_t{wire::kTurnTransportUdp} << 24);
      break;
    case wire::kTurnRefresh:
      w.AddUint32(wire::kStunAttrLifetime, lifetime_s_);
      break;
    case wire::kTurnCreatePermission:
      w.AddXorAddress(wire::kStunAttrXorPeerAddress, peer_);
      break;
    case wire::kTurnChannelBind:
      w.AddUint32(wire::kStunAttrChannelNumber, uint32_t{kChannel} << 16);
      w.AddXorAddress(wire::kStunAttrXorPeerAddress, peer_);
      break;
    default:
      return;
  }
  if (have_key_) {  // every request after the challenge is signed (RFC 8489 §9.2.3)
    w.AddString(wire::kStunAttrUsername, username_);
    w.AddString(wire::kStunAttrRealm, realm_);
    w.AddString(wire::kStunAttrNonce, nonce_);
    w.AddMessageIntegrity(key_, &transport::HmacSha1);
  }
  w.AddFingerprint();
  if (w.size() == 0) return Fail("TURN request does not fit");
  out->insert(out->end(), buf, buf + w.size());
  if (pending_.size() >= 8) pending_.erase(pending_.begin());  // answers that never came
  pending_.push_back(p);
}

std::optional<std::span<const uint8_t>> TurnClient::OnMessage(std::span<const uint8_t> message,
                                                              int64_t now_ms,
                                                              std::vector<uint8_t>* out) {
  if (wire::IsChannelData(message)) {
    auto cd = wire::ChannelDataView::Parse(message);
    if (cd && cd->channel == kChannel) return cd->payload;
    return std::nullopt;
  }
  auto m = wire::StunMessageView::Parse(message);
  if (!m) return std::nullopt;
  const uint16_t method = wire::StunMethodOf(m->type());
  const StunClass cls = wire::StunClassOf(m->type());
  if (cls == StunClass::kIndication) {
    if (method != wire::kTurnData) return std::nullopt;
    // Before the channel is bound (or if the server prefers) the peer's datagrams come as Data
    // indications.
    if (m->XorAddress(wire::kStunAttrXorPeerAddress) != peer_) return std::nullopt;
    return m->Attribute(wire::kStunAttrData);
  }
  if (cls != StunClass::kSuccess && cls != StunClass::kError) return std::nullopt;
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
    return std::equal(p.txid.begin(), p.txid.end(), m->transaction_id().begin());
  });
  if (it == pending_.end() || it->method != method) return std::nullopt;  // not ours
  pending_.erase(it);
  // Answers to signed requests must be signed with our key (RFC 8489 §9.2.5); the 401 challenge
  // and 400/438 answers to an unsigned or stale request are not.
  if (have_key_ && m->has_message_integrity() &&
      !m->CheckMessageIntegrity(key_, &transport::HmacSha1)) {
    return std::nullopt;  // forged or garbled: ignore, as RFC 8489 says
  }
  if (cls == StunClass::kError) {
    const uint16_t code = m->ErrorCode().value_or(0);
    const bool challenge = code == 401 && !have_key_ && method == wire::kTurnAllocate;
    if ((challenge || code == 438) && m->Realm() && m->Nonce()) {
      realm_ = std::string(*m->Realm());
      nonce_ = std::string(*m->Nonce());
      key_ = transport::TurnLongTermKey(username_, realm_, password_);
      have_key_ = true;
      Request(method, out);  // the same request, signed / with the fresh nonce
      return std::nullopt;
    }
    Fail("TURN " +
         std::string(method == wire::kTurnAllocate           ? "Allocate"
                     : method == wire::kTurnCreatePermission ? "CreatePermission"
                     : method == wire::kTurnChannelBind      ? "ChannelBind"
                                                             : "Refresh") +
         " refused: " + std::to_string(code));
    return std::nullopt;
  }
  // Success.
  switch (method) {
    case wire::kTurnAllocate:
      if (state_ != State::kAllocating) break;
      if (auto r = m->XorAddress(wire::kStunAttrXorRelayedAddress)) relayed_ = *r;
      lifetime_s_ = std::max<uint32_t>(m->Uint32(wire::kStunAttrLifetime).value_or(600), 60);
      refresh_at_ms_ = now_ms + int64_t{lifetime_s_} * 500;  // at half the lifetime
      state_ = State::kPermitting;
      Request(wire::kTurnCreatePermission, out);
      break;
    case wire::kTurnCreatePermission:
      if (state_ != State::kPermitting) break;
      state_ = State::kBinding;
      Request(wire::kTurnChannelBind, out);
      break;
    case wire::kTurnChannelBind:
      if (state_ == State::kBinding) state_ = State::kReady;
      rebind_at_ms_ = now_ms + kChannelRefreshMs;
      break;
    case wire::kTurnRefresh:
      if (auto l = m->Uint32(wire::kStunAttrLifetime)) lifetime_s_ = std::max<uint32_t>(*l, 60);
      refresh_at_ms_ = now_ms + int64_t{lifetime_s_} * 500;
      break;
    default:
      break;
  }
  return std::nullopt;
}

bool TurnClient::Wrap(std::span<const uint8_t> datagram, std::vector<uint8_t>* out) const {
  if (state_ != State::kReady || datagram.size() > 0xffff) return false;
  const size_t at = out->size();
  out->resize(at + wire::kChannelDataHeaderSize + datagram.size() + 3);
  const size_t n = wire::WriteChannelData(std::span<uint8_t>(out->data() + at, out->size() - at),
                                          kChannel, datagram, /*pad_to_4=*/true);
  out->resize(at + n);
  return n > 0;
}

void TurnClient::OnTick(int64_t now_ms, std::vector<uint8_t>* out) {
  if (state_ != State::kReady) return;
  if (now_ms >= refresh_at_ms_) {
    refresh_at_ms_ = now_ms + 10'000;  // until answered: retry every 10 s
    Request(wire::kTurnRefresh, out);
  }
  if (now_ms >= rebind_at_ms_) {
    rebind_at_ms_ = now_ms + 10'000;
    Request(wire::kTurnChannelBind, out);
  }
}

}  // namespace sfu::loadtest

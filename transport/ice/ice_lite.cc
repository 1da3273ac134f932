#include "transport/ice/ice_lite.h"

#include "base/random.h"
#include "transport/crypto/hmac_sha1.h"

namespace sfu::transport {

std::string RandomIceString(size_t length) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = base::RandomBytes(length);
  for (char& c : out) c = kChars[static_cast<uint8_t>(c) & 63];
  return out;
}

IceLite::IceLite(std::string local_ufrag, std::string local_pwd)
    : local_ufrag_(std::move(local_ufrag)), local_pwd_(std::move(local_pwd)) {}

size_t IceLite::WriteError(const wire::StunMessageView& req, uint16_t code,
                           std::span<uint8_t> out) {
  wire::StunWriter w(out, wire::kStunBindingError, req.transaction_id());
  w.AddErrorCode(code, code == 401 ? "Unauthorized" : "Bad Request");
  w.AddFingerprint();
  return w.size();
}

IceLite::Result IceLite::OnBindingRequest(const wire::StunMessageView& req,
                                          const wire::StunAddress& from, std::span<uint8_t> out,
                                          int64_t now_ms, const void* path) {
  Result r;
  if (req.type() != wire::kStunBindingRequest) return r;
  ++checks_;
  // RFC 8489 §9.2.4: FINGERPRINT (when present) must be right, else silently discard.
  if (req.has_fingerprint() && !req.CheckFingerprint()) {
    ++failed_checks_;
    return r;
  }
  auto username = req.Username();
  if (!username || !req.has_message_integrity()) {
    ++failed_checks_;
    r.outcome = Outcome::kRespondedError;
    r.response_size = WriteError(req, 400, out);
    return r;
  }
  const size_t colon = username->find(':');
  const std::span<const uint8_t> key(reinterpret_cast<const uint8_t*>(local_pwd_.data()),
                                     local_pwd_.size());
  if (colon == std::string_view::npos || username->substr(0, colon) != local_ufrag_ ||
      !req.CheckMessageIntegrity(key, &HmacSha1)) {
    ++failed_checks_;
    r.outcome = Outcome::kRespondedError;
    r.response_size = WriteError(req, 401, out);
    return r;
  }
  last_valid_check_ms_ = now_ms;
  // We are always controlled (lite). A nominating check selects its address; the first valid
  // check selects provisionally so media can flow before nomination.
  const bool nominated = req.Has(wire::kStunAttrUseCandidate);
  const bool same = selected_ && *selected_ == from && selected_path_ == path;
  if (!selected_ || (nominated && !same)) {
    r.selected_changed = !same;
    selected_ = from;
    selected_path_ = path;
  }
  wire::StunWriter w(out, wire::kStunBindingSuccess, req.transaction_id());
  w.AddXorMappedAddress(from);
  w.AddMessageIntegrity(key, &HmacSha1);
  w.AddFingerprint();
  r.outcome = w.ok() ? Outcome::kResponded : Outcome::kDropped;
  r.response_size = w.size();
  return r;
}

}  // namespace sfu::transport

#pragma once
// ICE-lite responder (RFC 8445 §2.5) for one transport: checks USERNAME ("<local>:<remote>")
// and MESSAGE-INTEGRITY (short-term credential: the local password) and FINGERPRINT, answers
// with XOR-MAPPED-ADDRESS, selects the pair the controlling agent nominates (USE-CANDIDATE),
// follows a client that nominates a new address, and tracks consent (RFC 7675): the transport
// ends when no valid check arrived for 30 s.
// Pure apart from HMAC: the caller supplies the source address, time and output buffer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "transport/wire/stun_message.h"

namespace sfu::transport {

class IceLite {
 public:
  static constexpr int64_t kConsentTimeoutMs = 30'000;

  IceLite(std::string local_ufrag, std::string local_pwd);

  enum class Outcome {
    kResponded,       // valid check answered (response in out)
    kRespondedError,  // invalid credentials: error response in out (401/400)
    kDropped,         // not a request for us / malformed: no response
  };
  struct Result {
    Outcome outcome = Outcome::kDropped;
    size_t response_size = 0;
    bool selected_changed = false;  // this check nominated a new address
  };
  // req must be a parsed Binding request. out receives the response. path tells apart checks
  // from the same address on different paths (null: UDP; else the stream it came on).
  Result OnBindingRequest(const wire::StunMessageView& req, const wire::StunAddress& from,
                          std::span<uint8_t> out, int64_t now_ms, const void* path = nullptr);

  const std::string& local_ufrag() const { return local_ufrag_; }
  const std::string& local_pwd() const { return local_pwd_; }
  // The nominated remote address, once there is one.
  const std::optional<wire::StunAddress>& selected() const { return selected_; }
  const void* selected_path() const { return selected_path_; }
  // The stream a selected pair ran on closed: nothing is selected until the next valid check.
  void ForgetPath(const void* path) {
    if (selected_ && selected_path_ == path) selected_.reset(), selected_path_ = nullptr;
  }
  bool ConsentExpired(int64_t now_ms) const {
    return last_valid_check_ms_ >= 0 && now_ms - last_valid_check_ms_ > kConsentTimeoutMs;
  }
  int64_t last_valid_check_ms() const { return last_valid_check_ms_; }
  uint64_t checks() const { return checks_; }
  uint64_t failed_checks() const { return failed_checks_; }

 private:
  size_t WriteError(const wire::StunMessageView& req, uint16_t code, std::span<uint8_t> out);

  std::string local_ufrag_;
  std::string local_pwd_;
  std::optional<wire::StunAddress> selected_;
  const void* selected_path_ = nullptr;
  int64_t last_valid_check_ms_ = -1;
  uint64_t checks_ = 0;
  uint64_t failed_checks_ = 0;
};

// A random ICE ufrag (8 chars) or password (24 chars) of ice-chars (RFC 8839 §5.4).
std::string RandomIceString(size_t length);

}  // namespace sfu::transport

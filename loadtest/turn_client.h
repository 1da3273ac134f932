#pragma once
// The client side of one TURN allocation (RFC 8656) over a TCP or TLS stream, as a browser runs
// it against the server's embedded TURN server: Allocate (REQUESTED-TRANSPORT UDP; the first
// one unauthenticated, answered 401 with REALM and NONCE), then CreatePermission and
// ChannelBind for one peer (the server's UDP host candidate); from then on datagrams to and from
// the peer travel as ChannelData, padded to 4 bytes as a stream requires. Long-term credentials
// (the JOIN_ACK's TURN REST username and password); a 438 Stale Nonce is retried with the new
// nonce. Keeps the allocation and the channel alive (Refresh at half the lifetime, ChannelBind
// every 4 minutes).
// Pure: the caller frames the stream (wire::NextTurnStreamFrame) and moves the bytes; no I/O,
// no clock of its own. Thread: its owner's.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "transport/wire/stun_message.h"

namespace sfu::loadtest {

class TurnClient {
 public:
  static constexpr uint16_t kChannel = 0x4000;
  static constexpr int64_t kChannelRefreshMs = 240'000;  // channels last 10 min, permissions 5

  // peer: where the relay sends our datagrams (the server's UDP host candidate).
  TurnClient(std::string username, std::string password, const wire::StunAddress& peer);

  // The first request (an Allocate without credentials), appended to *out.
  void Start(std::vector<uint8_t>* out);
  // One whole message from the server. Answers advance the allocation (the next request is
  // appended to *out). Returns the peer's datagram it carried (ChannelData on our channel, or a
  // Data indication from the peer) as a view into `message`, else nullopt.
  std::optional<std::span<const uint8_t>> OnMessage(std::span<const uint8_t> message,
                                                    int64_t now_ms, std::vector<uint8_t>* out);
  // Appends the datagram for the peer as ChannelData. False (nothing appended) before ready().
  bool Wrap(std::span<const uint8_t> datagram, std::vector<uint8_t>* out) const;
  // Refreshes due by now_ms, appended to *out.
  void OnTick(int64_t now_ms, std::vector<uint8_t>* out);

  bool ready() const { return state_ == State::kReady; }
  bool failed() const { return state_ == State::kFailed; }
  const std::string& error() const { return error_; }
  // The relayed address the server gave us (valid once allocated).
  const wire::StunAddress& relayed() const { return relayed_; }

 private:
  enum class State { kIdle, kAllocating, kPermitting, kBinding, kReady, kFailed };
  void Request(uint16_t method, std::vector<uint8_t>* out);
  void Fail(std::string why);

  std::string username_, password_;
  wire::StunAddress peer_;
  std::string realm_, nonce_;
  std::array<uint8_t, 16> key_{};
  bool have_key_ = false;
  State state_ = State::kIdle;
  std::string error_;
  wire::StunAddress relayed_;
  uint32_t lifetime_s_ = 600;
  int64_t refresh_at_ms_ = 0;  // allocation
  int64_t rebind_at_ms_ = 0;   // channel (and its permission)
  struct Pending {
    std::array<uint8_t, 12> txid;
    uint16_t method;
  };
  std::vector<Pending> pending_;
};

}  // namespace sfu::loadtest

#pragma once
// One TURN allocation (RFC 8656) on one client connection over TCP or TLS, in the shape this
// server needs (docs/DESIGN.md, "Media over TCP and TLS"): the only peers are this shard's own
// UDP media addresses, so the "relayed transport address" is virtual — a datagram the client
// sends to our media port is handed to the shard's demuxer in process (Sink::ToPeer) as if it
// had come from the relayed address, and the shard's answers come back through FromPeer. A
// peer that is not one of ours is refused (403) and counted: a TURN server that relays
// anywhere is an open proxy.
// Credentials: the TURN REST scheme (transport/crypto/turn_credentials.h), long-term
// mechanism with one nonce per connection. Allocate, Refresh, CreatePermission, ChannelBind,
// Send and Data indications, ChannelData; Binding answered. Pure apart from HMAC/MD5: the
// caller supplies time and moves the bytes. Thread: its connection's.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "transport/transport_stats.h"
#include "transport/wire/stun_message.h"

namespace sfu::transport {

struct TurnPolicy {
  std::string realm = "sfu";
  std::string secret;  // REST secret: password = base64(HMAC-SHA1(secret, username))
  std::vector<wire::StunAddress> peers;  // the only peers: this shard's UDP media addresses
  wire::StunAddress relay_ip;            // address of XOR-RELAYED-ADDRESS (port per allocation)
  uint32_t default_lifetime_s = 600;
  uint32_t max_lifetime_s = 3600;
  std::function<int64_t()> unix_now_s;  // the wall clock that REST expiries are in
};

class TurnSession {
 public:
  static constexpr int64_t kPermissionMs = 300'000;  // RFC 8656 §9
  static constexpr int64_t kChannelMs = 600'000;     // RFC 8656 §12

  class Sink {
   public:
    virtual ~Sink() = default;
    // A whole message for the client (STUN, or ChannelData padded to 4 bytes).
    virtual void ToClient(std::span<const uint8_t> message) = 0;
    // A datagram from the client for `peer` (one of the policy's peers), in place with
    // `capacity` bytes of room.
    virtual void ToPeer(const wire::StunAddress& peer, uint8_t* data, size_t len,
                        size_t capacity) = 0;
  };

  TurnSession(const TurnPolicy& policy, TurnStats& stats, Sink& sink,
              const wire::StunAddress& client, uint16_t relay_port, std::string nonce);

  // One framed message from the client (STUN or ChannelData) in a buffer of `capacity`.
  void OnMessage(uint8_t* data, size_t len, size_t capacity, int64_t now_ms);
  // A datagram from `peer` (our media port) to the client: ChannelData on a bound channel,
  // else a Data indication. False (dropped, counted) without a live allocation and permission.
  bool FromPeer(const wire::StunAddress& peer, std::span<const uint8_t> data, int64_t now_ms);

  bool allocated(int64_t now_ms) const { return allocated_ && now_ms < expires_ms_; }
  // Once allocated: the allocation ended (lifetime passed, or refreshed to 0).
  bool ended(int64_t now_ms) const { return ended_ || (allocated_ && now_ms >= expires_ms_); }
  const wire::StunAddress& relayed() const { return relayed_; }
  const std::string& username() const { return username_; }

 private:
  using Key = std::array<uint8_t, 16>;
  // Checks the long-term credential; on failure writes the error response and returns nullopt.
  std::optional<Key> Authenticate(const wire::StunMessageView& req);
  void Answer(const wire::StunMessageView& req, bool error, uint16_t code,
              const std::function<void(wire::StunWriter&)>& attrs, const Key* key);
  void OnAllocate(const wire::StunMessageView& req, const Key& key, int64_t now_ms);
  void OnRefresh(const wire::StunMessageView& req, const Key& key, int64_t now_ms);
  void OnCreatePermission(const wire::StunMessageView& req, const Key& key, int64_t now_ms);
  void OnChannelBind(const wire::StunMessageView& req, const Key& key, int64_t now_ms);
  void OnSend(const wire::StunMessageView& ind, uint8_t* base, size_t capacity, int64_t now_ms);
  void OnChannelData(uint8_t* data, size_t len, size_t capacity, int64_t now_ms);
  bool IsOurPeer(const wire::StunAddress& a) const;
  bool IsOurPeerIp(const wire::StunAddress& a) const;
  bool Permitted(const wire::StunAddress& peer, int64_t now_ms) const;
  uint32_t Lifetime(const wire::StunMessageView& req) const;

  const TurnPolicy& policy_;
  TurnStats& stats_;
  Sink& sink_;
  wire::StunAddress client_;
  wire::StunAddress relayed_;
  std::string nonce_;
  std::string username_;  // fixed by the Allocate
  bool allocated_ = false;
  bool ended_ = false;
  int64_t expires_ms_ = 0;
  // Permissions by peer IP (port 0), channels both ways; a handful per allocation.
  std::vector<std::pair<wire::StunAddress, int64_t>> permissions_;
  struct Channel {
    uint16_t number;
    wire::StunAddress peer;
    int64_t expires_ms;
  };
  std::vector<Channel> channels_;
};

}  // namespace sfu::transport

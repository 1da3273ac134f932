#pragma once
// A WebRtcTransport as the sessions on a shard use it: registered with the shard's demuxer for
// its ICE ufrag, counted in the shard's transports gauge, ended if no ICE check arrives within
// 30 s, and unregistered on destruction. Also makes the SCTP association for data channels.
// Thread: the owning shard only.

#include <cstdint>
#include <memory>

#include "transport/sctp/sctp_association.h"
#include "transport/webrtc_transport.h"

namespace sfu {

class Shard;

class ShardTransport {
 public:
  static constexpr int64_t kConnectTimeoutMs = 30'000;

  ShardTransport(Shard& shard, const transport::WebRtcTransport::Params& params,
                 transport::WebRtcTransport::Listener* listener);
  ~ShardTransport();
  ShardTransport(const ShardTransport&) = delete;
  ShardTransport& operator=(const ShardTransport&) = delete;

  transport::WebRtcTransport* operator->() { return transport_.get(); }
  transport::WebRtcTransport& get() { return *transport_; }

  // Timers (DTLS, consent) and the connect timeout. False once the transport is closed: the
  // owning session is then finished.
  bool Tick(int64_t now_ms);

  // An SCTP association whose tasks run on this shard.
  static std::unique_ptr<transport::SctpAssociation> MakeSctp(
      Shard& shard, transport::SctpAssociation::Listener* listener,
      uint32_t remote_max_message_size);

 private:
  Shard& shard_;
  std::unique_ptr<transport::WebRtcTransport> transport_;
  int64_t created_ms_;
};

}  // namespace sfu

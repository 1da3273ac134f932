#pragma once
// Where a transport's datagrams come from and go (docs/DESIGN.md, "Media over TCP and TLS"):
// the shard's UDP socket and a remote address, or a StreamLink, a byte stream carrying
// datagrams (ICE-TCP with RFC 4571 framing, transport/tcp/; or a TURN allocation relayed in
// process, transport/turn/). Thread: the shard's thread only.

#include <cstdint>
#include <span>

#include "transport/udp/udp_endpoint.h"

namespace sfu::transport {

class StreamLink {
 public:
  virtual ~StreamLink() = default;
  // Frames and queues one datagram for the peer (written at the next flush: the link asks the
  // demuxer with WantFlush). False when it was
  // dropped: the link's send buffer is full (a slow reader loses media, it never blocks the
  // shard) or the link is closing.
  virtual bool SendDatagram(std::span<const uint8_t> data) = 0;
  // Writes what SendDatagram queued (EndpointDemuxer::FlushLinks calls it after a batch).
  virtual void Flush() = 0;
  // The transport this link served is gone: close the stream. May not call back into the
  // demuxer synchronously.
  virtual void Close() = 0;
};

struct Route {
  PeerAddress address;         // the remote address (for a link: the stream's or relayed peer's)
  StreamLink* link = nullptr;  // null: the shard's UDP socket
  bool operator==(const Route&) const = default;
};

}  // namespace sfu::transport

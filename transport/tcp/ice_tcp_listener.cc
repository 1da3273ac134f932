#include "transport/tcp/ice_tcp_listener.h"

#include <array>

#include "transport/endpoint_demuxer.h"
#include "transport/route.h"
#include "transport/wire/stream_framing.h"

namespace sfu::transport {

namespace {

// One ICE-TCP connection: RFC 4571 frames in, to the demuxer; datagrams out, framed into the
// send buffer and written at the next flush.
class IceTcpConnection final : public StreamConnection, public StreamLink {
 public:
  static constexpr size_t kMaxFrame = UdpEndpoint::kMaxDatagram;

  IceTcpConnection(StreamServer& server, const PeerAddress& remote, EndpointDemuxer& demuxer,
                   UdpEndpoint& udp)
      : StreamConnection(server, remote), demuxer_(demuxer), udp_(udp) {}

  bool SendDatagram(std::span<const uint8_t> data) override {
    if (closing() || data.empty() || data.size() > 0xffff) return false;
    uint8_t header[2];
    wire::WriteRfc4571Header(header, data.size());
    if (!Queue(header, data)) {
      base::Bump(stats_.send_dropped);
      return false;
    }
    base::Bump(stats_.datagrams_out);
    if (!flush_wanted_) {
      flush_wanted_ = true;
      demuxer_.WantFlush(this);
    }
    return true;
  }

  void Flush() override {
    flush_wanted_ = false;
    Write();
  }

  void Close() override { Shutdown(); }

 private:
  size_t OnBytes(std::span<const uint8_t> bytes) override {
    return ConsumeFrames(bytes, wire::NextRfc4571Frame, kMaxFrame, slot_,
                         [this](uint8_t* data, size_t size, size_t capacity) {
                           base::Bump(stats_.datagrams_in);
                           demuxer_.OnLinkDatagram(this, remote(), data, size, capacity);
                         });
  }

  void AfterRead() override {
    // What the frames caused to be sent leaves now, on every link and on UDP.
    demuxer_.FlushLinks();
    udp_.Flush();
  }

  bool Authenticated() const override { return demuxer_.IsBound(this); }
  void OnClose() override { demuxer_.OnLinkClosed(this); }

  EndpointDemuxer& demuxer_;
  UdpEndpoint& udp_;
  std::array<uint8_t, UdpEndpoint::kSlotSize> slot_{};
  bool flush_wanted_ = false;
};

}  // namespace

IceTcpListener::IceTcpListener(boost::asio::io_context& ioc, EndpointDemuxer& demuxer,
                               UdpEndpoint& udp, StreamStats& stats, StreamLimits limits)
    : server_(ioc, stats, limits,
              [&demuxer, &udp](StreamServer& server, const PeerAddress& remote) {
                return std::make_shared<IceTcpConnection>(server, remote, demuxer, udp);
              }) {}

}  // namespace sfu::transport

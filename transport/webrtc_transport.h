#pragma once
// One peer's WebRTC transport: ICE-lite + DTLS (server) + SRTP/SRTCP (+ SCTP data channels),
// all bundled on one 5-tuple (BUNDLE + rtcp-mux only): of the shard's UDP socket, or a stream
// link (ICE-TCP, TURN relayed in process; transport/route.h).
// Packets arrive already demultiplexed to this transport (EndpointDemuxer) and classified
// (RFC 7983); decrypted RTP/RTCP go up through Listener, in place, with headroom to protect
// them again, RTP with its parsed header (the one parse of the packet). Nothing here allocates
// per packet.
//
// Thread: the owning shard only. Owns its IceLite, DtlsSession and SrtpSessions; borrows the
// DtlsContext, UdpEndpoint, stats and listener (all outlive it).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "transport/dtls/dtls_session.h"
#include "transport/ice/ice_lite.h"
#include "transport/route.h"
#include "transport/srtp/srtp_session.h"
#include "transport/transport_stats.h"
#include "transport/udp/udp_endpoint.h"

namespace sfu::wire {
class RtpPacketView;
}

namespace sfu::transport {

class DtlsContext;

class WebRtcTransport final : public DtlsSession::Listener {
 public:
  struct Params {
    std::string local_ufrag;
    std::string local_pwd;
    std::string remote_fingerprint_algorithm;
    std::string remote_fingerprint;
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnTransportConnected(WebRtcTransport& t) = 0;  // DTLS done, SRTP ready
    // Decrypted RTP / RTCP, in place: data has `capacity` bytes of room to re-protect.
    // RTP comes parsed (once, here): `packet` is the view of data[0, packet.size()).
    virtual void OnRtp(WebRtcTransport& t, const wire::RtpPacketView& packet, uint8_t* data,
                       size_t capacity) = 0;
    virtual void OnRtcp(WebRtcTransport& t, uint8_t* data, size_t len, size_t capacity) = 0;
    // Decrypted DTLS application data (SCTP packets).
    virtual void OnApplicationData(WebRtcTransport& t, std::span<const uint8_t> data) = 0;
    // Consent lapsed, DTLS failed or closed. The owner may destroy the transport afterwards
    // (not from inside this call).
    virtual void OnTransportClosed(WebRtcTransport& t, std::string_view reason) = 0;
  };

  WebRtcTransport(const Params& params, const DtlsContext& dtls, UdpEndpoint& socket,
                  TransportStats& stats, Listener* listener);
  ~WebRtcTransport() override;

  // A parsed STUN Binding request addressed to our ufrag. Returns true if it was a valid check
  // (the demuxer then maps `from` to this transport).
  bool OnStunRequest(const wire::StunMessageView& req, const Route& from, int64_t now_ms);
  void OnDtls(const Route& from, std::span<const uint8_t> data);
  void OnSrtp(uint8_t* data, size_t len, size_t capacity);
  void OnSrtcp(uint8_t* data, size_t len, size_t capacity);
  // A stream link this transport may use closed: forget it (the selected pair if it was on it).
  void OnLinkClosed(const StreamLink* link);
  // Timers: DTLS retransmission and consent. Call every few tens of milliseconds.
  void OnTick(int64_t now_ms);

  // Protect in place and send to the selected address. False if not connected or on error.
  bool SendRtp(uint8_t* data, size_t len, size_t capacity);
  bool SendRtcp(uint8_t* data, size_t len, size_t capacity);
  bool SendApplicationData(std::span<const uint8_t> data);
  void Close(std::string_view reason);

  bool connected() const { return srtp_out_ != nullptr; }
  bool closed() const { return closed_; }
  const IceLite& ice() const { return ice_; }
  const DtlsSession& dtls() const { return dtls_; }
  const std::optional<PeerAddress>& selected() const { return ice_.selected(); }
  // The stream the selected pair runs on (null: UDP, or nothing selected).
  StreamLink* selected_link() const {
    return static_cast<StreamLink*>(const_cast<void*>(ice_.selected_path()));
  }

 private:
  // DtlsSession::Listener
  void OnDtlsSend(std::span<const uint8_t> datagram) override;
  void OnDtlsConnected(const SrtpKeys& keys) override;
  void OnDtlsApplicationData(std::span<const uint8_t> data) override;
  void OnDtlsFailed(const std::string& reason) override;
  void OnDtlsClosed() override;
  bool SendTo(const Route& to, std::span<const uint8_t> data);

  IceLite ice_;
  DtlsSession dtls_;
  UdpEndpoint& socket_;    // borrowed (the shard's)
  TransportStats& stats_;  // borrowed
  Listener* listener_;     // borrowed
  std::unique_ptr<SrtpSession> srtp_in_;
  std::unique_ptr<SrtpSession> srtp_out_;
  std::optional<Route> dtls_peer_;  // where DTLS came from (before ICE selects)
  int64_t dtls_timer_due_ms_ = -1;
  int64_t now_ms_ = 0;
  bool closed_ = false;
};

}  // namespace sfu::transport

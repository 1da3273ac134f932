#include "transport/webrtc_transport.h"

#include "transport/dtls/dtls_context.h"
#include "transport/wire/rtcp/common_header.h"
#include "transport/wire/rtp_packet.h"
#include "transport/wire/stun_message.h"

namespace sfu::transport {

WebRtcTransport::WebRtcTransport(const Params& params, const DtlsContext& dtls, UdpEndpoint& socket,
                                 TransportStats& stats, Listener* listener)
    : ice_(params.local_ufrag, params.local_pwd),
      dtls_(dtls, DtlsSession::Role::kServer, params.remote_fingerprint_algorithm,
            params.remote_fingerprint, this),
      socket_(socket),
      stats_(stats),
      listener_(listener) {
  dtls_.Start();
}

WebRtcTransport::~WebRtcTransport() = default;

bool WebRtcTransport::OnStunRequest(const wire::StunMessageView& req, const Route& from,
                                    int64_t now_ms) {
  if (closed_) return false;
  now_ms_ = now_ms;
  stats_.Add(stats_.ice_checks);
  uint8_t out[512];
  const IceLite::Result r = ice_.OnBindingRequest(req, from.address, out, now_ms, from.link);
  if (r.response_size > 0) SendTo(from, std::span<const uint8_t>(out, r.response_size));
  if (r.outcome == IceLite::Outcome::kRespondedError) stats_.Drop(DropReason::kBadCredentials);
  return r.outcome == IceLite::Outcome::kResponded;
}

void WebRtcTransport::OnDtls(const Route& from, std::span<const uint8_t> data) {
  if (closed_) return;
  dtls_peer_ = from;
  dtls_.OnDatagram(data);
  dtls_timer_due_ms_ = -1;  // recomputed on the next tick
}

void WebRtcTransport::OnLinkClosed(const StreamLink* link) {
  ice_.ForgetPath(link);
  if (dtls_peer_ && dtls_peer_->link == link) dtls_peer_.reset();
}

bool WebRtcTransport::SendTo(const Route& to, std::span<const uint8_t> data) {
  return to.link ? to.link->SendDatagram(data) : socket_.Send(to.address, data);
}

void WebRtcTransport::OnSrtp(uint8_t* data, size_t len, size_t capacity) {
  if (!srtp_in_) return stats_.Drop(DropReason::kNotConnected);
  const SrtpResult r = srtp_in_->UnprotectRtp(data, &len);
  if (r != SrtpResult::kOk) {
    stats_.Add(stats_.srtp_errors[static_cast<size_t>(r)]);
    return stats_.Drop(DropReason::kSrtpError);
  }
  // Authentic but malformed (bad version, extension or padding running past the end): drop.
  const auto packet = wire::RtpPacketView::Parse(std::span<const uint8_t>(data, len));
  if (!packet) return stats_.Drop(DropReason::kMalformed);
  stats_.Add(stats_.rtp_packets_in);
  listener_->OnRtp(*this, *packet, data, capacity);
}

void WebRtcTransport::OnSrtcp(uint8_t* data, size_t len, size_t capacity) {
  if (!srtp_in_) return stats_.Drop(DropReason::kNotConnected);
  const SrtpResult r = srtp_in_->UnprotectRtcp(data, &len);
  if (r != SrtpResult::kOk) {
    stats_.Add(stats_.srtp_errors[static_cast<size_t>(r)]);
    return stats_.Drop(DropReason::kSrtpError);
  }
  // A compound packet whose block lengths lie is dropped whole (RFC 3550 §6.1 validity check).
  wire::rtcp::CompoundIterator it(std::span<const uint8_t>(data, len));
  while (it.Next()) {
  }
  if (it.error()) return stats_.Drop(DropReason::kMalformed);
  stats_.Add(stats_.rtcp_packets_in);
  listener_->OnRtcp(*this, data, len, capacity);
}

void WebRtcTransport::OnTick(int64_t now_ms) {
  if (closed_) return;
  now_ms_ = now_ms;
  if (ice_.ConsentExpired(now_ms)) {
    stats_.Add(stats_.ice_consent_expiries);
    return Close("ice consent expired");
  }
  const int64_t wait = dtls_.NextTimeoutMs();
  if (wait < 0) {
    dtls_timer_due_ms_ = -1;
  } else if (dtls_timer_due_ms_ < 0) {
    dtls_timer_due_ms_ = now_ms + wait;
  } else if (now_ms >= dtls_timer_due_ms_) {
    dtls_timer_due_ms_ = -1;
    dtls_.OnTimeout();
  }
}

bool WebRtcTransport::SendRtp(uint8_t* data, size_t len, size_t capacity) {
  if (!srtp_out_ || !ice_.selected() || closed_) return false;
  const SrtpResult r = srtp_out_->ProtectRtp(data, &len, capacity);
  if (r != SrtpResult::kOk) return false;
  return SendTo(Route{*ice_.selected(), selected_link()}, std::span<const uint8_t>(data, len));
}

bool WebRtcTransport::SendRtcp(uint8_t* data, size_t len, size_t capacity) {
  if (!srtp_out_ || !ice_.selected() || closed_) return false;
  const SrtpResult r = srtp_out_->ProtectRtcp(data, &len, capacity);
  if (r != SrtpResult::kOk) return false;
  return SendTo(Route{*ice_.selected(), selected_link()}, std::span<const uint8_t>(data, len));
}

bool WebRtcTransport::SendApplicationData(std::span<const uint8_t> data) {
  return !closed_ && dtls_.SendApplicationData(data);
}

void WebRtcTransport::Close(std::string_view reason) {
  if (closed_) return;
  dtls_.Close();
  closed_ = true;
  listener_->OnTransportClosed(*this, reason);
}

void WebRtcTransport::OnDtlsSend(std::span<const uint8_t> datagram) {
  // Before ICE selects, answer where DTLS came from; afterwards, the selected address.
  if (ice_.selected()) {
    SendTo(Route{*ice_.selected(), selected_link()}, datagram);
  } else if (dtls_peer_) {
    SendTo(*dtls_peer_, datagram);
  }
}

void WebRtcTransport::OnDtlsConnected(const SrtpKeys& keys) {
  srtp_in_ = SrtpSession::Create(keys.profile, std::span(keys.remote.data(), keys.length),
                                 SrtpSession::Direction::kInbound);
  srtp_out_ = SrtpSession::Create(keys.profile, std::span(keys.local.data(), keys.length),
                                  SrtpSession::Direction::kOutbound);
  if (!srtp_in_ || !srtp_out_) {
    srtp_in_.reset();
    srtp_out_.reset();
    stats_.Add(stats_.dtls_handshakes_failed);
    return Close("srtp session setup failed");
  }
  stats_.Add(stats_.dtls_handshakes_ok);
  listener_->OnTransportConnected(*this);
}

void WebRtcTransport::OnDtlsApplicationData(std::span<const uint8_t> data) {
  listener_->OnApplicationData(*this, data);
}

void WebRtcTransport::OnDtlsFailed(const std::string& reason) {
  stats_.Add(stats_.dtls_handshakes_failed);
  Close("dtls failed: " + reason);
}

void WebRtcTransport::OnDtlsClosed() { Close("dtls closed by peer"); }

}  // namespace sfu::transport

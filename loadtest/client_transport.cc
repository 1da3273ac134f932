#include "loadtest/client_transport.h"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <vector>

#include "base/random.h"
#include "transport/crypto/hmac_sha1.h"
#include "transport/sctp/sctp_association.h"
#include "transport/wire/demux.h"
#include "transport/wire/stun_message.h"

namespace sfu::loadtest {
namespace asio = boost::asio;
using udp = asio::ip::udp;

struct ClientTransport::Impl : transport::DtlsSession::Listener,
                               transport::SctpAssociation::Listener {
  Impl(asio::io_context& ioc, const transport::DtlsContext& dtls_ctx, ClientTransportParams p,
       Callbacks cb)
      : io(ioc),
        params(std::move(p)),
        callbacks(std::move(cb)),
        socket(ioc),
        timer(ioc),
        dtls(dtls_ctx, transport::DtlsSession::Role::kClient, params.server_fingerprint_algorithm,
             params.server_fingerprint, this) {
    boost::system::error_code ec;
    server = udp::endpoint(asio::ip::make_address(params.server_ip, ec), params.server_port);
    socket.open(server.protocol(), ec);
    socket.bind(udp::endpoint(server.address().is_v6() ? udp::v6() : udp::v4(), 0), ec);
  }

  void EnableDataChannel(asio::io_context& ioc, const std::string& label) {
    channel_label = label;
    sctp = std::make_unique<transport::SctpAssociation>(
        this, [&ioc, alive = alive](std::function<void()> task) {
          asio::post(ioc, [alive, task = std::move(task)] {
            if (*alive) task();
          });
        });
  }

  // SctpAssociation::Listener
  void OnSctpOutgoingPacket(std::span<const uint8_t> packet) override {
    dtls.SendApplicationData(packet);
  }
  void OnDataChannelOpen(uint16_t, const std::string&, const std::string&) override {
    channel_open = true;
    if (callbacks.on_data_channel_open) callbacks.on_data_channel_open();
  }
  void OnDataChannelMessage(uint16_t, bool, std::span<const uint8_t> data) override {
    if (callbacks.on_data_channel_message) callbacks.on_data_channel_message(data);
  }
  void OnSctpStateChange(transport::SctpAssociation::State state) override {
    if (state == transport::SctpAssociation::State::kConnected && !channel_requested) {
      channel_requested = true;
      sctp->OpenChannel(0, channel_label);
    }
  }

  void Start() {
    Receive();
    Tick();
  }

  void SendCheck() {
    std::array<uint8_t, 12> txid;
    base::RandomFill(txid);
    uint8_t buf[512];
    wire::StunWriter w(buf, wire::kStunBindingRequest, txid);
    w.AddString(wire::kStunAttrUsername, params.server_ufrag + ":" + params.local_ufrag);
    w.AddUint32(wire::kStunAttrPriority, 1853824767);
    w.AddUint64(wire::kStunAttrIceControlling, tiebreaker);
    w.AddFlag(wire::kStunAttrUseCandidate);
    const std::string& pwd = params.server_pwd;
    w.AddMessageIntegrity(std::span(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size()),
                          &transport::HmacSha1);
    w.AddFingerprint();
    Send(std::span<const uint8_t>(buf, w.size()));
  }

  void Tick() {
    // Checks every 50 ms until answered, then every 2.5 s as consent freshness (RFC 7675).
    const auto now = std::chrono::steady_clock::now();
    if (!ice_done || now - last_check > std::chrono::milliseconds(2500)) {
      SendCheck();
      last_check = now;
    }
    const int64_t wait = dtls.NextTimeoutMs();
    if (wait == 0) dtls.OnTimeout();
    timer.expires_after(std::chrono::milliseconds(50));
    timer.async_wait([this, alive = alive](const boost::system::error_code& ec) {
      if (!ec && *alive) Tick();  // an expiry queued before destruction must not touch us
    });
  }

  void Receive() {
    socket.async_receive_from(asio::buffer(rx), from,
                              [this, alive = alive](const boost::system::error_code& ec, size_t n) {
                                if (ec == asio::error::operation_aborted || !*alive)
                                  return;  // completion queued before destruction
                                if (!ec && n > 0) OnDatagram(rx.data(), n);
                                Receive();
                              });
  }

  void OnDatagram(uint8_t* data, size_t n) {
    if (incoming_filter && incoming_filter(std::span<const uint8_t>(data, n))) return;
    const std::span<const uint8_t> packet(data, n);
    switch (wire::Classify(packet)) {  // the server's demux: transport/wire/demux.h
      case wire::PacketKind::kStun: {
        auto m = wire::StunMessageView::Parse(packet);
        if (m && m->type() == wire::kStunBindingSuccess) {
          ++stun_responses;
          if (!ice_done) {
            ice_done = true;
            dtls.Start();  // ClientHello
          }
        }
        break;
      }
      case wire::PacketKind::kDtls:
        dtls.OnDatagram(packet);
        break;
      case wire::PacketKind::kRtcp: {
        size_t len = n;
        if (srtp_in && srtp_in->UnprotectRtcp(data, &len) == transport::SrtpResult::kOk &&
            callbacks.on_rtcp) {
          callbacks.on_rtcp(std::span<const uint8_t>(data, len));
        }
        break;
      }
      case wire::PacketKind::kRtp: {
        size_t len = n;
        if (srtp_in && srtp_in->UnprotectRtp(data, &len) == transport::SrtpResult::kOk &&
            callbacks.on_rtp) {
          callbacks.on_rtp(std::span<const uint8_t>(data, len));
        }
        break;
      }
      default:
        break;  // nothing else is expected from the server
    }
  }

  void Send(std::span<const uint8_t> d) {
    boost::system::error_code ec;
    socket.send_to(asio::buffer(d.data(), d.size()), server, 0, ec);
  }

  // DtlsSession::Listener
  void OnDtlsSend(std::span<const uint8_t> d) override { Send(d); }
  void OnDtlsConnected(const transport::SrtpKeys& keys) override {
    srtp_in =
        transport::SrtpSession::Create(keys.profile, std::span(keys.remote.data(), keys.length),
                                       transport::SrtpSession::Direction::kInbound);
    srtp_out =
        transport::SrtpSession::Create(keys.profile, std::span(keys.local.data(), keys.length),
                                       transport::SrtpSession::Direction::kOutbound);
    profile = keys.profile;
    if (sctp) sctp->Start();
    if (callbacks.on_connected) callbacks.on_connected();
  }
  void OnDtlsApplicationData(std::span<const uint8_t> data) override {
    if (sctp) sctp->OnIncomingPacket(data);
  }
  void OnDtlsFailed(const std::string& reason) override {
    if (callbacks.on_failed) callbacks.on_failed(reason);
  }
  void OnDtlsClosed() override {}

  asio::io_context& io;
  ClientTransportParams params;
  Callbacks callbacks;
  udp::socket socket;
  udp::endpoint server;
  udp::endpoint from;
  asio::steady_timer timer;
  transport::DtlsSession dtls;
  std::unique_ptr<transport::SrtpSession> srtp_in, srtp_out;
  transport::SrtpProfile profile = transport::SrtpProfile::kNone;
  std::array<uint8_t, 2048> rx{};
  uint64_t tiebreaker = 0x1234567890abcdefull;
  bool ice_done = false;
  uint64_t stun_responses = 0;
  std::chrono::steady_clock::time_point last_check{};
  // Cleared on destruction: completions already queued (a timer that expired, a datagram that
  // arrived) still run after cancel()/close() and must then return without touching this.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  std::function<bool(std::span<const uint8_t>)> incoming_filter;
  std::unique_ptr<transport::SctpAssociation> sctp;
  std::string channel_label;
  bool channel_requested = false;
  bool channel_open = false;
};

ClientTransport::ClientTransport(asio::io_context& ioc, const transport::DtlsContext& dtls,
                                 ClientTransportParams params, Callbacks callbacks)
    : impl_(std::make_unique<Impl>(ioc, dtls, std::move(params), std::move(callbacks))) {}

void ClientTransport::SetIncomingFilter(std::function<bool(std::span<const uint8_t>)> drop) {
  impl_->incoming_filter = std::move(drop);
}

ClientTransport::~ClientTransport() {
  *impl_->alive = false;
  impl_->sctp.reset();
  boost::system::error_code ec;
  impl_->timer.cancel();
  impl_->socket.close(ec);
}

void ClientTransport::Start() { impl_->Start(); }

void ClientTransport::EnableDataChannel(const std::string& label) {
  impl_->EnableDataChannel(impl_->io, label);
}

bool ClientTransport::SendDataChannel(std::span<const uint8_t> message) {
  return impl_->sctp && impl_->channel_open && impl_->sctp->Send(0, /*binary=*/true, message);
}
bool ClientTransport::connected() const { return impl_->srtp_out != nullptr; }
uint16_t ClientTransport::local_port() const {
  boost::system::error_code ec;
  return impl_->socket.local_endpoint(ec).port();
}
uint64_t ClientTransport::stun_responses() const { return impl_->stun_responses; }
std::string ClientTransport::dtls_version() const { return impl_->dtls.version(); }
transport::SrtpProfile ClientTransport::srtp_profile() const { return impl_->profile; }

std::vector<uint8_t> ClientTransport::ProtectRtp(std::span<const uint8_t> rtp) {
  if (!impl_->srtp_out || rtp.size() > 1500) return {};
  std::vector<uint8_t> buf(rtp.size() + transport::kSrtpMaxTrailer + 16);
  std::copy(rtp.begin(), rtp.end(), buf.begin());
  size_t len = rtp.size();
  if (impl_->srtp_out->ProtectRtp(buf.data(), &len, buf.size()) != transport::SrtpResult::kOk)
    return {};
  buf.resize(len);
  return buf;
}

bool ClientTransport::SendRtp(std::span<const uint8_t> rtp) {
  auto p = ProtectRtp(rtp);
  if (p.empty()) return false;
  impl_->Send(p);
  return true;
}

bool ClientTransport::SendRtcp(std::span<const uint8_t> rtcp) {
  if (!impl_->srtp_out || rtcp.size() > 1500) return false;
  std::vector<uint8_t> buf(rtcp.size() + transport::kSrtpMaxTrailer + 16);
  std::copy(rtcp.begin(), rtcp.end(), buf.begin());
  size_t len = rtcp.size();
  if (impl_->srtp_out->ProtectRtcp(buf.data(), &len, buf.size()) != transport::SrtpResult::kOk)
    return false;
  impl_->Send(std::span<const uint8_t>(buf.data(), len));
  return true;
}

void ClientTransport::SendRaw(std::span<const uint8_t> d) { impl_->Send(d); }

}  // namespace sfu::loadtest

#include "loadtest/client_transport.h"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <sstream>
#include <vector>

#include "base/random.h"
#include "loadtest/client_stream.h"
#include "loadtest/turn_client.h"
#include "transport/crypto/hmac_sha1.h"
#include "transport/dtls/srtp_keys.h"
#include "transport/sctp/sctp_association.h"
#include "transport/wire/demux.h"
#include "transport/wire/stream_framing.h"
#include "transport/wire/stun_message.h"

namespace sfu::loadtest {
namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::optional<wire::StunAddress> ToStunAddress(const std::string& ip, uint16_t port) {
  boost::system::error_code ec;
  const auto a = asio::ip::make_address(ip, ec);
  if (ec) return std::nullopt;
  wire::StunAddress out;
  out.port = port;
  if (a.is_v4()) {
    out.family = 4;
    const auto b = a.to_v4().to_bytes();
    std::memcpy(out.ip.data(), b.data(), 4);
  } else {
    out.family = 6;
    const auto b = a.to_v6().to_bytes();
    std::memcpy(out.ip.data(), b.data(), 16);
  }
  return out;
}

}  // namespace

const char* MediaPathName(MediaPath path) {
  switch (path) {
    case MediaPath::kUdp:
      return "udp";
    case MediaPath::kIceTcp:
      return "tcp";
    case MediaPath::kTurnTls:
      return "turn-tls";
    case MediaPath::kTurnTcp:
      return "turn-tcp";
  }
  return "?";
}

std::optional<MediaPath> ParseMediaPath(std::string_view name) {
  for (MediaPath p :
       {MediaPath::kUdp, MediaPath::kIceTcp, MediaPath::kTurnTls, MediaPath::kTurnTcp})
    if (name == MediaPathName(p)) return p;
  return std::nullopt;
}

bool ReadAnswerCandidates(const std::string& sdp, ClientTransportParams* params) {
  // "a=candidate:<foundation> 1 <udp|tcp> <priority> <ip> <port> typ host [tcptype passive]"
  bool have_udp = false;
  uint16_t tcp_port = 0;
  std::string tcp_ip;
  for (size_t at = sdp.find("a=candidate:"); at != std::string::npos;
       at = sdp.find("a=candidate:", at + 1)) {
    std::istringstream in(sdp.substr(at + 12, sdp.find('\n', at) - at - 12));
    std::string foundation, component, proto, priority, ip, typ, type, tcptype, direction;
    int port = 0;
    if (!(in >> foundation >> component >> proto >> priority >> ip >> port >> typ >> type) ||
        port <= 0 || port > 65535 || component != "1")
      continue;
    in >> tcptype >> direction;
    if ((proto == "udp" || proto == "UDP") && !have_udp) {
      have_udp = true;
      params->server_ip = ip;
      params->server_port = static_cast<uint16_t>(port);
    } else if ((proto == "tcp" || proto == "TCP") && direction == "passive" && tcp_port == 0) {
      tcp_ip = ip;
      tcp_port = static_cast<uint16_t>(port);
    }
  }
  params->server_tcp_port = have_udp && tcp_ip == params->server_ip ? tcp_port : 0;
  return have_udp;
}

bool PickTurnUri(const std::vector<std::string>& uris, MediaPath path, TurnServerParams* out) {
  if (!IsTurn(path)) return false;
  const std::string scheme = path == MediaPath::kTurnTls ? "turns:" : "turn:";
  for (const std::string& uri : uris) {
    if (uri.rfind(scheme, 0) != 0) continue;
    std::string rest = uri.substr(scheme.size());
    const size_t q = rest.find('?');
    const std::string query = q == std::string::npos ? "" : rest.substr(q + 1);
    rest = rest.substr(0, q);
    // Plain turn: defaults to UDP (RFC 7065): only transport=tcp will do; turns: is TCP anyway.
    if (query != "transport=tcp" && !(path == MediaPath::kTurnTls && query.empty())) continue;
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) continue;
    std::string host = rest.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    const int port = std::atoi(rest.c_str() + colon + 1);
    if (port <= 0 || port > 65535 || !ToStunAddress(host, 1)) continue;
    out->host = host;
    out->port = static_cast<uint16_t>(port);
    return true;
  }
  return false;
}

struct ClientTransport::Impl : transport::DtlsSession::Listener,
                               transport::SctpAssociation::Listener {
  Impl(asio::io_context& ioc, const transport::DtlsContext& dtls_ctx, ClientTransportParams p,
       Callbacks cb)
      : io(ioc),
        params(std::move(p)),
        callbacks(std::move(cb)),
        socket(ioc),
        timer(ioc),
        dtls_context(dtls_ctx) {
    boost::system::error_code ec;
    const bool v6 = asio::ip::make_address(params.server_ip, ec).is_v6() && !ec;
    if (params.path == MediaPath::kUdp) {
      socket.open(v6 ? udp::v6() : udp::v4(), ec);
      socket.bind(udp::endpoint(v6 ? udp::v6() : udp::v4(), 0), ec);
    }
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
    if (dtls) dtls->SendApplicationData(packet);
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
    boost::system::error_code ec;
    server = udp::endpoint(asio::ip::make_address(params.server_ip, ec), params.server_port);
    dtls = std::make_unique<transport::DtlsSession>(dtls_context, params.dtls_role,
                                                    params.server_fingerprint_algorithm,
                                                    params.server_fingerprint, this);
    if (params.path == MediaPath::kUdp) {
      Receive();
    } else {
      StartStream();
    }
    Tick();
  }

  // --- TCP paths: ICE-TCP, TURN over TCP or TLS -----------------------------------------------
  void StartStream() {
    const bool turn_path = IsTurn(params.path);
    if (turn_path) {
      auto peer = ToStunAddress(params.server_ip, params.server_port);
      if (!peer || params.turn.port == 0) return FailLater("no TURN server or peer address");
      turn = std::make_unique<TurnClient>(params.turn.username, params.turn.password, *peer);
    } else if (params.server_tcp_port == 0) {
      return FailLater("no ICE-TCP candidate in the answer");
    }
    ClientStream::Callbacks cb;
    cb.on_open = [this] { OnStreamOpen(); };
    cb.on_bytes = [this](std::span<const uint8_t> b) { OnStreamBytes(b); };
    cb.on_error = [this](const std::string& why) { StreamFailed(why); };
    stream = std::make_unique<ClientStream>(io, std::move(cb));
    if (turn_path) {
      stream->Connect(params.turn.host, params.turn.port, params.path == MediaPath::kTurnTls);
    } else {
      stream->Connect(params.server_ip, params.server_tcp_port, /*tls=*/false);
    }
  }

  // Datagrams can go: UDP at once, ICE-TCP once connected, TURN once the channel is bound.
  bool PathReady() const {
    if (params.path == MediaPath::kUdp) return true;
    if (turn) return turn->ready() && stream && stream->open();
    return stream && stream->open();
  }

  void OnStreamOpen() {
    if (!turn) return SendCheck();  // ICE-TCP: the first frame must be a check (RFC 6544)
    std::vector<uint8_t> out;
    turn->Start(&out);
    stream->Send(out);
  }

  void OnStreamBytes(std::span<const uint8_t> bytes) {
    stream_in.insert(stream_in.end(), bytes.begin(), bytes.end());
    const auto alive_now = alive;  // a callback may destroy us (the owner's on_failed)
    size_t at = 0;
    while (*alive_now) {
      const std::span<const uint8_t> rest(stream_in.data() + at, stream_in.size() - at);
      const auto d = turn ? wire::NextTurnStreamFrame(rest, rx.size() + 64)
                          : wire::NextRfc4571Frame(rest, rx.size());
      if (d.kind == wire::FrameDecision::kNeedMore) break;
      if (d.kind == wire::FrameDecision::kInvalid) return StreamFailed("bad framing");
      const std::span<const uint8_t> frame = rest.subspan(d.header, d.size);
      at += d.header + d.size;
      std::span<const uint8_t> datagram = frame;
      if (turn) {
        const bool was_ready = turn->ready();
        std::vector<uint8_t> out;
        auto relayed = turn->OnMessage(frame, SteadyMs(), &out);
        if (!out.empty()) stream->Send(out);
        if (turn->failed()) return StreamFailed(turn->error());
        if (!was_ready && turn->ready()) SendCheck();  // the channel is bound: start ICE
        if (!relayed) continue;
        datagram = *relayed;
      }
      if (datagram.empty() || datagram.size() > rx.size()) continue;
      // A copy the SRTP layer may unprotect in place.
      std::memcpy(rx.data(), datagram.data(), datagram.size());
      OnDatagram(rx.data(), datagram.size());
    }
    if (!*alive_now) return;
    stream_in.erase(stream_in.begin(), stream_in.begin() + static_cast<std::ptrdiff_t>(at));
  }

  void Failed(const std::string& why) {
    if (callbacks.on_failed) callbacks.on_failed(why);
  }
  // The stream cannot go on: closed (safe inside its own callback), then reported.
  void StreamFailed(const std::string& why) {
    stream.reset();
    Failed("media stream: " + why);
  }
  // From Start(): the owner may destroy us in on_failed, so not on its stack.
  void FailLater(const std::string& why) {
    asio::post(io, [this, alive = alive, why] {
      if (*alive) Failed(why);
    });
  }

  void SendCheck() {
    std::array<uint8_t, 12> txid;
    base::RandomFill(txid);
    uint8_t buf[512];
    wire::StunWriter w(buf, wire::kStunBindingRequest, txid);
    w.AddString(wire::kStunAttrUsername, params.server_ufrag + ":" + params.local_ufrag);
    w.AddUint32(wire::kStunAttrPriority, 1853824767);
    if (params.ice_controlling) {
      w.AddUint64(wire::kStunAttrIceControlling, tiebreaker);
      w.AddFlag(wire::kStunAttrUseCandidate);
    } else {
      w.AddUint64(wire::kStunAttrIceControlled, tiebreaker);
    }
    const std::string& pwd = params.server_pwd;
    w.AddMessageIntegrity(std::span(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size()),
                          &transport::HmacSha1);
    w.AddFingerprint();
    Send(std::span<const uint8_t>(buf, w.size()));
  }

  void Tick() {
    // Checks every 50 ms until answered, then every 2.5 s as consent freshness (RFC 7675).
    const auto now = std::chrono::steady_clock::now();
    if (PathReady() && (!ice_done || now - last_check > std::chrono::milliseconds(2500))) {
      SendCheck();
      last_check = now;
    }
    if (turn && stream) {
      std::vector<uint8_t> out;
      turn->OnTick(SteadyMs(), &out);
      if (!out.empty()) stream->Send(out);
    }
    const auto alive_now = alive;  // a DTLS failure may destroy us (the owner's on_failed)
    const int64_t wait = dtls->NextTimeoutMs();
    if (wait == 0) dtls->OnTimeout();
    if (!*alive_now) return;
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
                                if (*alive) Receive();  // a callback may have destroyed us
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
          // Controlling, our own check's success selects the pair (we nominate); controlled,
          // the peer's nomination does (AnswerCheck): DTLS sent before the peer selected a pair
          // may be dropped, and would then wait for a retransmission.
          if (params.ice_controlling) IceConnected("our check was answered");
        } else if (m && m->type() == wire::kStunBindingRequest) {
          AnswerCheck(*m);
        }
        break;
      }
      case wire::PacketKind::kDtls:
        dtls->OnDatagram(packet);
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
          TraceRtp("in", std::span<const uint8_t>(data, len));
          callbacks.on_rtp(std::span<const uint8_t>(data, len));
        }
        break;
      }
      default:
        break;  // nothing else is expected from the server
    }
  }

  // A pair works: DTLS may start (the client sends its ClientHello; a server waits for one).
  void IceConnected(const char* why) {
    if (ice_done) return;
    ice_done = true;
    if (callbacks.on_trace) {
      boost::system::error_code ec;
      const auto local = socket.local_endpoint(ec);
      callbacks.on_trace(boost::json::object{
          {"event", "ice_connected"},
          {"path", MediaPathName(params.path)},
          {"local_port", ec ? 0 : local.port()},
          {"remote", server.address().to_string() + ":" + std::to_string(server.port())},
          {"controlling", params.ice_controlling},
          {"selected_because", why},
          {"checks_answered_by_us", stun_requests_answered}});
    }
    dtls->Start();
  }

  // --trace: the first RTP packet of each SSRC, each way.
  void TraceRtp(const char* direction, std::span<const uint8_t> rtp) {
    if (!callbacks.on_trace || rtp.size() < 12) return;
    const uint32_t ssrc =
        (static_cast<uint32_t>(rtp[8]) << 24) | (rtp[9] << 16) | (rtp[10] << 8) | rtp[11];
    const auto key = std::make_pair(direction[0] == 'i', ssrc);
    if (std::find(traced_ssrcs.begin(), traced_ssrcs.end(), key) != traced_ssrcs.end()) return;
    traced_ssrcs.push_back(key);
    callbacks.on_trace(boost::json::object{{"event", "first_rtp"},
                                           {"direction", direction},
                                           {"ssrc", ssrc},
                                           {"payload_type", rtp[1] & 0x7f}});
  }

  // A full-ICE peer's connectivity check (RFC 8445 §7.3): for us (USERNAME "ours:theirs"),
  // signed with our password, answered with the address it came from. Before any of our own
  // checks succeeded, the peer's address is taken from it (a peer-reflexive candidate: the peer
  // may check us from an address its SDP did not list). Controlled, its USE-CANDIDATE nominates
  // the pair. UDP only: a peer that checks us on a stream path is not expected.
  void AnswerCheck(const wire::StunMessageView& req) {
    if (params.path != MediaPath::kUdp) return;
    const auto username = req.Username();
    const std::string prefix = params.local_ufrag + ":";
    const std::string& pwd = params.local_pwd;
    const std::span<const uint8_t> key(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size());
    if (!username || username->substr(0, prefix.size()) != prefix ||
        !req.CheckMessageIntegrity(key, &transport::HmacSha1))
      return;
    auto mapped = ToStunAddress(from.address().to_string(), from.port());
    if (!mapped) return;
    uint8_t buf[256];
    wire::StunWriter w(buf, wire::kStunBindingSuccess, req.transaction_id());
    w.AddXorMappedAddress(*mapped);
    w.AddMessageIntegrity(key, &transport::HmacSha1);
    w.AddFingerprint();
    if (!ice_done && stun_responses == 0) server = from;
    ++stun_requests_answered;
    boost::system::error_code ec;
    socket.send_to(asio::buffer(buf, w.size()), from, 0, ec);
    if (!params.ice_controlling && req.Has(wire::kStunAttrUseCandidate))
      IceConnected("the peer nominated the pair");
  }

  void Send(std::span<const uint8_t> d) {
    switch (params.path) {
      case MediaPath::kUdp: {
        boost::system::error_code ec;
        socket.send_to(asio::buffer(d.data(), d.size()), server, 0, ec);
        return;
      }
      case MediaPath::kIceTcp: {
        uint8_t header[2];
        if (!stream || !stream->open() || d.empty() || !wire::WriteRfc4571Header(header, d.size()))
          return;
        stream->Send(header, d);
        return;
      }
      case MediaPath::kTurnTls:
      case MediaPath::kTurnTcp:
        if (!PathReady()) return;  // ICE retries its checks; nothing else is sent before
        wrapped.clear();
        if (turn->Wrap(d, &wrapped)) stream->Send(wrapped);
        return;
    }
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
    if (callbacks.on_trace)
      callbacks.on_trace(boost::json::object{
          {"event", "dtls_connected"},
          {"role", params.dtls_role == transport::DtlsSession::Role::kClient ? "client" : "server"},
          {"version", dtls->version()},
          {"cipher", dtls->cipher()},
          {"srtp_profile", std::string(transport::SrtpProfileName(keys.profile))}});
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
  const transport::DtlsContext& dtls_context;
  std::unique_ptr<transport::DtlsSession> dtls;  // made by Start(), with the role it was given
  std::unique_ptr<transport::SrtpSession> srtp_in, srtp_out;
  transport::SrtpProfile profile = transport::SrtpProfile::kNone;
  std::array<uint8_t, 2048> rx{};
  uint64_t tiebreaker = 0x1234567890abcdefull;
  bool ice_done = false;
  uint64_t stun_responses = 0;
  uint64_t stun_requests_answered = 0;
  std::chrono::steady_clock::time_point last_check{};
  // Cleared on destruction: completions already queued (a timer that expired, a datagram that
  // arrived) still run after cancel()/close() and must then return without touching this.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  std::function<bool(std::span<const uint8_t>)> incoming_filter;
  std::unique_ptr<transport::SctpAssociation> sctp;
  std::string channel_label;
  bool channel_requested = false;
  bool channel_open = false;
  // TCP paths.
  std::unique_ptr<ClientStream> stream;
  std::unique_ptr<TurnClient> turn;
  std::vector<uint8_t> stream_in;                       // bytes read, not yet a whole frame
  std::vector<uint8_t> wrapped;                         // ChannelData being sent
  std::vector<std::pair<bool, uint32_t>> traced_ssrcs;  // (incoming, SSRC) already traced
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
  impl_->stream.reset();
}

void ClientTransport::Start() { impl_->Start(); }

void ClientTransport::Start(ClientTransportParams params) {
  impl_->params = std::move(params);
  impl_->Start();
}

void ClientTransport::EnableDataChannel(const std::string& label) {
  impl_->EnableDataChannel(impl_->io, label);
}

bool ClientTransport::SendDataChannel(std::span<const uint8_t> message) {
  return impl_->sctp && impl_->channel_open && impl_->sctp->Send(0, /*binary=*/true, message);
}
bool ClientTransport::connected() const { return impl_->srtp_out != nullptr; }
uint16_t ClientTransport::local_port() const {
  if (impl_->stream) return impl_->stream->local_port();
  boost::system::error_code ec;
  return impl_->socket.local_endpoint(ec).port();
}
uint64_t ClientTransport::stun_responses() const { return impl_->stun_responses; }
uint64_t ClientTransport::stun_requests_answered() const { return impl_->stun_requests_answered; }
std::string ClientTransport::dtls_version() const {
  return impl_->dtls ? impl_->dtls->version() : std::string();
}
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
  impl_->TraceRtp("out", rtp);
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

#include "transport/turn/turn_server.h"

#include <array>
#include <optional>
#include <vector>

#include "transport/endpoint_demuxer.h"
#include "transport/ice/ice_lite.h"
#include "transport/route.h"
#include "transport/tls/tls_stream.h"
#include "transport/wire/stream_framing.h"

namespace sfu::transport {

struct TurnServer::Shared {
  EndpointDemuxer& demuxer;
  UdpEndpoint& udp;
  TransportStats& stats;
  const TlsServerContext* tls;
  TurnPolicy policy;
  uint16_t next_relay_port = 49152;  // virtual relayed ports, unique per shard while they last

  uint16_t RelayPort() {
    const uint16_t p = next_relay_port;
    next_relay_port = next_relay_port == 65535 ? 49152 : static_cast<uint16_t>(next_relay_port + 1);
    return p;
  }
};

namespace {

// Messages on a TURN stream: a STUN message or ChannelData with a payload up to a datagram.
constexpr size_t kMaxMessage = UdpEndpoint::kMaxDatagram + 64;
// Plaintext waiting for the rest of a message, at most.
constexpr size_t kMaxPending = 4 * kMaxMessage;

class TurnConnection final : public StreamConnection, public StreamLink, public TurnSession::Sink {
 public:
  TurnConnection(StreamServer& server, const PeerAddress& remote, TurnServer::Shared& shared)
      : StreamConnection(server, remote),
        shared_(shared),
        session_(shared.policy, shared.stats.turn, *this, remote, shared.RelayPort(),
                 RandomIceString(16)) {}

  // StreamLink: the shard answers the relayed client (its media port is the peer).
  bool SendDatagram(std::span<const uint8_t> data) override {
    if (closing() || !media_peer_) return false;
    return session_.FromPeer(*media_peer_, data, SteadyNowMs());
  }
  void Flush() override {
    flush_wanted_ = false;
    EncryptPending();
    Write();
  }
  void Close() override { Shutdown(); }

  // TurnSession::Sink
  void ToClient(std::span<const uint8_t> message) override {
    bool queued = false;
    if (tls_) {
      // Over TLS the messages wait for the flush as plaintext, to be encrypted together: one
      // SSL_write per flush makes records of up to 16 KB instead of one record (and one pass
      // through OpenSSL's record layer) per datagram. The room is checked against the
      // ciphertext they will make, since a record cannot be half-dropped.
      const size_t plain = tls_pending_.size() + message.size();
      if (!closing() && Room(plain + kTlsRecordOverhead * (1 + plain / kTlsMaxRecord))) {
        tls_pending_.insert(tls_pending_.end(), message.begin(), message.end());
        queued = true;
      }
    } else {
      queued = Queue(message);
    }
    if (!queued) {
      base::Bump(stats_.send_dropped);
      return;
    }
    base::Bump(stats_.datagrams_out);
    if (!flush_wanted_) {
      flush_wanted_ = true;
      shared_.demuxer.WantFlush(this);
    }
  }
  void ToPeer(const wire::StunAddress& peer, uint8_t* data, size_t len, size_t capacity) override {
    media_peer_ = peer;
    base::Bump(stats_.datagrams_in);
    shared_.demuxer.OnLinkDatagram(this, session_.relayed(), data, len, capacity);
  }

 private:
  size_t OnBytes(std::span<const uint8_t> bytes) override {
    if (mode_ == Mode::kUnknown) {
      if (bytes[0] == 0x16 && shared_.tls) {
        mode_ = Mode::kTls;
        tls_ = std::make_unique<TlsStream>(*shared_.tls);
      } else {
        mode_ = Mode::kPlain;  // not STUN: the framing below refuses it
      }
    }
    if (mode_ == Mode::kPlain) return Messages(bytes);
    if (tls_->established() && !paced_) {
      FeedTls(bytes);
      return bytes.size();
    }
    // The handshake costs about what a DTLS one does: it shares the shard's handshake budget
    // (transport/handshake_pacer.h), in order with this connection's later bytes. A stream
    // cannot lose bytes, so a full queue closes the connection.
    paced_ = true;
    ++pending_runs_;
    if (!shared_.demuxer.PaceHandshake(this, bytes, &TurnConnection::RunPaced)) {
      --pending_runs_;
      Shutdown();
    }
    return bytes.size();
  }

  static void RunPaced(void* owner, const Route&, std::span<const uint8_t> bytes) {
    auto* self = static_cast<TurnConnection*>(owner);
    if (--self->pending_runs_ == 0 && self->tls_->established()) self->paced_ = false;
    if (self->closing()) return;
    self->FeedTls(bytes);
    self->AfterRead();
  }

  void FeedTls(std::span<const uint8_t> bytes) {
    scratch_.clear();
    const bool ok = tls_->Feed(bytes, &plain_, &scratch_);
    if (!scratch_.empty()) Queue(scratch_, {}, /*force=*/true);  // handshake records
    if (!ok) return Shutdown();
    const size_t used = Messages(plain_);
    plain_.erase(plain_.begin(), plain_.begin() + static_cast<std::ptrdiff_t>(used));
    if (plain_.size() > kMaxPending) {
      base::Bump(stats_.closed_framing);
      Shutdown();
    }
  }

  // Hands each whole message to the session; returns the bytes used.
  size_t Messages(std::span<const uint8_t> bytes) {
    const int64_t now = SteadyNowMs();
    return ConsumeFrames(bytes, wire::NextTurnStreamFrame, kMaxMessage, slot_,
                         [this, now](uint8_t* data, size_t size, size_t capacity) {
                           session_.OnMessage(data, size, capacity, now);
                         });
  }

  void AfterRead() override {
    shared_.demuxer.FlushLinks();
    shared_.udp.Flush();
    EncryptPending();
    Write();
    if (session_.ended(SteadyNowMs())) Shutdown();  // refreshed to 0 or lapsed
  }

  bool Authenticated() const override { return session_.allocated(SteadyNowMs()); }
  void OnClose() override {
    shared_.demuxer.ForgetHandshakes(this);
    shared_.demuxer.OnLinkClosed(this);
  }

  // TLS: what ToClient gathered since the last flush becomes records in the send buffer.
  void EncryptPending() {
    if (!tls_ || tls_pending_.empty() || closing()) return;
    scratch_.clear();
    const bool ok = tls_->Encrypt(tls_pending_, &scratch_);
    tls_pending_.clear();
    if (!ok) return Shutdown();
    Queue(scratch_, {}, /*force=*/true);  // the room was checked in ToClient
  }

  // TLS 1.2/1.3 with AES-GCM or ChaCha20: header 5, tag 16, 1.3's content type 1, 1.2's explicit
  // nonce 8; 64 is a safe bound per record.
  static constexpr size_t kTlsRecordOverhead = 64;
  static constexpr size_t kTlsMaxRecord = 16384;

  enum class Mode { kUnknown, kPlain, kTls };
  TurnServer::Shared& shared_;
  TurnSession session_;
  Mode mode_ = Mode::kUnknown;
  std::unique_ptr<TlsStream> tls_;
  std::vector<uint8_t> plain_;        // decrypted, not yet a whole message
  std::vector<uint8_t> scratch_;      // records to send
  std::vector<uint8_t> tls_pending_;  // TLS: messages for the client, encrypted at the flush
  std::optional<wire::StunAddress> media_peer_;
  std::array<uint8_t, UdpEndpoint::kSlotSize + 256> slot_{};
  bool flush_wanted_ = false;
  bool paced_ = false;    // TLS bytes go through the handshake pacer (until it has drained)
  int pending_runs_ = 0;  // of them, submitted and not run yet
};

}  // namespace

TurnServer::TurnServer(boost::asio::io_context& ioc, EndpointDemuxer& demuxer, UdpEndpoint& udp,
                       TransportStats& stats, const TlsServerContext* tls, TurnPolicy policy,
                       StreamLimits limits)
    : shared_(new Shared{demuxer, udp, stats, tls, std::move(policy)}) {
  limits.read_buffer_bytes = std::max(limits.read_buffer_bytes, 2 * kMaxMessage);
  Shared* shared = shared_.get();
  server_ = std::make_unique<StreamServer>(
      ioc, stats.turn_connections, limits,
      [shared](StreamServer& server, const PeerAddress& remote) {
        return std::make_shared<TurnConnection>(server, remote, *shared);
      });
}

TurnServer::~TurnServer() { server_->Close(); }

}  // namespace sfu::transport

#pragma once
// One DTLS 1.2 association over memory BIOs (no sockets): datagrams in through OnDatagram(),
// datagrams out through Listener::OnDtlsSend(). Server role answers `a=setup:passive`; client
// role (for the load tester) starts the handshake. When the handshake completes the peer
// certificate is checked against the fingerprint from its SDP and SRTP keys are exported
// (RFC 5764 §4.2: client_key | server_key | client_salt | server_salt).
//
// Thread: one owner (the shard). Timers are the owner's: call OnTimeout() when
// NextTimeoutMs() says so (retransmissions, RFC 6347 §4.2.4).

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "transport/dtls/srtp_keys.h"

typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace sfu::transport {

class DtlsContext;

class DtlsSession {
 public:
  enum class Role { kServer, kClient };
  enum class State { kNew, kConnecting, kConnected, kFailed, kClosed };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnDtlsSend(std::span<const uint8_t> datagram) = 0;
    virtual void OnDtlsConnected(const SrtpKeys& keys) = 0;
    virtual void OnDtlsApplicationData(std::span<const uint8_t> data) = 0;
    virtual void OnDtlsFailed(const std::string& reason) = 0;
    virtual void OnDtlsClosed() = 0;
  };

  // remote_fingerprint: from the peer's a=fingerprint ("sha-256", "AB:CD:..."). Borrowed:
  // context and listener must outlive the session.
  DtlsSession(const DtlsContext& context, Role role, std::string remote_fingerprint_algorithm,
              std::string remote_fingerprint, Listener* listener);
  ~DtlsSession();
  DtlsSession(const DtlsSession&) = delete;
  DtlsSession& operator=(const DtlsSession&) = delete;

  void Start();  // client: sends the ClientHello; server: waits
  void OnDatagram(std::span<const uint8_t> data);
  // Milliseconds until OnTimeout() is due, or -1 if no timer runs.
  int64_t NextTimeoutMs() const;
  void OnTimeout();
  // Encrypts application data (SCTP) into one record. False unless connected.
  bool SendApplicationData(std::span<const uint8_t> data);
  void Close();  // sends close_notify

  State state() const { return state_; }
  SrtpProfile srtp_profile() const { return keys_.profile; }
  std::string version() const;  // "DTLSv1.2"
  std::string cipher() const;
  uint64_t handshake_failures() const { return failures_; }

 private:
  void Drive();        // after input: continue the handshake or read records
  void FlushOutput();  // everything OpenSSL wrote goes out as one datagram
  bool VerifyPeer(std::string* reason);
  bool ExportKeys(std::string* reason);
  void Fail(const std::string& reason);

  const DtlsContext& context_;
  const Role role_;
  const std::string remote_algorithm_;
  const std::string remote_fingerprint_;
  Listener* const listener_;  // borrowed
  SSL* ssl_ = nullptr;        // owned
  BIO* in_ = nullptr;         // owned by ssl_
  BIO* out_ = nullptr;        // owned by ssl_
  State state_ = State::kNew;
  SrtpKeys keys_;
  uint64_t failures_ = 0;
};

std::string_view DtlsStateName(DtlsSession::State s);

}  // namespace sfu::transport

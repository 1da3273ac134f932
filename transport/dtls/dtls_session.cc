#include "transport/dtls/dtls_session.h"

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "transport/dtls/dtls_context.h"
#include "transport/dtls/dtls_fingerprint.h"

namespace sfu::transport {
namespace {

constexpr int kMtu = 1200;

std::string ErrorQueue() {
  std::string s;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!s.empty()) s += "; ";
    s += buf;
  }
  return s.empty() ? "unknown" : s;
}

}  // namespace

std::string_view DtlsStateName(DtlsSession::State s) {
  switch (s) {
    case DtlsSession::State::kNew:
      return "new";
    case DtlsSession::State::kConnecting:
      return "connecting";
    case DtlsSession::State::kConnected:
      return "connected";
    case DtlsSession::State::kFailed:
      return "failed";
    case DtlsSession::State::kClosed:
      return "closed";
  }
  return "unknown";
}

DtlsSession::DtlsSession(const DtlsContext& context, Role role, std::string remote_algorithm,
                         std::string remote_fingerprint, Listener* listener)
    : context_(context),
      role_(role),
      remote_algorithm_(std::move(remote_algorithm)),
      remote_fingerprint_(std::move(remote_fingerprint)),
      listener_(listener) {
  ssl_ = SSL_new(context_.ctx());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in_, -1);
  BIO_set_mem_eof_return(out_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_mtu(ssl_, kMtu);
  DTLS_set_link_mtu(ssl_, kMtu);
  if (role_ == Role::kServer)
    SSL_set_accept_state(ssl_);
  else
    SSL_set_connect_state(ssl_);
}

DtlsSession::~DtlsSession() { SSL_free(ssl_); }

void DtlsSession::Start() {
  if (state_ != State::kNew) return;
  state_ = State::kConnecting;
  if (role_ == Role::kClient) Drive();
}

void DtlsSession::OnDatagram(std::span<const uint8_t> data) {
  if (state_ == State::kFailed || state_ == State::kClosed || data.empty()) return;
  if (state_ == State::kNew) state_ = State::kConnecting;
  // One datagram per BIO write, handled at once: OpenSSL then keeps record boundaries, which
  // matters when a large ClientHello arrives split over two datagrams.
  if (BIO_write(in_, data.data(), static_cast<int>(data.size())) != static_cast<int>(data.size()))
    return;
  Drive();
}

void DtlsSession::Drive() {
  if (state_ == State::kConnecting) {
    const int r = SSL_do_handshake(ssl_);
    FlushOutput();
    if (r == 1) {
      std::string reason;
      if (!VerifyPeer(&reason) || !ExportKeys(&reason)) return Fail(reason);
      state_ = State::kConnected;
      listener_->OnDtlsConnected(keys_);
    } else {
      const int err = SSL_get_error(ssl_, r);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        return Fail("handshake failed: " + ErrorQueue());
      }
      return;
    }
  }
  // Application data (SCTP) and alerts.
  uint8_t buf[16384];
  while (state_ == State::kConnected) {
    const int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      listener_->OnDtlsApplicationData(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
      continue;
    }
    const int err = SSL_get_error(ssl_, n);
    FlushOutput();
    if (err == SSL_ERROR_ZERO_RETURN) {
      state_ = State::kClosed;
      listener_->OnDtlsClosed();
    } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      ERR_clear_error();  // a bad record is dropped, the association lives on
    }
    break;
  }
}

void DtlsSession::FlushOutput() {
  char* data = nullptr;
  const long n = BIO_get_mem_data(out_, &data);
  if (n <= 0) return;
  listener_->OnDtlsSend(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(n)));
  (void)BIO_reset(out_);
}

bool DtlsSession::VerifyPeer(std::string* reason) {
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (!cert) {
    *reason = "peer sent no certificate";
    return false;
  }
  const std::string got = CertificateFingerprint(cert, remote_algorithm_);
  X509_free(cert);
  if (got.empty()) {
    *reason = "unsupported fingerprint algorithm '" + remote_algorithm_ + "'";
    return false;
  }
  if (!FingerprintsEqual(got, remote_fingerprint_)) {
    *reason = "peer certificate does not match the SDP fingerprint";
    return false;
  }
  return true;
}

bool DtlsSession::ExportKeys(std::string* reason) {
  SRTP_PROTECTION_PROFILE* p = SSL_get_selected_srtp_profile(ssl_);
  if (!p) {
    *reason = "no SRTP profile negotiated";
    return false;
  }
  switch (p->id) {
    case SRTP_AES128_CM_SHA1_80:
      keys_.profile = SrtpProfile::kAes128CmSha1_80;
      break;
    case SRTP_AES128_CM_SHA1_32:
      keys_.profile = SrtpProfile::kAes128CmSha1_32;
      break;
    case SRTP_AEAD_AES_128_GCM:
      keys_.profile = SrtpProfile::kAeadAes128Gcm;
      break;
    case SRTP_AEAD_AES_256_GCM:
      keys_.profile = SrtpProfile::kAeadAes256Gcm;
      break;
    default:
      *reason = "unsupported SRTP profile";
      return false;
  }
  const size_t key = SrtpKeyLength(keys_.profile);
  const size_t salt = SrtpSaltLength(keys_.profile);
  uint8_t material[2 * (32 + 14)];
  const size_t total = 2 * (key + salt);
  static constexpr char kLabel[] = "EXTRACTOR-dtls_srtp";
  if (SSL_export_keying_material(ssl_, material, total, kLabel, sizeof(kLabel) - 1, nullptr, 0,
                                 0) != 1) {
    *reason = "SRTP key export failed";
    return false;
  }
  const uint8_t* client_key = material;
  const uint8_t* server_key = material + key;
  const uint8_t* client_salt = material + 2 * key;
  const uint8_t* server_salt = material + 2 * key + salt;
  const bool server = role_ == Role::kServer;
  auto fill = [&](std::array<uint8_t, 46>& out, const uint8_t* k, const uint8_t* s) {
    std::copy(k, k + key, out.begin());
    std::copy(s, s + salt, out.begin() + static_cast<long>(key));
  };
  fill(keys_.local, server ? server_key : client_key, server ? server_salt : client_salt);
  fill(keys_.remote, server ? client_key : server_key, server ? client_salt : server_salt);
  keys_.length = key + salt;
  return true;
}

void DtlsSession::Fail(const std::string& reason) {
  ++failures_;
  state_ = State::kFailed;
  listener_->OnDtlsFailed(reason);
}

int64_t DtlsSession::NextTimeoutMs() const {
  if (state_ != State::kConnecting) return -1;
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_, &tv) != 1) return -1;
  return static_cast<int64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

void DtlsSession::OnTimeout() {
  if (state_ != State::kConnecting) return;
  if (DTLSv1_handle_timeout(ssl_) < 0) return Fail("handshake timed out: " + ErrorQueue());
  FlushOutput();
}

bool DtlsSession::SendApplicationData(std::span<const uint8_t> data) {
  if (state_ != State::kConnected || data.empty()) return false;
  const int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
  FlushOutput();
  return n == static_cast<int>(data.size());
}

void DtlsSession::Close() {
  if (state_ == State::kConnected) {
    SSL_shutdown(ssl_);
    FlushOutput();
  }
  state_ = State::kClosed;
}

std::string DtlsSession::version() const { return SSL_get_version(ssl_); }

std::string DtlsSession::cipher() const {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  return c ? SSL_CIPHER_get_name(c) : "";
}

}  // namespace sfu::transport

#include "transport/dtls/dtls_context.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/random.h"
#include "transport/dtls/dtls_fingerprint.h"

namespace sfu::transport {
namespace {

struct EvpKeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::string OpenSslError(const char* what) {
  std::string s = what;
  const unsigned long e = ERR_get_error();
  if (e) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    s += ": ";
    s += buf;
  }
  return s;
}

// The peer's certificate is self-signed: accept it here and check its fingerprint against the
// SDP once the handshake completes (DtlsSession).
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

}  // namespace

std::unique_ptr<DtlsContext> DtlsContext::Create(std::string* error) {
  std::unique_ptr<EVP_PKEY, EvpKeyFree> key(EVP_EC_gen("P-256"));
  if (!key) {
    *error = OpenSslError("EVP_EC_gen(P-256) failed");
    return nullptr;
  }
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) {
    *error = OpenSslError("X509_new failed");
    return nullptr;
  }
  const uint64_t serial = base::RandomU64();
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial >> 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sfu-server"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    *error = OpenSslError("signing the DTLS certificate failed");
    return nullptr;
  }
  std::unique_ptr<DtlsContext> c(new DtlsContext());
  c->ctx_ = SSL_CTX_new(DTLS_method());
  if (!c->ctx_ || SSL_CTX_use_certificate(c->ctx_, cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(c->ctx_, key.get()) != 1 || SSL_CTX_check_private_key(c->ctx_) != 1) {
    *error = OpenSslError("setting up the DTLS context failed");
    return nullptr;
  }
  // OpenSSL 3.0 speaks DTLS 1.2 at most; browsers offering 1.3 fall back to it.
  SSL_CTX_set_min_proto_version(c->ctx_, DTLS1_2_VERSION);
  // No renegotiation: WebRTC never renegotiates DTLS (RFC 8827 keys come from the one
  // handshake), and a peer-started renegotiation would only cost the shard a handshake per ask.
  SSL_CTX_set_options(
      c->ctx_, SSL_OP_NO_QUERY_MTU | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  // No session cache: WebRTC peers never resume (each handshake has new certificates and keys),
  // and OpenSSL's server cache would keep up to 20,480 sessions with their peer certificates.
  SSL_CTX_set_session_cache_mode(c->ctx_, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     AcceptAnyCertificate);
  SSL_CTX_set_read_ahead(c->ctx_, 1);
  if (SSL_CTX_set_cipher_list(c->ctx_,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA") != 1) {
    *error = OpenSslError("SSL_CTX_set_cipher_list failed");
    return nullptr;
  }
  // The server picks the profile by its own order: AEAD GCM first. Returns 0 on success.
  if (SSL_CTX_set_tlsext_use_srtp(c->ctx_, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80") != 0) {
    *error = OpenSslError("SSL_CTX_set_tlsext_use_srtp failed");
    return nullptr;
  }
  c->fingerprint_ = CertificateFingerprint(cert.get(), "sha-256");
  if (c->fingerprint_.empty()) {
    *error = "cannot compute the certificate fingerprint";
    return nullptr;
  }
  return c;
}

DtlsContext::~DtlsContext() { SSL_CTX_free(ctx_); }

}  // namespace sfu::transport

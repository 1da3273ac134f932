#include "transport/tls/tls_server_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "transport/tls/self_signed_certificate.h"

namespace sfu::transport {
namespace {

std::string OpenSslError(const std::string& what) {
  std::string s = what;
  if (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    s += ": ";
    s += buf;
  }
  return s;
}

bool UseSelfSigned(SSL_CTX* ctx, const std::vector<std::string>& names, std::string* error) {
  SelfSignedCertificate pair = MakeSelfSignedCertificate(names, error);
  if (!pair.cert) return false;
  if (SSL_CTX_use_certificate(ctx, pair.cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, pair.key.get()) != 1) {
    *error = OpenSslError("installing the self-signed certificate failed");
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<TlsServerContext> TlsServerContext::Create(const std::string& cert_file,
                                                           const std::string& key_file,
                                                           const std::vector<std::string>& names,
                                                           std::string* error) {
  std::unique_ptr<TlsServerContext> c(new TlsServerContext());
  c->ctx_ = SSL_CTX_new(TLS_server_method());
  if (!c->ctx_) {
    *error = OpenSslError("SSL_CTX_new failed");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(c->ctx_, TLS1_2_VERSION);
  SSL_CTX_set_options(c->ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Each TURN connection is one handshake; resumption would only keep sessions in memory.
  SSL_CTX_set_session_cache_mode(c->ctx_, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(c->ctx_, 0);
  if (cert_file.empty()) {
    c->self_signed_ = true;
    if (!UseSelfSigned(c->ctx_, names, error)) return nullptr;
  } else if (SSL_CTX_use_certificate_chain_file(c->ctx_, cert_file.c_str()) != 1 ||
             SSL_CTX_use_PrivateKey_file(c->ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    *error = OpenSslError("loading " + cert_file + " / " + key_file);
    return nullptr;
  }
  if (SSL_CTX_check_private_key(c->ctx_) != 1) {
    *error = OpenSslError("the TLS key does not match the certificate");
    return nullptr;
  }
  return c;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(ctx_); }

}  // namespace sfu::transport

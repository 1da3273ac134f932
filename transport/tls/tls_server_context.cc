#include "transport/tls/tls_server_context.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/random.h"

namespace sfu::transport {
namespace {

struct EvpKeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

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

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool UseSelfSigned(SSL_CTX* ctx, const std::vector<std::string>& names, std::string* error) {
  std::unique_ptr<EVP_PKEY, EvpKeyFree> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!key || !cert) {
    *error = OpenSslError("making a key and certificate failed");
    return false;
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), base::RandomU64() >> 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = names.empty() ? "sfu-server" : names.front();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san;
  for (const std::string& n : names) {
    san += std::string(san.empty() ? "" : ",") + (IsIp(n) ? "IP:" : "DNS:") + n;
  }
  if (!san.empty()) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str());
    if (!ext || X509_add_ext(cert.get(), ext, -1) != 1) {
      X509_EXTENSION_free(ext);
      *error = OpenSslError("adding subjectAltName " + san + " failed");
      return false;
    }
    X509_EXTENSION_free(ext);
  }
  if (X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0 ||
      SSL_CTX_use_certificate(ctx, cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
    *error = OpenSslError("signing or installing the self-signed certificate failed");
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

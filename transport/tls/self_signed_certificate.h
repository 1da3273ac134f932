#pragma once
// Self-signed ECDSA P-256 certificates: made in memory for the embedded TURN server when no
// certificate is configured (transport/tls/tls_server_context.h), and kept as PEM files in the
// data dir for --tls-self-signed (server/server.cc), where the HTTPS listener and TURN share
// them. Valid from a day ago for a year; subjectAltName lists every name (IP literals as IP
// entries, others as DNS); serverAuth only, not a CA.

#include <memory>
#include <string>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;

namespace sfu::transport {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* k) const;
};
struct X509Free {
  void operator()(X509* x) const;
};

struct SelfSignedCertificate {
  std::unique_ptr<EVP_PKEY, EvpPkeyFree> key;
  std::unique_ptr<X509, X509Free> cert;
};

// nullopt-like: key and cert null, with *error, when OpenSSL fails.
SelfSignedCertificate MakeSelfSignedCertificate(const std::vector<std::string>& names,
                                                std::string* error);

// Makes sure cert_file and key_file hold a self-signed pair for `names`. The pair already there
// is kept when the key matches the certificate, every name is in its subjectAltName and it is
// valid for 30 more days (so browsers that accepted it once keep accepting it across restarts);
// otherwise a new pair is written (key file mode 0600, replaced atomically). *made says whether
// a new one was written. False with *error when the files cannot be written.
bool EnsureSelfSignedFiles(const std::string& cert_file, const std::string& key_file,
                           const std::vector<std::string>& names, bool* made, std::string* error);

// "AB:CD:..." SHA-256 of the PEM certificate in `cert_file` (what a browser's certificate
// viewer shows), or "" when it cannot be read.
std::string CertificateFingerprint(const std::string& cert_file);

}  // namespace sfu::transport

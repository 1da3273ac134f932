#pragma once
// Process-wide DTLS state (docs/DESIGN.md, "Media transport"): one SSL_CTX and one ECDSA P-256
// certificate made at start, read-only afterwards; every DtlsSession makes its SSL* from it. Its
// SHA-256 fingerprint goes in every SDP answer.

#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace sfu::transport {

class DtlsContext {
 public:
  // Makes the key and certificate and the SSL_CTX. nullptr with *error on failure.
  static std::unique_ptr<DtlsContext> Create(std::string* error);
  ~DtlsContext();

  SSL_CTX* ctx() const { return ctx_; }
  // "sha-256" and "AB:CD:..." (upper-case hex, colon-separated), as in a=fingerprint.
  const std::string& fingerprint_algorithm() const { return algorithm_; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  DtlsContext() = default;
  SSL_CTX* ctx_ = nullptr;  // owned
  std::string algorithm_ = "sha-256";
  std::string fingerprint_;
};

}  // namespace sfu::transport

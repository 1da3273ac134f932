#pragma once
// A TLS server context for media streams (TURN over TLS, transport/turn/): the operator's PEM
// certificate and key (--tls-cert/--tls-key), or a self-signed ECDSA P-256 certificate made at
// start for the given addresses (clients must be told to accept it; browsers accept a TURN
// server's certificate only if it verifies, see docs/DESIGN.md, "Media over TCP and TLS").
// Read-only after Create: shards share it.

#include <memory>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;

namespace sfu::transport {

class TlsServerContext {
 public:
  // cert_file/key_file empty: self-signed for `names` (IP literals become IP SANs, others DNS).
  static std::unique_ptr<TlsServerContext> Create(const std::string& cert_file,
                                                  const std::string& key_file,
                                                  const std::vector<std::string>& names,
                                                  std::string* error);
  ~TlsServerContext();
  SSL_CTX* ctx() const { return ctx_; }
  bool self_signed() const { return self_signed_; }

 private:
  TlsServerContext() = default;
  SSL_CTX* ctx_ = nullptr;  // owned
  bool self_signed_ = false;
};

}  // namespace sfu::transport

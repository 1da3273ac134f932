#include "transport/tls/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "base/check.h"
#include "transport/tls/tls_server_context.h"

namespace sfu::transport {

TlsStream::TlsStream(const TlsServerContext& context) {
  ssl_ = SSL_new(context.ctx());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  SFU_CHECK(ssl_ && in_ && out_);
  BIO_set_mem_eof_return(in_, -1);  // empty input: "retry", not EOF
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_accept_state(ssl_);
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

void TlsStream::Drain(std::vector<uint8_t>* out) {
  uint8_t buf[4096];
  for (;;) {
    const int n = BIO_read(out_, buf, sizeof(buf));
    if (n <= 0) break;
    out->insert(out->end(), buf, buf + n);
  }
}

bool TlsStream::Feed(std::span<const uint8_t> ciphertext, std::vector<uint8_t>* plain,
                     std::vector<uint8_t>* out) {
  if (!error_.empty()) return false;
  if (!ciphertext.empty() &&
      BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size())) <= 0) {
    error_ = "BIO_write failed";
    return false;
  }
  if (!established_) {
    const int r = SSL_do_handshake(ssl_);
    Drain(out);
    if (r == 1) {
      established_ = true;
    } else {
      const int e = SSL_get_error(ssl_, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        char buf[256] = "handshake failed";
        if (const unsigned long code = ERR_get_error()) ERR_error_string_n(code, buf, sizeof(buf));
        ERR_clear_error();
        error_ = buf;
        return false;
      }
      return true;
    }
  }
  uint8_t buf[4096];
  for (;;) {
    const int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      plain->insert(plain->end(), buf, buf + n);
      continue;
    }
    const int e = SSL_get_error(ssl_, n);
    Drain(out);  // alerts, post-handshake messages
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
    ERR_clear_error();
    error_ = e == SSL_ERROR_ZERO_RETURN ? "closed by the peer" : "TLS error";
    return false;
  }
}

bool TlsStream::Encrypt(std::span<const uint8_t> plaintext, std::vector<uint8_t>* out) {
  if (!established_ || !error_.empty()) return false;
  if (SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size())) <= 0) {
    ERR_clear_error();
    error_ = "SSL_write failed";
    return false;
  }
  Drain(out);
  return true;
}

}  // namespace sfu::transport

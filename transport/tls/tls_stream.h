#pragma once
// The server side of one TLS connection over memory BIOs (no socket): ciphertext read from the
// stream goes in through Feed(), which yields the plaintext; plaintext to send goes through
// Encrypt(), which yields ciphertext (the handshake's own records come out of Feed too). Used by
// TURN over TLS (transport/turn/turn_server.h) so the stream's buffers and limits stay
// StreamConnection's. Thread: its owner's.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace sfu::transport {

class TlsServerContext;

class TlsStream {
 public:
  explicit TlsStream(const TlsServerContext& context);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Ciphertext in; plaintext appended to *plain, records to send back (handshake) appended to
  // *out. False on a fatal TLS error or a close_notify (close the stream; error() says which).
  bool Feed(std::span<const uint8_t> ciphertext, std::vector<uint8_t>* plain,
            std::vector<uint8_t>* out);
  // Plaintext in (after the handshake), its records appended to *out. False on error.
  bool Encrypt(std::span<const uint8_t> plaintext, std::vector<uint8_t>* out);
  bool established() const { return established_; }
  const std::string& error() const { return error_; }

 private:
  void Drain(std::vector<uint8_t>* out);

  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  bool established_ = false;
  std::string error_;
};

}  // namespace sfu::transport

#include "transport/dtls/dtls_fingerprint.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>

namespace sfu::transport {

std::string CertificateFingerprint(X509* cert, std::string_view algorithm) {
  std::string lower;
  for (char c : algorithm) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const EVP_MD* md = lower == "sha-256"   ? EVP_sha256()
                     : lower == "sha-1"   ? EVP_sha1()
                     : lower == "sha-384" ? EVP_sha384()
                     : lower == "sha-512" ? EVP_sha512()
                                          : nullptr;
  if (!md || !cert) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, md, digest, &len) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

bool FingerprintsEqual(std::string_view a, std::string_view b) {
  if (a.empty() || a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace sfu::transport

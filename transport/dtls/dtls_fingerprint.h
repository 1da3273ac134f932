#pragma once
// Certificate fingerprints as SDP writes them (RFC 8122 §5): "AB:CD:...".

#include <string>
#include <string_view>

typedef struct x509_st X509;

namespace sfu::transport {

// algorithm: "sha-1", "sha-256", "sha-384" or "sha-512" (case-insensitive). "" if unknown.
std::string CertificateFingerprint(X509* cert, std::string_view algorithm);
// Compares fingerprints ignoring case; false if either is empty.
bool FingerprintsEqual(std::string_view a, std::string_view b);

}  // namespace sfu::transport

#include "transport/tls/self_signed_certificate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "base/random.h"

namespace sfu::transport {

void EvpPkeyFree::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
void X509Free::operator()(X509* x) const { X509_free(x); }

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

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
  const bool ok = ext && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// True when the certificate names `name` in its subjectAltName.
bool Covers(X509* cert, const std::string& name) {
  if (IsIp(name)) return X509_check_ip_asc(cert, name.c_str(), 0) == 1;
  return X509_check_host(cert, name.c_str(), name.size(), X509_CHECK_FLAG_NO_WILDCARDS, nullptr) ==
         1;
}

// Reads the existing pair; null members when absent or unreadable.
SelfSignedCertificate ReadPair(const std::string& cert_file, const std::string& key_file) {
  SelfSignedCertificate pair;
  if (FILE* f = std::fopen(cert_file.c_str(), "r")) {
    pair.cert.reset(PEM_read_X509(f, nullptr, nullptr, nullptr));
    std::fclose(f);
  }
  if (FILE* f = std::fopen(key_file.c_str(), "r")) {
    pair.key.reset(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
    std::fclose(f);
  }
  ERR_clear_error();
  return pair;
}

bool Reusable(const SelfSignedCertificate& pair, const std::vector<std::string>& names) {
  if (!pair.cert || !pair.key || X509_check_private_key(pair.cert.get(), pair.key.get()) != 1)
    return false;
  time_t in_30_days = std::time(nullptr) + 30L * 24 * 3600;
  if (X509_cmp_time(X509_get0_notAfter(pair.cert.get()), &in_30_days) <= 0) return false;
  for (const std::string& n : names)
    if (!Covers(pair.cert.get(), n)) return false;
  return true;
}

// Writes through a temporary file in the same directory, then renames over `path`.
bool WritePem(const std::string& path, mode_t mode, bool (*write)(FILE*, void*), void* what,
              std::string* error) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    *error = "cannot write " + tmp;
    return false;
  }
  ::fchmod(fd, mode);
  FILE* f = ::fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    *error = "cannot write " + tmp;
    return false;
  }
  const bool ok = write(f, what) && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  std::fclose(f);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    *error = OpenSslError("cannot write " + path);
    return false;
  }
  return true;
}

}  // namespace

SelfSignedCertificate MakeSelfSignedCertificate(const std::vector<std::string>& names,
                                                std::string* error) {
  SelfSignedCertificate out;
  std::unique_ptr<EVP_PKEY, EvpPkeyFree> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!key || !cert) {
    *error = OpenSslError("making a key and certificate failed");
    return out;
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
  if (!san.empty() && !AddExtension(cert.get(), NID_subject_alt_name, san)) {
    *error = OpenSslError("adding subjectAltName " + san + " failed");
    return out;
  }
  if (!AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth")) {
    *error = OpenSslError("adding the certificate's usage failed");
    return out;
  }
  if (X509_set_pubkey(cert.get(), key.get()) != 1 ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    *error = OpenSslError("signing the self-signed certificate failed");
    return out;
  }
  out.key = std::move(key);
  out.cert = std::move(cert);
  return out;
}

bool EnsureSelfSignedFiles(const std::string& cert_file, const std::string& key_file,
                           const std::vector<std::string>& names, bool* made, std::string* error) {
  *made = false;
  if (Reusable(ReadPair(cert_file, key_file), names)) return true;
  SelfSignedCertificate pair = MakeSelfSignedCertificate(names, error);
  if (!pair.cert) return false;
  auto write_key = [](FILE* f, void* k) {
    return PEM_write_PrivateKey(f, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0, nullptr,
                                nullptr) == 1;
  };
  auto write_cert = [](FILE* f, void* c) { return PEM_write_X509(f, static_cast<X509*>(c)) == 1; };
  if (!WritePem(key_file, 0600, write_key, pair.key.get(), error) ||
      !WritePem(cert_file, 0644, write_cert, pair.cert.get(), error))
    return false;
  *made = true;
  return true;
}

std::string CertificateFingerprint(const std::string& cert_file) {
  SelfSignedCertificate pair = ReadPair(cert_file, "");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!pair.cert || X509_digest(pair.cert.get(), EVP_sha256(), md, &len) != 1) return "";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

}  // namespace sfu::transport

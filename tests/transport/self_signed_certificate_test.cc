// --tls-self-signed's files (transport/tls/self_signed_certificate.h): made once, reused across
// restarts while they cover the names, made again when a name is added or the pair is broken.
#include "transport/tls/self_signed_certificate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/test_util.h"

namespace sfu::transport {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SelfSignedFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path());
    cert_ = (dir_.path() / "c.crt").string();
    key_ = (dir_.path() / "c.key").string();
  }
  sfu::testing::ScopedTempDir dir_;
  std::string cert_, key_;
};

TEST_F(SelfSignedFilesTest, MadeOnceThenReused) {
  const std::vector<std::string> names = {"192.0.2.10", "meet-box", "localhost", "::1"};
  bool made = false;
  std::string error;
  ASSERT_TRUE(EnsureSelfSignedFiles(cert_, key_, names, &made, &error)) << error;
  EXPECT_TRUE(made);
  struct stat st {};
  ASSERT_EQ(::stat(key_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string first = Read(cert_);

  FILE* f = std::fopen(cert_.c_str(), "r");
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_ip_asc(cert, "192.0.2.10", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "::1", 0), 1);
  EXPECT_EQ(X509_check_host(cert, "meet-box", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_purpose(cert, X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_ca(cert), 0);
  X509_free(cert);

  ASSERT_TRUE(EnsureSelfSignedFiles(cert_, key_, {"localhost", "192.0.2.10"}, &made, &error));
  EXPECT_FALSE(made) << "a subset of the names is covered: kept";
  EXPECT_EQ(Read(cert_), first);
  EXPECT_EQ(CertificateFingerprint(cert_).size(), 32u * 3 - 1);

  ASSERT_TRUE(EnsureSelfSignedFiles(cert_, key_, {"192.0.2.11"}, &made, &error));
  EXPECT_TRUE(made) << "a new address: made again";
  EXPECT_NE(Read(cert_), first);
}

TEST_F(SelfSignedFilesTest, BrokenPairIsReplaced) {
  bool made = false;
  std::string error;
  ASSERT_TRUE(EnsureSelfSignedFiles(cert_, key_, {"localhost"}, &made, &error));
  std::ofstream(key_) << "not a key";
  ASSERT_TRUE(EnsureSelfSignedFiles(cert_, key_, {"localhost"}, &made, &error));
  EXPECT_TRUE(made);
}

TEST_F(SelfSignedFilesTest, UnwritableDirectoryIsAnError) {
  bool made = false;
  std::string error;
  EXPECT_FALSE(EnsureSelfSignedFiles("/nonexistent-dir/c.crt", "/nonexistent-dir/c.key",
                                     {"localhost"}, &made, &error));
  EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
  EXPECT_EQ(CertificateFingerprint("/nonexistent-dir/c.crt"), "");
}

}  // namespace
}  // namespace sfu::transport

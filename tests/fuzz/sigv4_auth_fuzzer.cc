// SigV4: the Authorization header, X-Amz-Date and the canonicalisation of path and query,
// all taken from untrusted requests, plus a full verification.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "signaling/api/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  (void)sfu::api::ParseSigV4Authorization(input);
  (void)sfu::api::ParseAmzDate(input);
  (void)sfu::api::CanonicalUri(input);
  (void)sfu::api::CanonicalQuery(input);
  // Split the input into path | query | authorization | date | body on '\n'.
  std::string parts[5];
  size_t p = 0;
  for (char c : input) {
    if (c == '\n' && p < 4)
      ++p;
    else
      parts[p] += c;
  }
  std::vector<std::pair<std::string, std::string>> headers = {
      {"host", "h"}, {"authorization", parts[2]}, {"x-amz-date", parts[3]}};
  static const std::map<std::string, std::string, std::less<>> keys = {{"AKID", "secret"}};
  sfu::api::SigV4Request req{"POST", parts[0], parts[1], &headers, parts[4]};
  (void)sfu::api::VerifySigV4(req, keys, "chime", 1'790'000'000'000);
  return 0;
}

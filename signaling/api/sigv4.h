#pragma once
// AWS Signature Version 4 (header form) for the control API: verification of incoming requests
// and signing (used by tests and the load tester). Pure: no I/O, time passed in.
// Reference: "Signature Version 4 signing process" and the AWS SigV4 test suite; canonical URI
// and query follow the AWS SDK for JavaScript v3 (path segments normalised and double-encoded,
// query keys/values re-encoded and sorted), so requests from @aws-sdk clients verify.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sfu::api {

struct SigV4Request {
  std::string_view method;
  std::string_view raw_path;   // as received on the wire, percent-encoded, no query
  std::string_view raw_query;  // after '?', percent-encoded; empty if none
  // Header names in any case; repeated names allowed (joined with ',' as AWS does).
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body;
};

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=<64 hex>"
struct SigV4Authorization {
  std::string access_key_id;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lower-case, in the order given (must be sorted)
  std::string signature;                    // 64 lower-case hex digits
};

// Parses an Authorization header value; nullopt on anything malformed. Never throws.
std::optional<SigV4Authorization> ParseSigV4Authorization(std::string_view value);

std::string CanonicalUri(std::string_view raw_path);
std::string CanonicalQuery(std::string_view raw_query);
// Canonical headers block ("name:value\n" per signed header) and signed-headers list.
std::string CanonicalHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::vector<std::string>& signed_headers);
std::string CanonicalRequest(const SigV4Request& req,
                             const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash_hex);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);

enum class SigV4Status {
  kOk,
  kMissing,          // no Authorization header
  kMalformed,        // header or x-amz-date unparseable
  kUnknownKey,       // access key id not configured
  kWrongService,     // credential scope service is not the expected one
  kClockSkew,        // x-amz-date too far from the server's clock
  kPayloadMismatch,  // x-amz-content-sha256 does not match the body
  kBadSignature,
  kBadPath,   // empty, "." or ".." path segments: the signed path would not be the routed one
  kReplayed,  // a non-idempotent request whose signature was already used (docs/SECURITY.md)
};
std::string_view SigV4StatusMessage(SigV4Status status);

struct SigV4Verification {
  SigV4Status status = SigV4Status::kMissing;
  std::string access_key_id;
  std::string signature;  // hex, when the Authorization header parsed
  int64_t date_ms = 0;    // X-Amz-Date, when it parsed
};

// True if the raw (still percent-encoded) path has an empty, "." or ".." segment, in any
// encoding of the dots. The canonical URI normalises those away, so such a request would verify
// for one path and be routed as another.
bool PathHasDotOrEmptySegments(std::string_view raw_path);

// Verifies req against the configured keys (access key id -> secret).
SigV4Verification VerifySigV4(const SigV4Request& req,
                              const std::map<std::string, std::string, std::less<>>& keys,
                              std::string_view expected_service, int64_t now_unix_ms,
                              int64_t max_skew_ms = 15 * 60 * 1000);

// Computes the Authorization header value for req, signing every header in req.headers.
// amz_date must already be among the headers as x-amz-date.
std::string SignSigV4(const SigV4Request& req, std::string_view access_key_id,
                      std::string_view secret, std::string_view region, std::string_view service,
                      std::string_view amz_date);

// "20150830T123600Z" <-> Unix ms.
std::optional<int64_t> ParseAmzDate(std::string_view amz_date);
std::string FormatAmzDate(int64_t unix_ms);

}  // namespace sfu::api

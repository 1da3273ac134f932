// SigV4 against vectors of the AWS Signature Version 4 test suite (credentials AKIDEXAMPLE,
// 2015-08-30T12:36:00Z, us-east-1, service "service"), plus verification edge cases.
#include "signaling/api/sigv4.h"

#include <gtest/gtest.h>

namespace sfu::api {
namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kDate[] = "20150830T123600Z";
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Vector {
  const char* name;
  const char* method;
  const char* path;
  const char* query;
  Headers extra;
  const char* signed_headers;
  const char* signature;
};

// Short names in test listings (ctest shows the printed parameter).
void PrintTo(const Vector& v, std::ostream* os) { *os << v.name; }

class SigV4SuiteTest : public ::testing::TestWithParam<Vector> {};

TEST_P(SigV4SuiteTest, SignatureMatchesPublishedVector) {
  const Vector& v = GetParam();
  Headers headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}};
  for (auto& h : v.extra) headers.push_back(h);
  SigV4Request req{v.method, v.path, v.query, &headers, ""};
  const std::string auth = SignSigV4(req, "AKIDEXAMPLE", kSecret, "us-east-1", "service", kDate);
  const std::string expected =
      std::string(
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
          "SignedHeaders=") +
      v.signed_headers + ", Signature=" + v.signature;
  EXPECT_EQ(auth, expected) << v.name;

  // And the verifier accepts exactly that header at that time.
  headers.emplace_back("Authorization", auth);
  std::map<std::string, std::string, std::less<>> keys{{"AKIDEXAMPLE", kSecret}};
  const int64_t now = *ParseAmzDate(kDate);
  EXPECT_EQ(VerifySigV4(req, keys, "service", now).status, SigV4Status::kOk) << v.name;
}

INSTANTIATE_TEST_SUITE_P(
    AwsSuite, SigV4SuiteTest,
    ::testing::Values(Vector{"get-vanilla",
                             "GET",
                             "/",
                             "",
                             {},
                             "host;x-amz-date",
                             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
                      Vector{"post-vanilla",
                             "POST",
                             "/",
                             "",
                             {},
                             "host;x-amz-date",
                             "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
                      Vector{"get-vanilla-query-order-key-case",
                             "GET",
                             "/",
                             "Param2=value2&Param1=value1",
                             {},
                             "host;x-amz-date",
                             "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
                      Vector{"post-header-value-case",
                             "POST",
                             "/",
                             "",
                             {{"My-Header1", "VALUE1"}},
                             "host;my-header1;x-amz-date",
                             "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
                      Vector{"get-header-value-trim",
                             "GET",
                             "/",
                             "",
                             {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}},
                             "host;my-header1;my-header2;x-amz-date",
                             "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
                      Vector{"get-unreserved",
                             "GET",
                             "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                             "",
                             {},
                             "host;x-amz-date",
                             "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"}),
    [](const ::testing::TestParamInfo<Vector>& info) {
      std::string n = info.param.name;
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

TEST(SigV4Test, CanonicalRequestOfGetVanilla) {
  Headers headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}};
  SigV4Request req{"GET", "/", "", &headers, ""};
  EXPECT_EQ(CanonicalRequest(req, {"host", "x-amz-date"},
                             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4Test, CanonicalUriDoubleEncodesAndNormalises) {
  EXPECT_EQ(CanonicalUri("/meetings/abc%2Fdef"), "/meetings/abc%252Fdef");
  EXPECT_EQ(CanonicalUri("/a/./b/../c"), "/a/c");
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("/a/"), "/a/");
}

TEST(SigV4Test, CanonicalQuerySortsAndReencodes) {
  EXPECT_EQ(CanonicalQuery("operation=batch-create"), "operation=batch-create");
  EXPECT_EQ(CanonicalQuery("b=2&a=%7E&c"), "a=~&b=2&c=");
  EXPECT_EQ(CanonicalQuery("next-token=a%2Bb"), "next-token=a%2Bb");
}

class SigV4VerifyTest : public ::testing::Test {
 protected:
  void Sign(std::string_view secret, std::string_view service = "chime") {
    headers_ = {{"host", "127.0.0.1:8080"},
                {"x-amz-date", FormatAmzDate(now_)},
                {"content-type", "application/json"}};
    SigV4Request req{"POST", "/meetings", "", &headers_, body_};
    headers_.emplace_back(
        "authorization", SignSigV4(req, "AKID", secret, "eu-west-1", service, FormatAmzDate(now_)));
  }
  SigV4Status Verify(int64_t now) {
    SigV4Request req{"POST", "/meetings", "", &headers_, body_};
    return VerifySigV4(req, keys_, "chime", now).status;
  }
  int64_t now_ = 1'790'000'000'000;
  std::string body_ = "{\"ExternalMeetingId\":\"x1\"}";
  Headers headers_;
  std::map<std::string, std::string, std::less<>> keys_{{"AKID", "s3cret"}};
};

// The canonical URI normalises "." and ".." away, so without this check a request signed for
// /meetings/ID verified as /meetings/X/../ID while the router saw the longer path.
TEST(SigV4PathTest, DotAndEmptySegmentsAreFound) {
  for (const char* p : {"/meetings/X/../ID", "/meetings/./ID", "/meetings//ID", "/meetings/ID/",
                        "/meetings/%2e%2e/ID", "/meetings/%2E/ID", "/meetings/.%2e/ID",
                        "/meetings/%252e%252E/x", "//", "/.."}) {
    EXPECT_TRUE(PathHasDotOrEmptySegments(p)) << p;
  }
  for (const char* p : {"/", "/meetings", "/meetings/abc/attendees", "/meetings/a.b",
                        "/meetings/...", "/meetings/%2e%2e%2e", "/meetings/.hidden"}) {
    EXPECT_FALSE(PathHasDotOrEmptySegments(p)) << p;
  }
}

TEST(SigV4PathTest, RequestSignedWithDotSegmentsIsRefused) {
  const int64_t now = 1'790'000'000'000;
  Headers headers = {{"host", "127.0.0.1:8080"}, {"x-amz-date", FormatAmzDate(now)}};
  std::map<std::string, std::string, std::less<>> keys{{"AKID", "s3cret"}};
  SigV4Request signed_req{"GET", "/meetings/ID", "", &headers, ""};
  headers.emplace_back("authorization", SignSigV4(signed_req, "AKID", "s3cret", "us-east-1",
                                                  "chime", FormatAmzDate(now)));
  SigV4Request sent{"GET", "/meetings/X/../ID", "", &headers, ""};
  EXPECT_EQ(VerifySigV4(sent, keys, "chime", now).status, SigV4Status::kBadPath);
  EXPECT_EQ(VerifySigV4(signed_req, keys, "chime", now).status, SigV4Status::kOk);
}

TEST_F(SigV4VerifyTest, AcceptsRightSecretAnyRegion) {
  Sign("s3cret");
  EXPECT_EQ(Verify(now_), SigV4Status::kOk);
}

TEST_F(SigV4VerifyTest, RejectsWrongSecret) {
  Sign("wrong");
  EXPECT_EQ(Verify(now_), SigV4Status::kBadSignature);
}

TEST_F(SigV4VerifyTest, RejectsTamperedBody) {
  Sign("s3cret");
  body_ += " ";
  EXPECT_EQ(Verify(now_), SigV4Status::kBadSignature);
}

TEST_F(SigV4VerifyTest, RejectsContentHashMismatch) {
  Sign("s3cret");
  headers_.emplace_back("x-amz-content-sha256", std::string(64, 'a'));
  EXPECT_EQ(Verify(now_), SigV4Status::kPayloadMismatch);
}

TEST_F(SigV4VerifyTest, RejectsOtherService) {
  Sign("s3cret", "s3");
  EXPECT_EQ(Verify(now_), SigV4Status::kWrongService);
}

TEST_F(SigV4VerifyTest, RejectsUnknownKey) {
  Sign("s3cret");
  keys_ = {{"OTHER", "s3cret"}};
  EXPECT_EQ(Verify(now_), SigV4Status::kUnknownKey);
}

TEST_F(SigV4VerifyTest, RejectsClockSkewBeyondFifteenMinutes) {
  Sign("s3cret");
  EXPECT_EQ(Verify(now_ + 14 * 60 * 1000), SigV4Status::kOk);
  EXPECT_EQ(Verify(now_ + 16 * 60 * 1000), SigV4Status::kClockSkew);
  EXPECT_EQ(Verify(now_ - 16 * 60 * 1000), SigV4Status::kClockSkew);
}

TEST_F(SigV4VerifyTest, MissingHeaderIsMissing) {
  Headers none = {{"host", "x"}};
  SigV4Request req{"GET", "/", "", &none, ""};
  EXPECT_EQ(VerifySigV4(req, keys_, "chime", now_).status, SigV4Status::kMissing);
}

TEST(SigV4ParseTest, RejectsMalformedAuthorization) {
  for (const char* bad : {
           "",
           "AWS4-HMAC-SHA256",
           "Basic abc",
           "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request",
           "AWS4-HMAC-SHA256 Credential=A/2015083/r/s/aws4_request, SignedHeaders=host, Signature="
           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
           "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, "
           "Signature=XYZ",
           "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/x, SignedHeaders=host, Signature="
           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
           "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=;, Signature="
           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
       }) {
    EXPECT_FALSE(ParseSigV4Authorization(bad).has_value()) << bad;
  }
}

TEST(SigV4ParseTest, ParsesWellFormedAuthorization) {
  auto a = ParseSigV4Authorization(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/chime/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature="
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->access_key_id, "AKID");
  EXPECT_EQ(a->region, "us-east-1");
  EXPECT_EQ(a->service, "chime");
  EXPECT_EQ(a->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
}

TEST(SigV4DateTest, RoundTrips) {
  EXPECT_EQ(FormatAmzDate(*ParseAmzDate(kDate)), kDate);
  EXPECT_FALSE(ParseAmzDate("20151330T123600Z").has_value());
  EXPECT_FALSE(ParseAmzDate("2015-08-30T12:36").has_value());
}

}  // namespace
}  // namespace sfu::api

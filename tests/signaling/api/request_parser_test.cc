#include "signaling/api/request_parser.h"

#include <gtest/gtest.h>

namespace sfu::api {
namespace {

const ParseLimits kLimits;

TEST(RequestParserTest, CreateMeetingDefaults) {
  auto r = ParseCreateMeeting("{}", kLimits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->media_region, "us-east-1");
  EXPECT_FALSE(r.value->client_request_token_given);
  EXPECT_EQ(r.value->client_request_token.size(), 36u);
  EXPECT_TRUE(ParseCreateMeeting("", kLimits).ok());  // empty body is {}
}

TEST(RequestParserTest, CreateMeetingKeepsFields) {
  auto r = ParseCreateMeeting(
      R"({"ClientRequestToken":"tok-1","MediaRegion":"eu-west-2","ExternalMeetingId":"room-a",
          "MeetingFeatures":{"Audio":{"EchoReduction":"AVAILABLE"},"Video":{"MaxResolution":"FHD"},
                             "Attendee":{"MaxCount":7},"Unknown":{}},
          "TenantIds":["t1","t2"],"Tags":[{"Key":"a","Value":"b"}]})",
      kLimits);
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(r.value->client_request_token, "tok-1");
  EXPECT_EQ(r.value->media_region, "eu-west-2");
  EXPECT_EQ(r.value->external_meeting_id, "room-a");
  EXPECT_EQ(r.value->max_attendees, 7);
  EXPECT_EQ(
      r.value->meeting_features_json,
      R"({"Audio":{"EchoReduction":"AVAILABLE"},"Video":{"MaxResolution":"FHD"},"Attendee":{"MaxCount":7}})");
  EXPECT_EQ(r.value->tenant_ids_json, R"(["t1","t2"])");
}

TEST(RequestParserTest, AudioBitrateFeatureIsKept) {
  auto r = ParseCreateMeeting(R"({"MeetingFeatures":{"Audio":{"BitrateKbps":64}}})", kLimits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->meeting_features_json, R"({"Audio":{"BitrateKbps":64}})");
}

TEST(RequestParserTest, FingerprintIgnoresTokenButNotParameters) {
  auto a = ParseCreateMeeting(R"({"ClientRequestToken":"t1","ExternalMeetingId":"x1"})", kLimits);
  auto b = ParseCreateMeeting(R"({"ClientRequestToken":"t2","ExternalMeetingId":"x1"})", kLimits);
  auto c = ParseCreateMeeting(R"({"ClientRequestToken":"t1","ExternalMeetingId":"x2"})", kLimits);
  EXPECT_EQ(a.value->Fingerprint(), b.value->Fingerprint());
  EXPECT_NE(a.value->Fingerprint(), c.value->Fingerprint());
}

struct BadCase {
  const char* body;
  const char* message_part;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.message_part; }

class CreateMeetingRejectsTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(CreateMeetingRejectsTest, WithBadRequestNamingTheField) {
  auto r = ParseCreateMeeting(GetParam().body, kLimits);
  ASSERT_FALSE(r.ok()) << GetParam().body;
  EXPECT_EQ(r.error.status, 400);
  EXPECT_EQ(r.error.type, "BadRequestException");
  EXPECT_NE(r.error.message.find(GetParam().message_part), std::string::npos) << r.error.message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CreateMeetingRejectsTest,
    ::testing::Values(
        BadCase{"{\"ExternalMeetingId\":", "not valid JSON"},
        BadCase{"[1,2]", "must be a JSON object"}, BadCase{"\"x\"", "must be a JSON object"},
        BadCase{"{\"ExternalMeetingId\":5}", "ExternalMeetingId must be a string"},
        BadCase{"{\"ExternalMeetingId\":\"x\"}", "ExternalMeetingId must be 2 to 64"},
        BadCase{"{\"ClientRequestToken\":\"a b\"}", "ClientRequestToken"},
        BadCase{"{\"MediaRegion\":\"US EAST\"}", "MediaRegion"},
        BadCase{"{\"MeetingFeatures\":[]}", "MeetingFeatures must be an object"},
        BadCase{"{\"MeetingFeatures\":{\"Video\":{\"MaxResolution\":\"8K\"}}}",
                "MeetingFeatures.Video.MaxResolution"},
        BadCase{"{\"MeetingFeatures\":{\"Attendee\":{\"MaxCount\":251}}}", "MaxCount"},
        BadCase{"{\"MeetingFeatures\":{\"Audio\":{\"BitrateKbps\":65}}}", "BitrateKbps"},
        BadCase{"{\"MeetingFeatures\":{\"Audio\":{\"BitrateKbps\":\"64\"}}}", "BitrateKbps"},
        BadCase{"{\"TenantIds\":[]}", "TenantIds"},
        BadCase{"{\"PrimaryMeetingId\":\"nope\"}", "PrimaryMeetingId"},
        BadCase{"{\"NotificationsConfiguration\":1}", "NotificationsConfiguration"},
        BadCase{"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
                "not valid JSON"}));

TEST(RequestParserTest, CreateAttendee) {
  auto r = ParseCreateAttendee(R"({"ExternalUserId":"alice","Capabilities":{"Video":"Receive"}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->external_user_id, "alice");
  EXPECT_EQ(r.value->capabilities.audio, "");  // not given: ResolveCapabilities fills it
  EXPECT_EQ(r.value->capabilities.video, "Receive");
}

TEST(RequestParserTest, UpdateCapabilitiesNeedsAllThree) {
  auto ok = ParseUpdateCapabilities(
      R"({"Capabilities":{"Audio":"Receive","Video":"None","Content":"None"}})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value->capabilities.audio, "Receive");
  for (const char* bad : {R"({})", R"({"Capabilities":{"Audio":"Receive","Video":"None"}})",
                          R"({"Capabilities":{"Audio":"Talk","Video":"None","Content":"None"}})",
                          R"({"Capabilities":"all"})"}) {
    auto r = ParseUpdateCapabilities(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error.status, 400) << bad;
    EXPECT_NE(r.error.message.find("Capabilities"), std::string::npos) << r.error.message;
  }
}

TEST(RequestParserTest, BatchUpdateExcept) {
  auto ok = ParseBatchUpdateCapabilitiesExcept(
      R"({"ExcludedAttendeeIds":[{"AttendeeId":"6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"}],)"
      R"("Capabilities":{"Audio":"Receive","Video":"Receive","Content":"Receive"}})");
  ASSERT_TRUE(ok.ok()) << ok.error.message;
  EXPECT_EQ(ok.value->excluded_attendee_ids.size(), 1u);
  EXPECT_FALSE(ParseBatchUpdateCapabilitiesExcept(
                   R"({"ExcludedAttendeeIds":[],"Capabilities":{"Audio":"Receive",)"
                   R"("Video":"Receive","Content":"Receive"}})")
                   .ok());
  EXPECT_FALSE(ParseBatchUpdateCapabilitiesExcept(
                   R"({"ExcludedAttendeeIds":[{"AttendeeId":"x"}],"Capabilities":{"Audio":)"
                   R"("Receive","Video":"Receive","Content":"Receive"}})")
                   .ok());
}

TEST(RequestParserTest, Tags) {
  auto ok = ParseTagResource(R"({"ResourceARN":"arn:x","Tags":[{"Key":"a","Value":""}]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value->tags, (std::vector<Tag>{{"a", ""}}));
  std::string many = R"({"ResourceARN":"arn:x","Tags":[)";
  for (int i = 0; i < 51; ++i)
    many += (i ? "," : "") + ("{\"Key\":\"k" + std::to_string(i) + "\",\"Value\":\"v\"}");
  many += "]}";
  for (const std::string& bad :
       {std::string(R"({"Tags":[{"Key":"a","Value":"b"}]})"),
        std::string(R"({"ResourceARN":"arn:x","Tags":[]})"), many,
        std::string(R"({"ResourceARN":"arn:x","Tags":[{"Key":"aws:x","Value":"b"}]})"),
        std::string(R"({"ResourceARN":"arn:x","Tags":[{"Key":"","Value":"b"}]})"),
        std::string(
            R"({"ResourceARN":"arn:x","Tags":[{"Key":"a","Value":"b"},{"Key":"a","Value":"c"}]})"),
        R"({"ResourceARN":"arn:x","Tags":[{"Key":")" + std::string(129, 'k') +
            R"(","Value":"b"}]})",
        R"({"ResourceARN":"arn:x","Tags":[{"Key":"k","Value":")" + std::string(257, 'v') +
            R"("}]})"}) {
    EXPECT_FALSE(ParseTagResource(bad).ok()) << bad.substr(0, 80);
  }
  EXPECT_TRUE(ParseUntagResource(R"({"ResourceARN":"arn:x","TagKeys":["a"]})").ok());
  EXPECT_FALSE(ParseUntagResource(R"({"ResourceARN":"arn:x","TagKeys":[]})").ok());
  EXPECT_FALSE(ParseUntagResource(R"({"ResourceARN":"arn:x","TagKeys":[1]})").ok());
  // Tags on CreateMeeting are part of an idempotent replay's fingerprint.
  auto a =
      ParseCreateMeeting(R"({"ClientRequestToken":"tok1","Tags":[{"Key":"a","Value":"1"}]})", {});
  auto b =
      ParseCreateMeeting(R"({"ClientRequestToken":"tok1","Tags":[{"Key":"a","Value":"2"}]})", {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.value->Fingerprint(), b.value->Fingerprint());
}

TEST(RequestParserTest, CreateAttendeeRejects) {
  EXPECT_FALSE(ParseCreateAttendee("{}").ok());
  EXPECT_FALSE(ParseCreateAttendee(R"({"ExternalUserId":"a"})").ok());
  EXPECT_FALSE(ParseCreateAttendee(R"({"ExternalUserId":")" + std::string(65, 'x') + "\"}").ok());
  EXPECT_TRUE(ParseCreateAttendee(R"({"ExternalUserId":")" + std::string(64, 'x') + "\"}").ok());
  EXPECT_FALSE(ParseCreateAttendee(R"({"ExternalUserId":["x"]})").ok());
  EXPECT_FALSE(ParseCreateAttendee(R"({"ExternalUserId":"ab\u0001"})").ok());
  EXPECT_FALSE(
      ParseCreateAttendee(R"({"ExternalUserId":"ab","Capabilities":{"Audio":"Loud"}})").ok());
  // Length counts characters, not bytes: 64 two-byte characters are fine.
  std::string wide;
  for (int i = 0; i < 64; ++i) wide += "\xc3\xa9";
  EXPECT_TRUE(ParseCreateAttendee("{\"ExternalUserId\":\"" + wide + "\"}").ok());
}

TEST(RequestParserTest, BatchLimits) {
  std::string body = "{\"Attendees\":[";
  for (int i = 0; i < 101; ++i)
    body += std::string(i ? "," : "") + "{\"ExternalUserId\":\"u" + std::to_string(i) + "\"}";
  body += "]}";
  auto r = ParseBatchCreateAttendee(body, kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.message.find("1 to 100"), std::string::npos);
  EXPECT_FALSE(ParseBatchCreateAttendee("{\"Attendees\":[]}", kLimits).ok());
  auto bad = ParseBatchCreateAttendee(
      R"({"Attendees":[{"ExternalUserId":"ok"},{"ExternalUserId":1}]})", kLimits);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error.message.find("Attendees[1].ExternalUserId"), std::string::npos);
}

TEST(RequestParserTest, CreateMeetingWithAttendeesAllowsTen) {
  std::string body = "{\"Attendees\":[";
  for (int i = 0; i < 11; ++i)
    body += std::string(i ? "," : "") + "{\"ExternalUserId\":\"u" + std::to_string(i) + "\"}";
  EXPECT_FALSE(ParseCreateMeetingWithAttendees(body + "]}", kLimits).ok());
  auto ten = body.substr(0, body.rfind(',')) + "]}";
  auto r = ParseCreateMeetingWithAttendees(ten, kLimits);
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(r.value->attendees.size(), 10u);
}

}  // namespace
}  // namespace sfu::api

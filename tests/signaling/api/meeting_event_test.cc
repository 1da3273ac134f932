#include "signaling/api/meeting_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfu::api {
namespace {

namespace json = boost::json;

MeetingEvent Sample(MeetingEventType type) {
  MeetingEvent e;
  e.type = type;
  e.event_id = "12345678-1234-1234-1234-111122223333";
  e.timestamp_ms = 1'700'000'000'123;
  e.account_id = "000000000000";
  e.meeting_id = "87654321-4321-4321-1234-111122223333";
  e.external_meeting_id = "standup";
  e.media_region = "eu-west-1";
  e.attendee_id = "aaaaaaaa-4321-4321-1234-111122223333";
  e.external_user_id = "alice";
  return e;
}

TEST(MeetingEventTest, EnvelopeHasTheEventBridgeShape) {
  const json::object o =
      json::parse(MeetingEventJson(Sample(MeetingEventType::kMeetingStarted))).as_object();
  EXPECT_EQ(o.at("version"), "0");
  EXPECT_EQ(o.at("id"), "12345678-1234-1234-1234-111122223333");
  EXPECT_EQ(o.at("detail-type"), "Chime Meeting State Change");
  EXPECT_EQ(o.at("source"), "aws.chime");
  EXPECT_EQ(o.at("account"), "000000000000");
  EXPECT_EQ(o.at("time"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(o.at("region"), "eu-west-1");
  EXPECT_TRUE(o.at("resources").as_array().empty());
  EXPECT_EQ(o.size(), 9u);
}

TEST(MeetingEventTest, MeetingEventsCarryNoAttendee) {
  for (MeetingEventType t : {MeetingEventType::kMeetingStarted, MeetingEventType::kMeetingEnded}) {
    const json::object d =
        json::parse(MeetingEventJson(Sample(t))).as_object().at("detail").as_object();
    EXPECT_EQ(d.at("version"), "0");
    EXPECT_EQ(d.at("eventType").as_string(), EventTypeName(t));
    EXPECT_EQ(d.at("timestamp").as_int64(), 1'700'000'000'123);
    EXPECT_EQ(d.at("meetingId"), "87654321-4321-4321-1234-111122223333");
    EXPECT_EQ(d.at("externalMeetingId"), "standup");
    EXPECT_EQ(d.at("mediaRegion"), "eu-west-1");
    EXPECT_FALSE(d.contains("attendeeId"));
    EXPECT_FALSE(d.contains("externalUserId"));
    EXPECT_FALSE(d.contains("networkType"));
  }
}

TEST(MeetingEventTest, AttendeeEventsCarryTheAttendeeAndJoinsTheNetworkType) {
  struct Case {
    MeetingEventType type;
    const char* name;
    bool network;
  };
  const Case cases[] = {
      {MeetingEventType::kAttendeeAdded, "chime:AttendeeAdded", false},
      {MeetingEventType::kAttendeeDeleted, "chime:AttendeeDeleted", false},
      {MeetingEventType::kAttendeeJoined, "chime:AttendeeJoined", true},
      {MeetingEventType::kAttendeeLeft, "chime:AttendeeLeft", true},
      {MeetingEventType::kAttendeeDropped, "chime:AttendeeDropped", true},
      {MeetingEventType::kAttendeeVideoStarted, "chime:AttendeeVideoStarted", false},
      {MeetingEventType::kAttendeeVideoStopped, "chime:AttendeeVideoStopped", false},
      {MeetingEventType::kAttendeeContentJoined, "chime:AttendeeContentJoined", true},
      {MeetingEventType::kAttendeeContentLeft, "chime:AttendeeContentLeft", true},
      {MeetingEventType::kAttendeeContentDropped, "chime:AttendeeContentDropped", true},
      {MeetingEventType::kAttendeeContentVideoStarted, "chime:AttendeeContentVideoStarted", false},
      {MeetingEventType::kAttendeeContentVideoStopped, "chime:AttendeeContentVideoStopped", false},
  };
  for (const Case& c : cases) {
    const json::object d =
        json::parse(MeetingEventJson(Sample(c.type))).as_object().at("detail").as_object();
    EXPECT_EQ(d.at("eventType"), c.name);
    EXPECT_EQ(d.at("attendeeId"), "aaaaaaaa-4321-4321-1234-111122223333") << c.name;
    EXPECT_EQ(d.at("externalUserId"), "alice") << c.name;
    EXPECT_EQ(d.contains("networkType"), c.network) << c.name;
    if (c.network) {
      EXPECT_EQ(d.at("networkType"), "Voip");
    }
  }
}

TEST(MeetingEventTest, ExternalMeetingIdIsOmittedWhenTheMeetingHasNone) {
  MeetingEvent e = Sample(MeetingEventType::kMeetingEnded);
  e.external_meeting_id.reset();
  const json::object d = json::parse(MeetingEventJson(e)).as_object().at("detail").as_object();
  EXPECT_FALSE(d.contains("externalMeetingId"));
}

TEST(MeetingEventTest, BodyIsStableAndInDocumentedOrder) {
  const MeetingEvent e = Sample(MeetingEventType::kAttendeeJoined);
  const std::string body = MeetingEventJson(e);
  EXPECT_EQ(body, MeetingEventJson(e));
  EXPECT_EQ(body,
            R"({"version":"0","id":"12345678-1234-1234-1234-111122223333",)"
            R"("detail-type":"Chime Meeting State Change","source":"aws.chime",)"
            R"("account":"000000000000","time":"2023-11-14T22:13:20Z","region":"eu-west-1",)"
            R"("resources":[],"detail":{"version":"0","eventType":"chime:AttendeeJoined",)"
            R"("timestamp":1700000000123,"meetingId":"87654321-4321-4321-1234-111122223333",)"
            R"("attendeeId":"aaaaaaaa-4321-4321-1234-111122223333","externalUserId":"alice",)"
            R"("networkType":"Voip","externalMeetingId":"standup","mediaRegion":"eu-west-1"}})");
}

TEST(MeetingEventTest, StringsAreJsonEscaped) {
  MeetingEvent e = Sample(MeetingEventType::kAttendeeAdded);
  e.external_user_id = "a\"b\\c\n";
  const json::object d = json::parse(MeetingEventJson(e)).as_object().at("detail").as_object();
  EXPECT_EQ(d.at("externalUserId"), "a\"b\\c\n");
}

TEST(MeetingEventTest, SignatureIsHmacSha256OfTheBodyInHex) {
  // printf 'hello' | openssl dgst -sha256 -hmac 'key0123456789abcdef'
  EXPECT_EQ(WebhookSignature("key0123456789abcdef", "hello"),
            "sha256=4bf3ad7a76198309b97f3f8a2665e21135b59384d085a16191a62fd58cdbf5c6");
  EXPECT_NE(WebhookSignature("another-key-456789", "hello"),
            WebhookSignature("key0123456789abcdef", "hello"));
}

TEST(MeetingEventTest, Iso8601Seconds) {
  EXPECT_EQ(Iso8601Seconds(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Iso8601Seconds(1'700'000'000'999), "2023-11-14T22:13:20Z");
}

TEST(WebhookUrlTest, ParsesHostPortAndTarget) {
  std::string error;
  auto u = ParseWebhookUrl("http://127.0.0.1:9000/hooks/chime?x=1", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->target, "/hooks/chime?x=1");
  u = ParseWebhookUrl("http://receiver.internal", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/");
  u = ParseWebhookUrl("http://[::1]:8081/e", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8081);
  u = ParseWebhookUrl("http://h?q", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->target, "/?q");
}

TEST(WebhookUrlTest, RejectsWhatItCannotDeliverTo) {
  for (const char* bad :
       {"", "127.0.0.1:9000", "https://example.com/", "ftp://x/", "http://", "http:///path",
        "http://user:pw@host/", "http://host:0/", "http://host:65536/", "http://host:abc/",
        "http://host:/", "http://[::1/", "http://ho st/", "http://host/#frag", "http://h\x01/"}) {
    std::string error;
    EXPECT_FALSE(ParseWebhookUrl(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

}  // namespace
}  // namespace sfu::api

// POST /app/join bodies (signaling/api/app_join_request.h): the canonical meeting name, person
// names, and every refusal with its message.
#include "signaling/api/app_join_request.h"

#include <gtest/gtest.h>

namespace sfu::api {
namespace {

TEST(AppJoinRequestTest, ParsesAndCanonicalises) {
  Parsed<AppJoinRequest> p =
      ParseAppJoinRequest(R"({"meeting":"  Team   Standup ","name":"  Ada   Lovelace ","x":1})");
  ASSERT_TRUE(p.ok()) << p.error.message;
  EXPECT_EQ(p.value->meeting, "team-standup");
  EXPECT_EQ(p.value->name, "Ada Lovelace");
  EXPECT_EQ(p.value->password, "");
}

TEST(AppJoinRequestTest, KeepsThePassword) {
  Parsed<AppJoinRequest> p =
      ParseAppJoinRequest(R"({"meeting":"ab","name":"A","password":" s3cret "})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value->password, " s3cret ");
}

TEST(AppJoinRequestTest, MeetingNamesTable) {
  struct Case {
    const char* raw;
    const char* canonical;  // nullptr: refused
  };
  const Case cases[] = {
      {"standup", "standup"},
      {"Design_Review-2", "design_review-2"},
      {"\xc3\x89quipe Nord", "\xc3\x89quipe-nord"},  // non-ASCII kept, ASCII lower-cased
      {"\xe4\xbc\x9a\xe8\xad\xb0", "\xe4\xbc\x9a\xe8\xad\xb0"},  // 会議
      {"a", nullptr},                                            // too short
      {"  a  ", nullptr},
      {"has.dot", nullptr},
      {"slash/x", nullptr},
      {"q?x", nullptr},
      {"per%cent", nullptr},
      {"zero\xe2\x80\x8bwidth", nullptr},     // U+200B
      {"bidi\xe2\x80\xaeoverride", nullptr},  // U+202E
      {"metrics", nullptr},                   // reserved paths
      {"App", nullptr},
      {"healthz", nullptr},
  };
  for (const Case& c : cases) {
    std::string error;
    std::optional<std::string> got = CanonicalMeetingName(c.raw, &error);
    if (c.canonical) {
      ASSERT_TRUE(got) << c.raw << ": " << error;
      EXPECT_EQ(*got, c.canonical);
    } else {
      EXPECT_FALSE(got) << c.raw << " -> " << got.value_or("");
      EXPECT_FALSE(error.empty());
    }
  }
  std::string error;
  EXPECT_TRUE(CanonicalMeetingName(std::string(64, 'x'), &error));
  EXPECT_FALSE(CanonicalMeetingName(std::string(65, 'x'), &error));
  EXPECT_EQ(error, "The meeting name must be 2 to 64 characters");
  // 64 characters of two bytes each are still 64 characters.
  std::string wide;
  for (int i = 0; i < 64; ++i) wide += "\xc3\xa9";
  EXPECT_TRUE(CanonicalMeetingName(wide, &error));
}

TEST(AppJoinRequestTest, PersonNamesTable) {
  std::string error;
  EXPECT_EQ(CleanPersonName(" Grace \t Hopper ", &error).value_or(""), "Grace Hopper");
  EXPECT_EQ(CleanPersonName("C# dev", &error).value_or(""), "C# dev");
  EXPECT_TRUE(CleanPersonName(std::string(40, 'n'), &error));
  EXPECT_FALSE(CleanPersonName(std::string(41, 'n'), &error));
  EXPECT_EQ(error, "Your name must be 1 to 40 characters");
  EXPECT_FALSE(CleanPersonName("   ", &error));
  EXPECT_FALSE(
      CleanPersonName("a\x01"
                      "b",
                      &error));
  EXPECT_EQ(error, "Your name contains a control or invisible character");
  EXPECT_FALSE(
      CleanPersonName("a\xef\xbb\xbf"
                      "b",
                      &error));  // U+FEFF
}

TEST(AppJoinRequestTest, RefusesBadBodies) {
  struct Case {
    const char* body;
    const char* message_part;
  };
  const Case cases[] = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"name":"Ada"})", "meeting (the meeting name) is required"},
      {R"({"meeting":"standup"})", "name (your name) is required"},
      {R"({"meeting":5,"name":"Ada"})", "meeting must be a string"},
      {R"({"meeting":"standup","name":["Ada"]})", "name must be a string"},
      {R"({"meeting":"standup","name":"Ada","password":7})", "password must be a string"},
      {R"({"meeting":"x","name":"Ada"})", "2 to 64 characters"},
      {R"({"meeting":"standup","name":""})", "1 to 40 characters"},
      {R"({"meeting":{"a":{"b":{"c":{"d":1}}}},"name":"x"})", "not valid JSON"},  // too deep
  };
  for (const Case& c : cases) {
    Parsed<AppJoinRequest> p = ParseAppJoinRequest(c.body);
    EXPECT_FALSE(p.ok()) << c.body;
    EXPECT_EQ(p.error.status, 400) << c.body;
    EXPECT_NE(p.error.message.find(c.message_part), std::string::npos)
        << c.body << " -> " << p.error.message;
  }
  const std::string long_password =
      R"({"meeting":"standup","name":"Ada","password":")" + std::string(257, 'p') + "\"}";
  EXPECT_FALSE(ParseAppJoinRequest(long_password).ok());
}

}  // namespace
}  // namespace sfu::api

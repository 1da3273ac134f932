// The Redis engine's pure parts (signaling/store/redis_codec.h); the URL table is in
// redis_client_test.cc.
#include "signaling/store/redis_codec.h"

#include <gtest/gtest.h>

namespace sfu::store {
namespace {

TEST(RedisCodecTest, HostsAreNamesOrAddresses) {
  std::string error;
  EXPECT_TRUE(ParseRedisUrl("redis://redis-1.internal_net:6379", &error)) << error;
  EXPECT_TRUE(ParseRedisUrl("redis://[fe80::1%eth0]:6379", &error)) << error;
  for (const char* bad : {"redis://@[[1]:6/2", "redis://[example.com]:6379", "redis://a b:6379",
                          "redis://host?x:6379", "redis://h\x01st"}) {
    error.clear();
    EXPECT_FALSE(ParseRedisUrl(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(RedisCodecTest, FieldsRoundTripAndCorruptionIsRefused) {
  const std::vector<std::string> fields = {"", "a:b", std::string("\0x", 2), "12:"};
  EXPECT_EQ(DecodeFields(EncodeFields(fields)), fields);
  EXPECT_EQ(DecodeFields(""), std::vector<std::string>{});
  for (const char* bad :
       {"3:ab", ":x", "x:1", "5", "18446744073709551615:x", "99999999999999999999999:x", "-1:x"})
    EXPECT_FALSE(DecodeFields(bad).has_value()) << bad;
}

TEST(RedisCodecTest, AttendeeRecordsRoundTripAndNeedEightFields) {
  AttendeeRecord a;
  a.attendee_id = "a1";
  a.meeting_id = "m1";
  a.external_user_id = "user:with:colons";
  a.capabilities_video = "Receive";
  a.created_at_ms = 1796558015413;
  a.seq = 42;
  std::optional<AttendeeRecord> b = DecodeAttendeeRecord(EncodeAttendeeRecord(a));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->external_user_id, a.external_user_id);
  EXPECT_EQ(b->capabilities_video, "Receive");
  EXPECT_EQ(b->created_at_ms, a.created_at_ms);
  EXPECT_EQ(b->seq, 42);
  EXPECT_FALSE(DecodeAttendeeRecord(EncodeFields({"a1", "m1"})));
  EXPECT_EQ(ParseInt64("12x"), 0);
  EXPECT_EQ(ParseInt64("-7"), -7);
}

}  // namespace
}  // namespace sfu::store

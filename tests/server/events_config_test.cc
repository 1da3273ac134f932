// --events-webhook, --events-secret, --events-queue-max (docs/EVENTS.md).
#include <gtest/gtest.h>

#include "server/server_config.h"

namespace sfu::server {
namespace {

ConfigResult Parse(std::vector<const char*> args, std::vector<const char*> env = {}) {
  args.insert(args.begin(), "sfu-server");
  env.push_back(nullptr);
  return ParseServerConfig(static_cast<int>(args.size()), args.data(), env.data());
}

constexpr const char* kSecret = "0123456789abcdef";

TEST(EventsConfigTest, OffByDefault) {
  auto r = Parse({});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_TRUE(r.config->events_webhooks.empty());
  EXPECT_EQ(r.config->events_queue_max, 10000);
  EXPECT_NE(DescribeConfig(*r.config).find("events webhooks:      none"), std::string::npos);
}

TEST(EventsConfigTest, RepeatableFlagAndCommaSeparatedEnvironment) {
  auto r =
      Parse({"--events-webhook", "http://127.0.0.1:9000/a", "--events-webhook",
             "http://receiver.internal/b", "--events-secret", kSecret, "--events-queue-max", "50"});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_EQ(r.config->events_webhooks,
            (std::vector<std::string>{"http://127.0.0.1:9000/a", "http://receiver.internal/b"}));
  EXPECT_EQ(r.config->events_queue_max, 50);
  r = Parse({},
            {"SFU_EVENTS_WEBHOOK=http://a:1/x,http://b:2/y", "SFU_EVENTS_SECRET=0123456789abcdef"});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_EQ(r.config->events_webhooks.size(), 2u);
  const std::string text = DescribeConfig(*r.config);
  EXPECT_NE(text.find("http://a:1/x, http://b:2/y"), std::string::npos) << text;
  EXPECT_EQ(text.find(kSecret), std::string::npos) << "the secret is never printed";
}

TEST(EventsConfigTest, BadInputIsRefusedWithTheReason) {
  struct Case {
    std::vector<const char*> args;
    const char* says;
  };
  const Case cases[] = {
      {{"--events-webhook", "http://127.0.0.1:9000/"}, "needs --events-secret"},
      {{"--events-webhook", "http://127.0.0.1:9000/", "--events-secret", "short"},
       "at least 16 characters"},
      {{"--events-webhook", "https://example.com/", "--events-secret", kSecret}, "https"},
      {{"--events-webhook", "example.com/hook", "--events-secret", kSecret}, "http://"},
      {{"--events-webhook", "http://:80/", "--events-secret", kSecret}, "no host"},
      {{"--events-webhook", "http://h:99999/", "--events-secret", kSecret}, "port"},
      {{"--events-webhook", "http://u:p@h/", "--events-secret", kSecret}, "user info"},
      {{"--events-webhook", "http://h/", "--events-webhook", "http://h/", "--events-secret",
        kSecret},
       "given twice"},
      {{"--events-queue-max", "0"}, "--events-queue-max"},
  };
  for (const Case& c : cases) {
    auto r = Parse(c.args);
    EXPECT_FALSE(r.config) << c.says;
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.message.find(c.says), std::string::npos) << r.message;
  }
}

TEST(EventsConfigTest, HelpDocumentsTheFlags) {
  auto r = Parse({"--help"});
  for (const char* flag : {"--events-webhook", "--events-secret", "--events-queue-max"})
    EXPECT_NE(r.message.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace sfu::server

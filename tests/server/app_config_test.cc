// The meeting app's and --tls-self-signed's flags (server/server_config.h).
#include <gtest/gtest.h>

#include "server/server_config.h"

namespace sfu::server {
namespace {

ConfigResult Parse(std::vector<const char*> args, std::vector<const char*> env = {}) {
  args.insert(args.begin(), "sfu-server");
  env.push_back(nullptr);
  return ParseServerConfig(static_cast<int>(args.size()), args.data(), env.data());
}

TEST(AppConfigTest, DefaultsOnWithoutPassword) {
  ConfigResult r = Parse({});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_TRUE(r.config->app);
  EXPECT_EQ(r.config->app_password, "");
  EXPECT_EQ(r.config->app_rate, 20);
  EXPECT_FALSE(r.config->public_url_given);
  EXPECT_NE(DescribeConfig(*r.config).find("meeting app:          on (/), 20 joins/min"),
            std::string::npos);
}

TEST(AppConfigTest, OffPasswordRate) {
  ConfigResult r = Parse({"--app", "off", "--app-rate", "5"}, {"SFU_APP_PASSWORD=hunter22"});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_FALSE(r.config->app);
  EXPECT_EQ(r.config->app_password, "hunter22");
  EXPECT_EQ(r.config->app_rate, 5);
  EXPECT_EQ(DescribeConfig(*r.config).find("hunter22"), std::string::npos) << "secret printed";
  r = Parse({"--app-password", "x"});
  EXPECT_NE(DescribeConfig(*r.config).find("password required"), std::string::npos);
  EXPECT_EQ(Parse({"--app", "maybe"}).message, "--app must be on or off");
  EXPECT_FALSE(Parse({"--app-rate", "-1"}).config);
}

TEST(AppConfigTest, SelfSignedMakesHttpsUrlsAndExcludesACertificate) {
  ConfigResult r = Parse({"--tls-self-signed", "--listen", "0.0.0.0:8443"});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_TRUE(r.config->tls_self_signed);
  EXPECT_EQ(r.config->http_base, "https://127.0.0.1:8443");
  EXPECT_EQ(r.config->ws_base, "wss://127.0.0.1:8443");
  r = Parse({"--tls-self-signed", "--tls-cert", "/etc/hostname", "--tls-key", "/etc/hostname"});
  EXPECT_FALSE(r.config);
  EXPECT_NE(r.message.find("exclude each other"), std::string::npos) << r.message;
  r = Parse({"--public-url", "https://127.0.0.1:9443"});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_TRUE(r.config->public_url_given);
}

}  // namespace
}  // namespace sfu::server

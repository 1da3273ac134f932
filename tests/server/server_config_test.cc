#include "server/server_config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace sfu::server {
namespace {

ConfigResult Parse(std::vector<const char*> args, std::vector<const char*> env = {}) {
  args.insert(args.begin(), "sfu-server");
  env.push_back(nullptr);
  return ParseServerConfig(static_cast<int>(args.size()), args.data(), env.data());
}

TEST(ServerConfigTest, EmbeddedDefaults) {
  auto r = Parse({});
  ASSERT_TRUE(r.config) << r.message;
  const ServerConfig& c = *r.config;
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.media_port, 3478);
  EXPECT_GE(c.shards, 1);
  EXPECT_EQ(c.data_dir, "./sfu-data");
  EXPECT_EQ(c.announce_ips, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(c.http_base, "http://127.0.0.1:8080");
  EXPECT_EQ(c.ws_base, "ws://127.0.0.1:8080");
  EXPECT_TRUE(c.api_keys.empty());
  EXPECT_EQ(c.max_attendees, 250);
  EXPECT_EQ(c.meeting_idle_timeout_s, 300);
}

TEST(ServerConfigTest, FlagsBeatEnvironmentBeatsDefaults) {
  auto r = Parse({"--listen", "127.0.0.1:9000", "--api-key", "K1:S1"},
                 {"SFU_LISTEN=127.0.0.1:7000", "SFU_MEDIA_PORT=5000", "SFU_API_KEY=K2:S2,K3:S3",
                  "SFU_SHARDS=3", "OTHER=1", "SFU_UNKNOWN_THING=1"});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_EQ(r.config->listen_port, 9000);
  EXPECT_EQ(r.config->media_port, 5000);
  EXPECT_EQ(r.config->shards, 3);
  EXPECT_EQ(r.config->api_keys.size(), 3u);
  EXPECT_EQ(r.config->api_keys.at("K3"), "S3");
}

TEST(ServerConfigTest, PublicUrlDrivesSignalingScheme) {
  auto r = Parse({"--public-url", "https://media.example.com/", "--api-key", "K:S"});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_EQ(r.config->http_base, "https://media.example.com");
  EXPECT_EQ(r.config->ws_base, "wss://media.example.com");
}

// Without API keys the control API trusts loopback peers; a public URL that is not loopback means
// a proxy or the internet reaches the server, so that combination is refused unless opted into.
TEST(ServerConfigTest, UnsignedApiOnlyWithALoopbackPublicUrl) {
  for (const char* url :
       {"http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:8080", "https://127.0.0.5"}) {
    EXPECT_TRUE(Parse({"--public-url", url}).config) << url;
  }
  auto r = Parse({"--public-url", "https://media.example.com"});
  EXPECT_FALSE(r.config);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.message.find("--api-key"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("--unsafe-unsigned-api"), std::string::npos) << r.message;
  EXPECT_FALSE(Parse({"--public-url", "http://192.168.1.5:8080"}).config);
  EXPECT_TRUE(Parse({"--public-url", "https://media.example.com", "--api-key", "K:S"}).config);
  auto unsafe = Parse({"--public-url", "https://media.example.com", "--unsafe-unsigned-api"});
  ASSERT_TRUE(unsafe.config) << unsafe.message;
  EXPECT_TRUE(unsafe.config->unsafe_unsigned_api);
  // The default (wildcard listen address) gives a loopback public URL: runs with no flags.
  EXPECT_TRUE(Parse({}).config);
}

TEST(ServerConfigTest, ConfigFile) {
  const std::string path = ::testing::TempDir() + "/sfu-config-test.conf";
  std::ofstream(path) << "listen = 127.0.0.1:8181\nannounce-ip = 10.0.0.5\nmax-attendees = 50\n";
  auto r = Parse({"--config", path.c_str()});
  ASSERT_TRUE(r.config) << r.message;
  EXPECT_EQ(r.config->listen_port, 8181);
  EXPECT_EQ(r.config->announce_ips, std::vector<std::string>{"10.0.0.5"});
  EXPECT_EQ(r.config->max_attendees, 50);
}

TEST(ServerConfigTest, ClearErrors) {
  struct Case {
    std::vector<const char*> args;
    const char* part;
  } cases[] = {
      {{"--listen", "nonsense"}, "HOST:PORT"},
      {{"--listen", "1.2.3.4:99999"}, "port"},
      {{"--media-port", "70000"}, "media-port"},
      {{"--media-port", "65535", "--shards", "2"}, "media-port"},
      {{"--announce-ip", "not-an-ip"}, "announce-ip"},
      {{"--api-key", "nosecret"}, "KEYID:SECRET"},
      {{"--public-url", "ftp://x"}, "http"},
      {{"--public-url", "http://x/?a=b"}, "query"},
      {{"--log-level", "loud"}, "log-level"},
      {{"--bogus"}, "bogus"},
      {{"--config", "/nonexistent/file"}, "config file"},
  };
  for (const Case& c : cases) {
    auto r = Parse(c.args);
    EXPECT_FALSE(r.config) << c.args[0];
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.message.find(c.part), std::string::npos) << r.message;
  }
}

// --announce-ip auto is resolved at start (server/interface_addresses.h); parsing only records it.
TEST(ServerConfigTest, AnnounceIpAuto) {
  for (auto r : {Parse({"--announce-ip", "auto"}), Parse({}, {"SFU_ANNOUNCE_IP=auto"})}) {
    ASSERT_TRUE(r.config) << r.message;
    EXPECT_TRUE(r.config->announce_auto);
    EXPECT_TRUE(r.config->announce_ips.empty());  // no 127.0.0.1 default alongside auto
    EXPECT_NE(DescribeConfig(*r.config).find("announce ip:          auto"), std::string::npos)
        << DescribeConfig(*r.config);
  }
  // Explicit addresses stay as given, and the default stays 127.0.0.1.
  auto explicit_ips = Parse({"--announce-ip", "192.0.2.10", "--announce-ip", "2001:db8::1"});
  ASSERT_TRUE(explicit_ips.config) << explicit_ips.message;
  EXPECT_FALSE(explicit_ips.config->announce_auto);
  EXPECT_EQ(explicit_ips.config->announce_ips,
            (std::vector<std::string>{"192.0.2.10", "2001:db8::1"}));
  EXPECT_FALSE(Parse({}).config->announce_auto);
  // Once resolved, the description shows the addresses and where they came from.
  ServerConfig resolved = *Parse({"--announce-ip", "auto"}).config;
  resolved.announce_ips = {"192.0.2.10", "2001:db8::1"};
  EXPECT_NE(DescribeConfig(resolved).find("192.0.2.10, 2001:db8::1 (--announce-ip auto)"),
            std::string::npos)
      << DescribeConfig(resolved);
}

TEST(ServerConfigTest, AnnounceIpAutoStandsAlone) {
  for (auto r : {Parse({"--announce-ip", "auto", "--announce-ip", "192.0.2.10"}),
                 Parse({"--announce-ip", "192.0.2.10,auto"}),
                 Parse({"--announce-ip", "auto"}, {"SFU_ANNOUNCE_IP=192.0.2.10"})}) {
    EXPECT_FALSE(r.config);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.message.find("--announce-ip auto must be given alone"), std::string::npos)
        << r.message;
    EXPECT_NE(r.message.find("192.0.2.10"), std::string::npos) << r.message;
  }
  // Only the lower-case keyword: anything else must be an IP literal.
  for (const char* bad : {"AUTO", "automatic", "eth0", "example.com", "192.0.2.300"}) {
    auto r = Parse({"--announce-ip", bad});
    EXPECT_FALSE(r.config) << bad;
    EXPECT_NE(r.message.find("is not an IPv4 or IPv6 address, nor auto"), std::string::npos)
        << r.message;
  }
}

TEST(ServerConfigTest, HelpDocumentsEveryFlag) {
  auto r = Parse({"--help"});
  EXPECT_FALSE(r.config);
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag :
       {"--listen", "--media-port", "--shards", "--data-dir", "--public-url", "--announce-ip",
        "--api-key", "--log-level", "--meeting-idle-timeout", "--max-attendees", "--api-rate",
        "--api-burst", "--max-body-bytes", "--config"})
    EXPECT_NE(r.message.find(flag), std::string::npos) << flag;
  EXPECT_NE(r.message.find("SFU_"), std::string::npos);
  EXPECT_NE(r.message.find("or auto"), std::string::npos);
}

TEST(ServerConfigTest, DescribeHidesSecrets) {
  auto r = Parse({"--api-key", "KEY:supersecret"});
  ASSERT_TRUE(r.config);
  const std::string text = DescribeConfig(*r.config);
  EXPECT_NE(text.find("KEY:****"), std::string::npos);
  EXPECT_EQ(text.find("supersecret"), std::string::npos);
}

}  // namespace
}  // namespace sfu::server

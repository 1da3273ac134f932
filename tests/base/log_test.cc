#include "base/log.h"

#include <gtest/gtest.h>

namespace sfu::base {
namespace {

std::string g_captured;
void Capture(std::string_view line) { g_captured += line; }

TEST(LogTest, KeyValueLineWithQuoting) {
  SetLogSink(&Capture);
  SetLogLevel(LogLevel::kInfo);
  g_captured.clear();
  SFU_LOG(kInfo, "meeting created").Kv("meeting", "m-1").Kv("n", 3).Kv("note", "a \"b\"");
  SFU_LOG(kDebug, "hidden").Kv("x", 1);
  SetLogSink(nullptr);
  EXPECT_NE(
      g_captured.find("level=info msg=\"meeting created\" meeting=m-1 n=3 note=\"a \\\"b\\\"\"\n"),
      std::string::npos)
      << g_captured;
  EXPECT_EQ(g_captured.find("hidden"), std::string::npos);
  EXPECT_EQ(g_captured.rfind("ts=", 0), 0u);
}

TEST(LogTest, ParsesLevels) {
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("verbose").has_value());
}

TEST(LogTest, EscapesControlCharacters) {
  std::string out;
  AppendLogValue(out, "a\nb\x01");
  EXPECT_EQ(out, "\"a\\nb\\x01\"");
}

}  // namespace
}  // namespace sfu::base

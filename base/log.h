#pragma once
// Leveled key=value logging to stderr, one line per event:
//   ts=2026-11-22T18:00:00.123Z level=info msg="meeting created" meeting=... shard=0
// Usage: SFU_LOG(kInfo, "meeting created").Kv("meeting", id).Kv("shard", 0);
// The line is written when the temporary is destroyed. Thread-safe (one write(2) per line).
// Not for the media hot path unless rate-limited by the caller.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sfu::base {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// Parses "debug", "info", "warn", "error", "off". Returns nullopt for anything else.
std::optional<LogLevel> ParseLogLevel(std::string_view s);
std::string_view LogLevelName(LogLevel level);

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);

// Where lines go; tests can capture them. nullptr restores stderr.
using LogSink = void (*)(std::string_view line);
void SetLogSink(LogSink sink);

class LogLine {
 public:
  LogLine(LogLevel level, std::string_view msg);
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& Kv(std::string_view key, std::string_view value);
  LogLine& Kv(std::string_view key, const char* value) { return Kv(key, std::string_view(value)); }
  LogLine& Kv(std::string_view key, const std::string& value) {
    return Kv(key, std::string_view(value));
  }
  LogLine& Kv(std::string_view key, int64_t value);
  LogLine& Kv(std::string_view key, uint64_t value);
  LogLine& Kv(std::string_view key, int value) { return Kv(key, static_cast<int64_t>(value)); }
  LogLine& Kv(std::string_view key, unsigned value) {
    return Kv(key, static_cast<uint64_t>(value));
  }
  LogLine& Kv(std::string_view key, long long value) {
    return Kv(key, static_cast<int64_t>(value));
  }
  LogLine& Kv(std::string_view key, unsigned long long value) {
    return Kv(key, static_cast<uint64_t>(value));
  }
  LogLine& Kv(std::string_view key, double value);
  LogLine& Kv(std::string_view key, bool value) { return Kv(key, value ? "true" : "false"); }

 private:
  bool enabled_;
  std::string line_;
};

// Appends value to out, quoted and escaped if it contains spaces, quotes, '=' or control bytes.
void AppendLogValue(std::string& out, std::string_view value);

}  // namespace sfu::base

#define SFU_LOG(level, msg) ::sfu::base::LogLine(::sfu::base::LogLevel::level, msg)

#include "signaling/store/redis_codec.h"

#include <charconv>

namespace sfu::store {
namespace {

bool ParseInt(std::string_view s, int* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string RedisAddress::Describe() const {
  if (!unix_path.empty()) return "unix://" + unix_path + (db ? "?db=" + std::to_string(db) : "");
  const bool v6 = host.find(':') != std::string::npos;
  return "redis://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) +
         (db ? "/" + std::to_string(db) : "");
}

std::optional<RedisAddress> ParseRedisUrl(std::string_view url, std::string* error) {
  RedisAddress a;
  const size_t at = url.rfind('@');
  auto fail = [&](const std::string& why) -> std::optional<RedisAddress> {
    // Errors are logged: the credentials are not repeated.
    std::string shown(url);
    if (at != std::string_view::npos && url.rfind("redis://", 0) == 0)
      shown = "redis://***" + std::string(url.substr(at));
    *error = "--redis " + shown + ": " + why;
    return std::nullopt;
  };
  if (url.rfind("unix://", 0) == 0) {
    std::string_view rest = url.substr(7);
    if (size_t q = rest.find("?db="); q != std::string_view::npos) {
      if (!ParseInt(rest.substr(q + 4), &a.db) || a.db < 0) return fail("db must be a number");
      rest = rest.substr(0, q);
    }
    if (rest.empty() || rest[0] != '/') return fail("expected unix:///absolute/path");
    a.unix_path = std::string(rest);
    return a;
  }
  if (url.rfind("redis://", 0) != 0) return fail("expected redis://host:port or unix:///path");
  std::string_view rest = url.substr(8);
  // The credentials first: a password may hold '/', ':' or '@' (the host never holds '@').
  if (const size_t cred = rest.rfind('@'); cred != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, cred);
    if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      a.user = std::string(userinfo.substr(0, colon));
      a.password = std::string(userinfo.substr(colon + 1));
    } else {
      a.password = std::string(userinfo);
    }
    rest = rest.substr(cred + 1);
  }
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!ParseInt(db, &a.db) || a.db < 0)) return fail("db must be a number");
    rest = rest.substr(0, slash);
  }
  std::string_view host = rest;
  std::string_view port;
  bool has_port = false;
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail("unclosed [ in the host");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("expected :port after ]");
      port = after.substr(1);
      has_port = true;
    }
  } else {
    if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      has_port = true;
    }
    if (port.find(':') != std::string_view::npos)
      return fail("an IPv6 address goes in brackets: redis://[::1]:6379");
  }
  if (host.empty()) return fail("no host");
  // A name or an address: letters, digits, '.', '-', '_'; in brackets an IPv6 address (':' and
  // hex digits, a '%' zone).
  const bool bracketed = rest[0] == '[';
  if (bracketed && host.find(':') == std::string_view::npos)
    return fail("only an IPv6 address goes in brackets");
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || (bracketed && (c == ':' || c == '%'));
    if (!ok) return fail("the host holds a character a host name or address cannot");
  }
  a.host = std::string(host);
  if (has_port && (!ParseInt(port, &a.port) || a.port < 1 || a.port > 65535))
    return fail("port must be 1-65535");
  return a;
}

std::string EncodeFields(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& f : fields) {
    out += std::to_string(f.size());
    out += ':';
    out += f;
  }
  return out;
}

std::optional<std::vector<std::string>> DecodeFields(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t colon = s.find(':', i);
    if (colon == std::string_view::npos || colon == i) return std::nullopt;
    size_t n = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + colon, n);
    if (ec != std::errc() || p != s.data() + colon) return std::nullopt;
    if (n > s.size() - colon - 1) return std::nullopt;  // longer than what is left
    out.emplace_back(s.substr(colon + 1, n));
    i = colon + 1 + n;
  }
  return out;
}

std::string EncodeAttendeeRecord(const AttendeeRecord& a) {
  return EncodeFields({a.attendee_id, a.meeting_id, a.external_user_id, a.capabilities_audio,
                       a.capabilities_video, a.capabilities_content,
                       std::to_string(a.created_at_ms), std::to_string(a.seq)});
}

int64_t ParseInt64(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : 0;
}

std::optional<AttendeeRecord> DecodeAttendeeRecord(std::string_view s) {
  std::optional<std::vector<std::string>> f = DecodeFields(s);
  if (!f || f->size() != 8) return std::nullopt;
  AttendeeRecord a;
  a.attendee_id = (*f)[0];
  a.meeting_id = (*f)[1];
  a.external_user_id = (*f)[2];
  a.capabilities_audio = (*f)[3];
  a.capabilities_video = (*f)[4];
  a.capabilities_content = (*f)[5];
  a.created_at_ms = ParseInt64((*f)[6]);
  a.seq = ParseInt64((*f)[7]);
  return a;
}

}  // namespace sfu::store

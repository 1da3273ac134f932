#include "signaling/api/sigv4.h"

#include <algorithm>
#include <ctime>

#include "signaling/api/crypto_util.h"
#include "signaling/api/http_message.h"

namespace sfu::api {
namespace {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// RFC 3986 encoding of everything but unreserved characters, as the SDK's escapeUri does.
std::string UriEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsUnreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const std::string* FindHeader(const std::vector<std::pair<std::string, std::string>>& headers,
                              std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (name.size() == lower_name.size() && ToLower(name) == lower_name) return &value;
  }
  return nullptr;
}

}  // namespace

std::optional<SigV4Authorization> ParseSigV4Authorization(std::string_view value) {
  constexpr std::string_view kAlgo = "AWS4-HMAC-SHA256";
  value = Trim(value);
  if (value.size() > 4096 || value.substr(0, kAlgo.size()) != kAlgo) return std::nullopt;
  value.remove_prefix(kAlgo.size());
  if (value.empty() || value.front() != ' ') return std::nullopt;
  SigV4Authorization out;
  bool have_cred = false, have_signed = false, have_sig = false;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view part = Trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = part.substr(0, eq);
    const std::string_view val = part.substr(eq + 1);
    if (key == "Credential" && !have_cred) {
      // AKID/date/region/service/aws4_request
      std::vector<std::string_view> f;
      std::string_view rest = val;
      while (f.size() < 6) {
        const size_t slash = rest.find('/');
        f.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
      }
      if (f.size() != 5 || f[4] != "aws4_request") return std::nullopt;
      if (f[0].empty() || f[0].size() > 128 || f[1].size() != 8 || !AllDigits(f[1]) ||
          f[2].empty() || f[3].empty())
        return std::nullopt;
      out.access_key_id = f[0];
      out.date = f[1];
      out.region = f[2];
      out.service = f[3];
      have_cred = true;
    } else if (key == "SignedHeaders" && !have_signed) {
      std::string_view rest = val;
      while (true) {
        const size_t semi = rest.find(';');
        std::string_view name = rest.substr(0, semi);
        if (name.empty() || out.signed_headers.size() >= 64) return std::nullopt;
        out.signed_headers.push_back(ToLower(name));
        if (semi == std::string_view::npos) break;
        rest = rest.substr(semi + 1);
      }
      have_signed = true;
    } else if (key == "Signature" && !have_sig) {
      if (!IsHex64(val)) return std::nullopt;
      out.signature = val;
      have_sig = true;
    } else {
      return std::nullopt;
    }
  }
  if (!have_cred || !have_signed || !have_sig) return std::nullopt;
  return out;
}

bool PathHasDotOrEmptySegments(std::string_view raw_path) {
  if (raw_path.empty() || raw_path == "/") return false;
  std::string_view rest = raw_path.front() == '/' ? raw_path.substr(1) : raw_path;
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (seg.empty()) return true;
    // Decode only dots: "." "%2e" "%2E" and any mix, once or twice.
    size_t dots = 0, i = 0;
    bool only_dots = true;
    while (i < seg.size() && only_dots) {
      if (seg[i] == '.') {
        ++dots;
        ++i;
      } else if (i + 2 < seg.size() && seg[i] == '%' && seg[i + 1] == '2' &&
                 (seg[i + 2] == 'e' || seg[i + 2] == 'E')) {
        ++dots;
        i += 3;
      } else if (i + 4 < seg.size() && seg.substr(i, 3) == "%25" && seg[i + 3] == '2' &&
                 (seg[i + 4] == 'e' || seg[i + 4] == 'E')) {
        ++dots;
        i += 5;
      } else {
        only_dots = false;
      }
    }
    if (only_dots && (dots == 1 || dots == 2)) return true;
    if (slash == std::string_view::npos) return false;
    rest = rest.substr(slash + 1);
  }
}

std::string CanonicalUri(std::string_view raw_path) {
  std::vector<std::string_view> segments;
  std::string_view rest = raw_path;
  while (true) {
    const size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  std::string out;
  if (!raw_path.empty() && raw_path.front() == '/') out += '/';
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) out += '/';
    out += UriEncode(segments[i]);  // second encoding of an already-encoded segment
  }
  if (!segments.empty() && raw_path.size() > 1 && raw_path.back() == '/') out += '/';
  if (out.empty()) out = "/";
  return out;
}

std::string CanonicalQuery(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::string_view rest = raw_query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view kv = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (kv.empty()) continue;
    const size_t eq = kv.find('=');
    std::string key = UriEncode(http::PercentDecode(kv.substr(0, eq)));
    std::string value =
        eq == std::string_view::npos ? "" : UriEncode(http::PercentDecode(kv.substr(eq + 1)));
    if (ToLower(key) == "x-amz-signature") continue;
    params.emplace_back(std::move(key), std::move(value));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out += '&';
    out += params[i].first;
    out += '=';
    out += params[i].second;
  }
  return out;
}

std::string CanonicalHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    std::string joined;
    bool first = true;
    for (const auto& [hname, hvalue] : headers) {
      if (hname.size() != name.size() || ToLower(hname) != name) continue;
      // Trim, and fold runs of spaces into one, as the SigV4 rules require.
      std::string folded;
      bool in_space = false;
      for (char c : Trim(hvalue)) {
        if (c == ' ' || c == '\t') {
          if (!in_space) folded += ' ';
          in_space = true;
        } else {
          folded += c;
          in_space = false;
        }
      }
      if (!first) joined += ',';
      joined += folded;
      first = false;
    }
    out += name;
    out += ':';
    out += joined;
    out += '\n';
  }
  return out;
}

std::string CanonicalRequest(const SigV4Request& req,
                             const std::vector<std::string>& signed_headers,
                             std::string_view payload_hash_hex) {
  std::string out;
  out += req.method;
  out += '\n';
  out += CanonicalUri(req.raw_path);
  out += '\n';
  out += CanonicalQuery(req.raw_query);
  out += '\n';
  out += CanonicalHeaders(*req.headers, signed_headers);
  out += '\n';
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i) out += ';';
    out += signed_headers[i];
  }
  out += '\n';
  out += payload_hash_hex;
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out = "AWS4-HMAC-SHA256\n";
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += Sha256Hex(canonical_request);
  return out;
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

std::string_view SigV4StatusMessage(SigV4Status status) {
  switch (status) {
    case SigV4Status::kOk:
      return "ok";
    case SigV4Status::kMissing:
      return "Missing Authentication Token (AWS Signature Version 4 required)";
    case SigV4Status::kMalformed:
      return "The Authorization header or X-Amz-Date is malformed";
    case SigV4Status::kUnknownKey:
      return "The security token included in the request is invalid (unknown access key)";
    case SigV4Status::kWrongService:
      return "Credential should be scoped to correct service: 'chime'";
    case SigV4Status::kClockSkew:
      return "Signature expired or not yet valid: X-Amz-Date is more than 15 minutes from the "
             "server time";
    case SigV4Status::kPayloadMismatch:
      return "The provided x-amz-content-sha256 header does not match what was computed";
    case SigV4Status::kBadSignature:
      return "The request signature we calculated does not match the signature you provided";
    case SigV4Status::kBadPath:
      return "The request path has empty, '.' or '..' segments";
    case SigV4Status::kReplayed:
      return "This signature was already used for a request that is not idempotent: sign each "
             "request anew, or send a ClientRequestToken";
  }
  return "unknown";
}

std::optional<int64_t> ParseAmzDate(std::string_view d) {
  // YYYYMMDDTHHMMSSZ
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
  if (!AllDigits(d.substr(0, 8)) || !AllDigits(d.substr(9, 6))) return std::nullopt;
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = 0; i < len; ++i) v = v * 10 + (d[pos + i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::string FormatAmzDate(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

SigV4Verification VerifySigV4(const SigV4Request& req,
                              const std::map<std::string, std::string, std::less<>>& keys,
                              std::string_view expected_service, int64_t now_unix_ms,
                              int64_t max_skew_ms) {
  SigV4Verification v;
  const std::string* auth = FindHeader(*req.headers, "authorization");
  if (!auth) return v;  // kMissing
  if (PathHasDotOrEmptySegments(req.raw_path)) {
    v.status = SigV4Status::kBadPath;
    return v;
  }
  auto parsed = ParseSigV4Authorization(*auth);
  v.status = SigV4Status::kMalformed;
  if (!parsed) return v;
  v.access_key_id = parsed->access_key_id;
  v.signature = parsed->signature;
  if (!std::is_sorted(parsed->signed_headers.begin(), parsed->signed_headers.end()) ||
      std::find(parsed->signed_headers.begin(), parsed->signed_headers.end(), "host") ==
          parsed->signed_headers.end())
    return v;
  const std::string* amz_date = FindHeader(*req.headers, "x-amz-date");
  if (!amz_date) return v;
  auto date_ms = ParseAmzDate(*amz_date);
  if (!date_ms || amz_date->substr(0, 8) != parsed->date) return v;
  v.date_ms = *date_ms;
  if (parsed->service != expected_service) {
    v.status = SigV4Status::kWrongService;
    return v;
  }
  auto key = keys.find(parsed->access_key_id);
  if (key == keys.end()) {
    v.status = SigV4Status::kUnknownKey;
    return v;
  }
  if (*date_ms > now_unix_ms + max_skew_ms || *date_ms < now_unix_ms - max_skew_ms) {
    v.status = SigV4Status::kClockSkew;
    return v;
  }
  const std::string body_hash = Sha256Hex(req.body);
  if (const std::string* claimed = FindHeader(*req.headers, "x-amz-content-sha256")) {
    if (*claimed != body_hash) {
      v.status = SigV4Status::kPayloadMismatch;
      return v;
    }
  }
  const std::string canonical = CanonicalRequest(req, parsed->signed_headers, body_hash);
  const std::string scope =
      parsed->date + "/" + parsed->region + "/" + parsed->service + "/aws4_request";
  const std::string sts = StringToSign(*amz_date, scope, canonical);
  const std::string expected = HexEncode(
      HmacSha256(SigningKey(key->second, parsed->date, parsed->region, parsed->service), sts));
  v.status = ConstantTimeEquals(expected, parsed->signature) ? SigV4Status::kOk
                                                             : SigV4Status::kBadSignature;
  return v;
}

std::string SignSigV4(const SigV4Request& req, std::string_view access_key_id,
                      std::string_view secret, std::string_view region, std::string_view service,
                      std::string_view amz_date) {
  std::vector<std::string> signed_headers;
  for (const auto& [name, value] : *req.headers) {
    std::string lower = ToLower(name);
    if (lower == "authorization" || lower == "user-agent") continue;
    if (std::find(signed_headers.begin(), signed_headers.end(), lower) == signed_headers.end())
      signed_headers.push_back(lower);
  }
  std::sort(signed_headers.begin(), signed_headers.end());
  const std::string date(amz_date.substr(0, 8));
  const std::string scope =
      date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  const std::string canonical = CanonicalRequest(req, signed_headers, Sha256Hex(req.body));
  const std::string sts = StringToSign(amz_date, scope, canonical);
  const std::string sig = HexEncode(HmacSha256(SigningKey(secret, date, region, service), sts));
  std::string out = "AWS4-HMAC-SHA256 Credential=";
  out += access_key_id;
  out += '/';
  out += scope;
  out += ", SignedHeaders=";
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i) out += ';';
    out += signed_headers[i];
  }
  out += ", Signature=";
  out += sig;
  return out;
}

}  // namespace sfu::api

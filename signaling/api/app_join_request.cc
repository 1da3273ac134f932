#include "signaling/api/app_join_request.h"

#include <array>
#include <boost/json.hpp>
#include <cstdint>

namespace sfu::api {
namespace json = boost::json;
namespace {

// Decodes valid UTF-8 (Boost.JSON has checked it) into code points.
std::u32string Decode(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.push_back(cp);
    i += static_cast<size_t>(len);
  }
  return out;
}

std::string Encode(const std::u32string& cps) {
  std::string out;
  for (char32_t cp : cps) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  return out;
}

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xa0 || c == 0x3000 ||
         (c >= 0x2000 && c <= 0x200a);
}

// Controls, and the format and invisible characters that make a name look like another one
// (zero-width, bidirectional overrides, the byte-order mark, tags, variation selectors aside).
bool IsHidden(char32_t c) {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad || c == 0x34f || c == 0x61c ||
         (c >= 0x180b && c <= 0x180f) || (c >= 0x200b && c <= 0x200f) ||
         (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
         (c >= 0xfff0 && c <= 0xfffb) || (c >= 0xe0000 && c <= 0xe0fff) ||
         (c >= 0xd800 && c <= 0xdfff);
}

// Trims, and replaces each run of white space inside with `joiner`.
std::u32string Squeeze(std::string_view raw, char32_t joiner) {
  std::u32string out;
  bool pending = false;
  for (char32_t c : Decode(raw)) {
    if (IsSpace(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(joiner);
    pending = false;
    out.push_back(c);
  }
  return out;
}

bool StringField(const json::object& obj, std::string_view key, std::optional<std::string>* out,
                 ApiError* err) {
  const json::value* v = obj.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) {
    *err = BadRequest(std::string(key) + " must be a string");
    return false;
  }
  *out = std::string(v->as_string());
  return true;
}

}  // namespace

bool IsReservedMeetingName(std::string_view n) {
  static constexpr std::array<std::string_view, 9> kReserved = {
      "app", "healthz", "readyz", "metrics", "meetings", "tags", "echo", "control", "favicon"};
  for (std::string_view r : kReserved)
    if (n == r) return true;
  return false;
}

std::optional<std::string> CanonicalMeetingName(std::string_view raw, std::string* error) {
  std::u32string cps = Squeeze(raw, U'-');
  for (char32_t& c : cps)
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
  if (cps.size() < 2 || cps.size() > kAppMeetingNameMax) {
    *error = "The meeting name must be 2 to " + std::to_string(kAppMeetingNameMax) + " characters";
    return std::nullopt;
  }
  for (char32_t c : cps) {
    const bool ascii_ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (c < 0x80 ? !ascii_ok : IsHidden(c)) {
      *error = "The meeting name may use letters, digits, '-' and '_' (spaces become '-')";
      return std::nullopt;
    }
  }
  std::string name = Encode(cps);
  if (IsReservedMeetingName(name)) {
    *error = "'" + name + "' is a name this server uses itself: choose another meeting name";
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> CleanPersonName(std::string_view raw, std::string* error) {
  const std::u32string cps = Squeeze(raw, U' ');
  if (cps.empty() || cps.size() > kAppPersonNameMax) {
    *error = "Your name must be 1 to " + std::to_string(kAppPersonNameMax) + " characters";
    return std::nullopt;
  }
  for (char32_t c : cps) {
    if (IsHidden(c)) {
      *error = "Your name contains a control or invisible character";
      return std::nullopt;
    }
  }
  return Encode(cps);
}

Parsed<AppJoinRequest> ParseAppJoinRequest(std::string_view body) {
  Parsed<AppJoinRequest> out;
  json::parse_options opts;
  opts.max_depth = 4;
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec, json::storage_ptr(), opts);
  if (ec) {
    out.error = BadRequest("The request body is not valid JSON: " + ec.message());
    return out;
  }
  if (!v.is_object()) {
    out.error = BadRequest("The request body must be a JSON object {meeting, name}");
    return out;
  }
  const json::object& obj = v.as_object();
  std::optional<std::string> meeting, name, password;
  if (!StringField(obj, "meeting", &meeting, &out.error) ||
      !StringField(obj, "name", &name, &out.error) ||
      !StringField(obj, "password", &password, &out.error))
    return out;
  if (!meeting) {
    out.error = BadRequest("meeting (the meeting name) is required");
    return out;
  }
  if (!name) {
    out.error = BadRequest("name (your name) is required");
    return out;
  }
  if (password && password->size() > kAppPasswordMaxBytes) {
    out.error =
        BadRequest("password is longer than " + std::to_string(kAppPasswordMaxBytes) + " bytes");
    return out;
  }
  std::string why;
  std::optional<std::string> canonical = CanonicalMeetingName(*meeting, &why);
  if (!canonical) {
    out.error = BadRequest(why);
    return out;
  }
  std::optional<std::string> person = CleanPersonName(*name, &why);
  if (!person) {
    out.error = BadRequest(why);
    return out;
  }
  out.value = AppJoinRequest{std::move(*canonical), std::move(*person), password.value_or("")};
  return out;
}

}  // namespace sfu::api

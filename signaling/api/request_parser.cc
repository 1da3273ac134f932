#include "signaling/api/request_parser.h"

#include <boost/json.hpp>

#include "signaling/api/crypto_util.h"

namespace sfu::api {
namespace json = boost::json;
namespace {

// Field access with type checks; each returns false and fills *err on a wrong type.
class Fields {
 public:
  Fields(const json::object& obj, std::string prefix) : obj_(obj), prefix_(std::move(prefix)) {}

  // Absent -> nullopt (ok). Present but not a string -> error.
  bool String(std::string_view key, std::optional<std::string>* out, ApiError* err) const {
    const json::value* v = obj_.if_contains(key);
    if (!v || v->is_null()) return true;
    if (!v->is_string()) {
      *err = BadRequest(Name(key) + " must be a string");
      return false;
    }
    *out = std::string(v->as_string());
    return true;
  }
  const json::value* Get(std::string_view key) const {
    const json::value* v = obj_.if_contains(key);
    return (v && !v->is_null()) ? v : nullptr;
  }
  std::string Name(std::string_view key) const { return prefix_ + std::string(key); }

 private:
  const json::object& obj_;
  std::string prefix_;
};

bool ParseObject(std::string_view body, json::value* out, ApiError* err) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    *out = json::object();
    return true;
  }
  json::parse_options opts;
  opts.max_depth = 16;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, json::storage_ptr(), opts);
  if (ec) {
    *err = BadRequest("Request body is not valid JSON: " + ec.message());
    return false;
  }
  if (!v.is_object()) {
    *err = BadRequest("Request body must be a JSON object");
    return false;
  }
  *out = std::move(v);
  return true;
}

bool HasControlChars(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// Length in Unicode code points of valid UTF-8 (Boost.JSON guarantees validity).
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

bool CheckEnum(const json::value& v, std::string_view name,
               std::initializer_list<std::string_view> allowed, std::string* out, ApiError* err) {
  if (v.is_string()) {
    for (std::string_view a : allowed) {
      if (v.as_string() == a) {
        *out = std::string(a);
        return true;
      }
    }
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  *err = BadRequest(std::string(name) + " must be one of: " + list);
  return false;
}

// MeetingFeatures: {Audio:{EchoReduction, BitrateKbps (ours)}, Video:{MaxResolution},
// Content:{MaxResolution}, Attendee:{MaxCount}}. Unknown keys are dropped; the kept subset is
// returned normalised.
bool ParseFeatures(const json::value& v, const ParseLimits& limits, CreateMeetingParams* p,
                   ApiError* err) {
  if (!v.is_object()) {
    *err = BadRequest("MeetingFeatures must be an object");
    return false;
  }
  const json::object& in = v.as_object();
  json::object out;
  auto section = [&](std::string_view name, const json::object** sec) {
    const json::value* s = in.if_contains(name);
    *sec = nullptr;
    if (!s || s->is_null()) return true;
    if (!s->is_object()) {
      *err = BadRequest("MeetingFeatures." + std::string(name) + " must be an object");
      return false;
    }
    *sec = &s->as_object();
    return true;
  };
  const json::object* sec = nullptr;
  std::string val;
  if (!section("Audio", &sec)) return false;
  if (sec) {
    json::object o;
    if (const json::value* e = sec->if_contains("EchoReduction")) {
      if (!CheckEnum(*e, "MeetingFeatures.Audio.EchoReduction", {"AVAILABLE", "UNAVAILABLE"}, &val,
                     err))
        return false;
      o["EchoReduction"] = val;
    }
    // Our extension (the AWS API has no such member): the Opus bitrate of this meeting's mix.
    if (const json::value* b = sec->if_contains("BitrateKbps")) {
      if (!b->is_int64() || b->as_int64() < 16 || b->as_int64() > 64) {
        *err = BadRequest("MeetingFeatures.Audio.BitrateKbps must be an integer from 16 to 64");
        return false;
      }
      o["BitrateKbps"] = b->as_int64();
    }
    out["Audio"] = std::move(o);
  }
  if (!section("Video", &sec)) return false;
  if (sec) {
    json::object o;
    if (const json::value* e = sec->if_contains("MaxResolution")) {
      if (!CheckEnum(*e, "MeetingFeatures.Video.MaxResolution", {"None", "HD", "FHD"}, &val, err))
        return false;
      o["MaxResolution"] = val;
    }
    out["Video"] = std::move(o);
  }
  if (!section("Content", &sec)) return false;
  if (sec) {
    json::object o;
    if (const json::value* e = sec->if_contains("MaxResolution")) {
      if (!CheckEnum(*e, "MeetingFeatures.Content.MaxResolution", {"None", "FHD", "UHD"}, &val,
                     err))
        return false;
      o["MaxResolution"] = val;
    }
    out["Content"] = std::move(o);
  }
  if (!section("Attendee", &sec)) return false;
  if (sec) {
    json::object o;
    if (const json::value* e = sec->if_contains("MaxCount")) {
      if (!e->is_int64() || e->as_int64() < 1 || e->as_int64() > limits.max_attendees_per_meeting) {
        *err = BadRequest("MeetingFeatures.Attendee.MaxCount must be an integer from 1 to " +
                          std::to_string(limits.max_attendees_per_meeting));
        return false;
      }
      p->max_attendees = static_cast<int>(e->as_int64());
      o["MaxCount"] = e->as_int64();
    }
    out["Attendee"] = std::move(o);
  }
  p->meeting_features_json = json::serialize(out);
  return true;
}

// AWS tag rules: 1..50 tags, keys 1..128 and values 0..256 characters, unique keys, the "aws:"
// prefix reserved. name: the field for messages ("Tags").
bool ParseTagList(const json::value& v, std::string_view name, std::vector<Tag>* out,
                  ApiError* err) {
  if (!v.is_array() || v.as_array().empty() || v.as_array().size() > 50) {
    *err = BadRequest(std::string(name) + " must be an array of 1 to 50 tags");
    return false;
  }
  for (const json::value& t : v.as_array()) {
    const json::object* o = t.if_object();
    const json::value* k = o ? o->if_contains("Key") : nullptr;
    const json::value* val = o ? o->if_contains("Value") : nullptr;
    if (!k || !k->is_string() || !val || !val->is_string()) {
      *err =
          BadRequest(std::string(name) + " entries must be {\"Key\": string, \"Value\": string}");
      return false;
    }
    const std::string key(k->as_string());
    const std::string value(val->as_string());
    if (CodePoints(key) < 1 || CodePoints(key) > 128 || HasControlChars(key)) {
      *err = BadRequest(std::string(name) + " keys must be 1 to 128 characters");
      return false;
    }
    if (CodePoints(value) > 256 || HasControlChars(value)) {
      *err = BadRequest(std::string(name) + " values must be at most 256 characters");
      return false;
    }
    if (key.size() >= 4 && (key.compare(0, 4, "aws:") == 0 || key.compare(0, 4, "AWS:") == 0)) {
      *err = BadRequest("Tag keys starting with aws: are reserved");
      return false;
    }
    for (const Tag& seen : *out) {
      if (seen.first == key) {
        *err = BadRequest(std::string(name) + " has the key " + key + " twice");
        return false;
      }
    }
    out->emplace_back(key, value);
  }
  return true;
}

// {"Audio", "Video", "Content"}; required: every one must be present.
bool ParseCapabilitiesObject(const json::value* v, std::string_view name, bool required,
                             Capabilities* out, ApiError* err) {
  if (!v || v->is_null()) {
    if (!required) return true;
    *err = BadRequest(std::string(name) + " is required");
    return false;
  }
  if (!v->is_object()) {
    *err = BadRequest(std::string(name) + " must be an object");
    return false;
  }
  const json::object& c = v->as_object();
  struct {
    const char* key;
    std::string* out;
  } items[] = {{"Audio", &out->audio}, {"Video", &out->video}, {"Content", &out->content}};
  for (auto& item : items) {
    const json::value* m = c.if_contains(item.key);
    if (!m || m->is_null()) {
      if (!required) continue;
      *err = BadRequest(std::string(name) + "." + item.key + " is required");
      return false;
    }
    if (!CheckEnum(*m, std::string(name) + "." + item.key,
                   {"SendReceive", "Send", "Receive", "None"}, item.out, err))
      return false;
  }
  return true;
}

bool ParseArn(const json::object& obj, std::string* out, ApiError* err) {
  const json::value* a = obj.if_contains("ResourceARN");
  if (!a || !a->is_string() || a->as_string().empty() || a->as_string().size() > 1011) {
    *err = BadRequest("ResourceARN must be a string of 1 to 1011 characters");
    return false;
  }
  *out = std::string(a->as_string());
  return true;
}

bool ParseMeetingFields(const json::object& obj, const ParseLimits& limits, CreateMeetingParams* p,
                        ApiError* err) {
  Fields f(obj, "");
  std::optional<std::string> token, region, ext, host, primary;
  if (!f.String("ClientRequestToken", &token, err) || !f.String("MediaRegion", &region, err) ||
      !f.String("ExternalMeetingId", &ext, err) || !f.String("MeetingHostId", &host, err) ||
      !f.String("PrimaryMeetingId", &primary, err))
    return false;
  if (token) {
    if (!IsValidClientRequestToken(*token)) {
      *err = BadRequest("ClientRequestToken must be 2 to 64 characters of [-_a-zA-Z0-9]");
      return false;
    }
    p->client_request_token = *token;
    p->client_request_token_given = true;
  } else {
    p->client_request_token = NewUuid();
  }
  if (region && !IsValidMediaRegion(*region)) {
    *err = BadRequest("MediaRegion must be 2 to 64 characters of [a-z0-9-]");
    return false;
  }
  p->media_region = region.value_or(limits.default_media_region);
  if (ext && !IsValidExternalId(*ext)) {
    *err = BadRequest("ExternalMeetingId must be 2 to 64 characters");
    return false;
  }
  if (host && !IsValidExternalId(*host)) {
    *err = BadRequest("MeetingHostId must be 2 to 64 characters");
    return false;
  }
  if (primary && !UuidToBytes(*primary)) {
    *err = BadRequest("PrimaryMeetingId must be a meeting id (UUID)");
    return false;
  }
  p->external_meeting_id = ext;
  p->meeting_host_id = host;
  p->primary_meeting_id = primary;
  if (const json::value* feat = f.Get("MeetingFeatures")) {
    if (!ParseFeatures(*feat, limits, p, err)) return false;
  }
  if (const json::value* tenants = f.Get("TenantIds")) {
    if (!tenants->is_array() || tenants->as_array().empty() || tenants->as_array().size() > 5) {
      *err = BadRequest("TenantIds must be an array of 1 to 5 strings");
      return false;
    }
    for (const json::value& t : tenants->as_array()) {
      if (!t.is_string() || t.as_string().size() < 2 || t.as_string().size() > 256 ||
          HasControlChars(t.as_string())) {
        *err = BadRequest("TenantIds entries must be strings of 2 to 256 characters");
        return false;
      }
    }
    p->tenant_ids_json = json::serialize(*tenants);
  }
  if (const json::value* tags = f.Get("Tags")) {
    if (!ParseTagList(*tags, "Tags", &p->tags, err)) return false;
  }
  if (const json::value* n = f.Get("NotificationsConfiguration")) {
    if (!n->is_object()) {
      *err = BadRequest("NotificationsConfiguration must be an object");
      return false;
    }
    p->notifications_json = json::serialize(*n);
  }
  return true;
}

bool ParseAttendeeObject(const json::value& v, std::string prefix, AttendeeParams* a,
                         ApiError* err) {
  if (!v.is_object()) {
    *err = BadRequest(prefix + " must be an object");
    return false;
  }
  Fields f(v.as_object(), prefix.empty() ? "" : prefix + ".");
  std::optional<std::string> ext;
  if (!f.String("ExternalUserId", &ext, err)) return false;
  if (!ext) {
    *err = BadRequest(f.Name("ExternalUserId") + " is required");
    return false;
  }
  if (!IsValidExternalId(*ext)) {
    *err = BadRequest(f.Name("ExternalUserId") + " must be 2 to 64 characters");
    return false;
  }
  a->external_user_id = *ext;
  if (!ParseCapabilitiesObject(f.Get("Capabilities"), f.Name("Capabilities"), false,
                               &a->capabilities, err))
    return false;
  return true;
}

bool ParseAttendeeArray(const json::object& obj, size_t max, std::vector<AttendeeParams>* out,
                        ApiError* err) {
  const json::value* arr = obj.if_contains("Attendees");
  if (!arr || !arr->is_array()) {
    *err = BadRequest("Attendees must be an array");
    return false;
  }
  const json::array& a = arr->as_array();
  if (a.empty() || a.size() > max) {
    *err = BadRequest("Attendees must have 1 to " + std::to_string(max) + " entries");
    return false;
  }
  out->reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    AttendeeParams p;
    if (!ParseAttendeeObject(a[i], "Attendees[" + std::to_string(i) + "]", &p, err)) return false;
    out->push_back(std::move(p));
  }
  return true;
}

}  // namespace

bool IsValidExternalId(std::string_view s) {
  const size_t n = CodePoints(s);
  return n >= 2 && n <= 64 && !HasControlChars(s);
}

bool IsValidClientRequestToken(std::string_view s) {
  if (s.size() < 2 || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return false;
  }
  return true;
}

bool IsValidMediaRegion(std::string_view s) {
  if (s.size() < 2 || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

Parsed<CreateMeetingParams> ParseCreateMeeting(std::string_view body, const ParseLimits& limits) {
  Parsed<CreateMeetingParams> r;
  json::value v;
  CreateMeetingParams p;
  if (ParseObject(body, &v, &r.error) && ParseMeetingFields(v.as_object(), limits, &p, &r.error))
    r.value = std::move(p);
  return r;
}

Parsed<CreateMeetingWithAttendeesParams> ParseCreateMeetingWithAttendees(
    std::string_view body, const ParseLimits& limits) {
  Parsed<CreateMeetingWithAttendeesParams> r;
  json::value v;
  CreateMeetingWithAttendeesParams p;
  if (ParseObject(body, &v, &r.error) &&
      ParseMeetingFields(v.as_object(), limits, &p.meeting, &r.error) &&
      ParseAttendeeArray(v.as_object(), limits.max_create_with_attendees, &p.attendees, &r.error))
    r.value = std::move(p);
  return r;
}

Parsed<AttendeeParams> ParseCreateAttendee(std::string_view body) {
  Parsed<AttendeeParams> r;
  json::value v;
  AttendeeParams p;
  if (ParseObject(body, &v, &r.error) && ParseAttendeeObject(v, "", &p, &r.error))
    r.value = std::move(p);
  return r;
}

Parsed<std::vector<AttendeeParams>> ParseBatchCreateAttendee(std::string_view body,
                                                             const ParseLimits& limits) {
  Parsed<std::vector<AttendeeParams>> r;
  json::value v;
  std::vector<AttendeeParams> p;
  if (ParseObject(body, &v, &r.error) &&
      ParseAttendeeArray(v.as_object(), limits.max_batch_attendees, &p, &r.error))
    r.value = std::move(p);
  return r;
}

Parsed<UpdateCapabilitiesParams> ParseUpdateCapabilities(std::string_view body) {
  Parsed<UpdateCapabilitiesParams> r;
  json::value v;
  UpdateCapabilitiesParams p;
  if (ParseObject(body, &v, &r.error) &&
      ParseCapabilitiesObject(v.as_object().if_contains("Capabilities"), "Capabilities", true,
                              &p.capabilities, &r.error))
    r.value = std::move(p);
  return r;
}

Parsed<BatchUpdateCapabilitiesExceptParams> ParseBatchUpdateCapabilitiesExcept(
    std::string_view body) {
  Parsed<BatchUpdateCapabilitiesExceptParams> r;
  json::value v;
  BatchUpdateCapabilitiesExceptParams p;
  if (!ParseObject(body, &v, &r.error)) return r;
  const json::value* ids = v.as_object().if_contains("ExcludedAttendeeIds");
  if (!ids || !ids->is_array() || ids->as_array().empty() || ids->as_array().size() > 250) {
    r.error = BadRequest("ExcludedAttendeeIds must be an array of 1 to 250 {\"AttendeeId\"} items");
    return r;
  }
  for (const json::value& item : ids->as_array()) {
    const json::object* o = item.if_object();
    const json::value* id = o ? o->if_contains("AttendeeId") : nullptr;
    if (!id || !id->is_string() || !UuidToBytes(id->as_string())) {
      r.error = BadRequest("ExcludedAttendeeIds entries must be {\"AttendeeId\": <attendee id>}");
      return r;
    }
    p.excluded_attendee_ids.emplace_back(id->as_string());
  }
  if (ParseCapabilitiesObject(v.as_object().if_contains("Capabilities"), "Capabilities", true,
                              &p.capabilities, &r.error))
    r.value = std::move(p);
  return r;
}

Parsed<TagResourceParams> ParseTagResource(std::string_view body) {
  Parsed<TagResourceParams> r;
  json::value v;
  TagResourceParams p;
  if (!ParseObject(body, &v, &r.error) || !ParseArn(v.as_object(), &p.resource_arn, &r.error))
    return r;
  const json::value* tags = v.as_object().if_contains("Tags");
  if (!tags) {
    r.error = BadRequest("Tags is required");
    return r;
  }
  if (ParseTagList(*tags, "Tags", &p.tags, &r.error)) r.value = std::move(p);
  return r;
}

Parsed<UntagResourceParams> ParseUntagResource(std::string_view body) {
  Parsed<UntagResourceParams> r;
  json::value v;
  UntagResourceParams p;
  if (!ParseObject(body, &v, &r.error) || !ParseArn(v.as_object(), &p.resource_arn, &r.error))
    return r;
  const json::value* keys = v.as_object().if_contains("TagKeys");
  if (!keys || !keys->is_array() || keys->as_array().empty() || keys->as_array().size() > 50) {
    r.error = BadRequest("TagKeys must be an array of 1 to 50 strings");
    return r;
  }
  for (const json::value& k : keys->as_array()) {
    if (!k.is_string() || CodePoints(k.as_string()) < 1 || CodePoints(k.as_string()) > 128) {
      r.error = BadRequest("TagKeys entries must be strings of 1 to 128 characters");
      return r;
    }
    p.keys.emplace_back(k.as_string());
  }
  r.value = std::move(p);
  return r;
}

}  // namespace sfu::api

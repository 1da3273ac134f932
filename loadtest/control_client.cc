#include "loadtest/control_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "base/random.h"
#include "signaling/api/crypto_util.h"
#include "signaling/api/sigv4.h"

namespace sfu::loadtest {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

std::optional<HttpUrl> ParseUrl(const std::string& url, std::string* error) {
  HttpUrl u;
  const size_t sep = url.find("://");
  if (sep == std::string::npos) {
    *error = "'" + url + "' is not a URL (expected http://host:port)";
    return std::nullopt;
  }
  u.scheme = url.substr(0, sep);
  if (u.scheme == "https" || u.scheme == "wss") {
    *error =
        "'" + url +
        "': TLS endpoints are not supported by sfu-loadtest yet; use the server's plain listener";
    return std::nullopt;
  }
  if (u.scheme != "http" && u.scheme != "ws") {
    *error = "'" + url + "': scheme must be http or ws";
    return std::nullopt;
  }
  std::string rest = url.substr(sep + 3);
  const size_t slash = rest.find('/');
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string hostport = rest.substr(0, slash);
  u.port = 80;
  if (!hostport.empty() && hostport[0] == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string::npos) {
      *error = "'" + url + "': bad IPv6 host";
      return std::nullopt;
    }
    u.host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':')
      hostport = hostport.substr(close + 2);
    else
      hostport.clear();
  } else {
    const size_t colon = hostport.rfind(':');
    u.host = hostport.substr(0, colon);
    hostport = colon == std::string::npos ? "" : hostport.substr(colon + 1);
  }
  if (!hostport.empty()) {
    char* end = nullptr;
    const long p = std::strtol(hostport.c_str(), &end, 10);
    if (*end || p < 1 || p > 65535) {
      *error = "'" + url + "': bad port";
      return std::nullopt;
    }
    u.port = static_cast<uint16_t>(p);
  }
  if (u.host.empty()) {
    *error = "'" + url + "': no host";
    return std::nullopt;
  }
  return u;
}

ControlClient::ControlClient(HttpUrl endpoint, std::string key, std::string region)
    : endpoint_(std::move(endpoint)), region_(std::move(region)) {
  const size_t colon = key.find(':');
  if (colon != std::string::npos) {
    key_id_ = key.substr(0, colon);
    secret_ = key.substr(colon + 1);
  }
}

ControlClient::~ControlClient() = default;

ApiResponse ControlClient::Request(const std::string& method, const std::string& path,
                                   const std::string& body, std::chrono::milliseconds timeout) {
  ApiResponse out;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(endpoint_.host, std::to_string(endpoint_.port), ec);
  if (ec) {
    out.transport_error = "resolve " + endpoint_.host + ": " + ec.message();
    return out;
  }
  bool done = false;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  const std::string host = endpoint_.host + ":" + std::to_string(endpoint_.port);
  const size_t q = path.find('?');
  std::string full_path = (endpoint_.path == "/" ? "" : endpoint_.path) + path;
  req.method_string(method);
  req.target(full_path);
  req.version(11);
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "sfu-loadtest");
  req.body() = body;
  req.prepare_payload();
  if (!key_id_.empty()) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::string amz_date = api::FormatAmzDate(now_ms);
    std::vector<std::pair<std::string, std::string>> headers = {
        {"host", host}, {"x-amz-date", amz_date}, {"content-type", "application/json"}};
    const std::string raw_path =
        q == std::string::npos ? full_path : full_path.substr(0, full_path.find('?'));
    const std::string raw_query = q == std::string::npos ? "" : path.substr(q + 1);
    api::SigV4Request sr{method, raw_path, raw_query, &headers, body};
    req.set("x-amz-date", amz_date);
    req.set(http::field::authorization,
            api::SignSigV4(sr, key_id_, secret_, region_, "chime", amz_date));
  }
  stream.async_connect(results, [&](beast::error_code e, const tcp::endpoint&) {
    if (e) {
      out.transport_error = "connect to " + host + ": " + e.message();
      done = true;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code e2, std::size_t) {
      if (e2) {
        out.transport_error = "write: " + e2.message();
        done = true;
        return;
      }
      http::async_read(stream, buffer, res, [&](beast::error_code e3, std::size_t) {
        if (e3) out.transport_error = "read: " + e3.message();
        done = true;
      });
    });
  });
  ioc.run();
  if (!done || !out.transport_error.empty()) {
    if (out.transport_error.empty()) out.transport_error = "timed out";
    return out;
  }
  out.status = res.result_int();
  out.body = res.body();
  out.error_type = std::string(res["x-amzn-ErrorType"]);
  return out;
}

namespace {

std::string Describe(const ApiResponse& r) {
  if (r.status == 0) return r.transport_error;
  std::string msg;
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    if (auto* m = v.as_object().if_contains("Message"); m && m->is_string())
      msg = std::string(m->as_string());
  }
  return "HTTP " + std::to_string(r.status) + (r.error_type.empty() ? "" : " " + r.error_type) +
         (msg.empty() ? "" : ": " + msg);
}

std::optional<MeetingInfo> MeetingFrom(const ApiResponse& r, std::string* error) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  const json::value* m = !ec && v.is_object() ? v.as_object().if_contains("Meeting") : nullptr;
  if (!m || !m->is_object()) {
    *error = "unexpected response: " + r.body.substr(0, 200);
    return std::nullopt;
  }
  MeetingInfo info;
  if (auto* id = m->as_object().if_contains("MeetingId"); id && id->is_string())
    info.meeting_id = std::string(id->as_string());
  if (auto* mp = m->as_object().if_contains("MediaPlacement"); mp && mp->is_object()) {
    if (auto* s = mp->as_object().if_contains("SignalingUrl"); s && s->is_string())
      info.signaling_url = std::string(s->as_string());
  }
  if (info.meeting_id.empty()) {
    *error = "response without MeetingId";
    return std::nullopt;
  }
  return info;
}

}  // namespace

std::optional<MeetingInfo> ControlClient::CreateMeeting(const std::string& external_id,
                                                        std::string* error) {
  // A ClientRequestToken, as the AWS SDK sends: a retry is idempotent and never looks like a
  // replayed signature (docs/SECURITY.md).
  json::object body{{"ClientRequestToken", api::HexEncode(base::RandomBytes(16))},
                    {"ExternalMeetingId", external_id},
                    {"MediaRegion", region_}};
  const ApiResponse r = Request("POST", "/meetings", json::serialize(body));
  if (r.status != 200 && r.status != 201) {
    *error = "CreateMeeting: " + Describe(r);
    return std::nullopt;
  }
  return MeetingFrom(r, error);
}

std::optional<MeetingInfo> ControlClient::GetMeeting(const std::string& meeting_id,
                                                     std::string* error) {
  const ApiResponse r = Request("GET", "/meetings/" + meeting_id);
  if (r.status != 200) {
    *error = "GetMeeting " + meeting_id + ": " + Describe(r);
    return std::nullopt;
  }
  return MeetingFrom(r, error);
}

std::optional<std::string> ControlClient::CreateAttendee(const std::string& meeting_id,
                                                         const std::string& user,
                                                         std::string* error) {
  json::object body{{"ExternalUserId", user}};
  const ApiResponse r =
      Request("POST", "/meetings/" + meeting_id + "/attendees", json::serialize(body));
  if (r.status != 200 && r.status != 201) {
    *error = "CreateAttendee: " + Describe(r);
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  const json::value* a = !ec && v.is_object() ? v.as_object().if_contains("Attendee") : nullptr;
  const json::value* t = a && a->is_object() ? a->as_object().if_contains("JoinToken") : nullptr;
  if (!t || !t->is_string()) {
    *error = "CreateAttendee: response without JoinToken";
    return std::nullopt;
  }
  return std::string(t->as_string());
}

std::optional<std::vector<std::string>> ControlClient::CreateAttendees(
    const std::string& meeting_id, const std::vector<std::string>& users, std::string* error) {
  std::vector<std::string> tokens;
  for (size_t at = 0; at < users.size();) {
    const size_t n = std::min<size_t>(100, users.size() - at);
    json::array list;
    for (size_t i = 0; i < n; ++i) list.push_back(json::object{{"ExternalUserId", users[at + i]}});
    const std::string body = json::serialize(json::object{{"Attendees", std::move(list)}});
    ApiResponse r;
    for (int attempt = 0; attempt < 60; ++attempt) {
      r = Request("POST", "/meetings/" + meeting_id + "/attendees?operation=batch-create", body);
      if (r.status != 429) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the server's rate limit
    }
    if (r.status != 200 && r.status != 201) {
      *error = "BatchCreateAttendee: " + Describe(r);
      return std::nullopt;
    }
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    const json::value* a = !ec && v.is_object() ? v.as_object().if_contains("Attendees") : nullptr;
    if (!a || !a->is_array() || a->as_array().size() != n) {
      const json::value* errs =
          !ec && v.is_object() ? v.as_object().if_contains("Errors") : nullptr;
      *error = "BatchCreateAttendee: not every attendee was created" +
               (errs ? ": " + json::serialize(*errs).substr(0, 300) : std::string());
      return std::nullopt;
    }
    for (const json::value& e : a->as_array()) {
      const json::value* t = e.is_object() ? e.as_object().if_contains("JoinToken") : nullptr;
      if (!t || !t->is_string()) {
        *error = "BatchCreateAttendee: an attendee without JoinToken";
        return std::nullopt;
      }
      tokens.emplace_back(t->as_string());
    }
    at += n;
  }
  return tokens;
}

std::optional<std::string> ControlClient::Metrics(std::string* error) {
  const ApiResponse r = Request("GET", "/metrics", "", std::chrono::seconds(5));
  if (r.status != 200) {
    *error = "GET /metrics: " + Describe(r);
    return std::nullopt;
  }
  return r.body;
}

double SumMetric(const std::string& text, const std::string& name, const std::string& label) {
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.compare(0, name.size(), name) != 0) continue;
    const char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    if (!label.empty() && line.find(label) == std::string::npos) continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    sum += std::strtod(line.c_str() + space + 1, nullptr);
  }
  return sum;
}

}  // namespace sfu::loadtest

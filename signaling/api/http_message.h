#pragma once
// Transport-neutral HTTP request/response, so request handling is pure and testable without
// sockets. The Beast server (http_server.cc) converts to and from these.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sfu::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-encoded, without the query
  std::string query;   // percent-encoded, after '?', may be empty
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;
  std::string remote_address;
  bool remote_is_loopback = false;

  // First header with this name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void SetHeader(std::string name, std::string value);
  const std::string* Header(std::string_view name) const;
};

// Splits "a=1&b=%20x" into decoded pairs (percent-decoding; '+' kept literally).
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);
std::string PercentDecode(std::string_view s);
// Splits a path into decoded segments, dropping empty ones ("/meetings//x/" -> {meetings, x}).
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace sfu::http

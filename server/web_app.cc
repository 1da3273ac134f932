#include "server/web_app.h"

#include "server/web_assets.h"

namespace sfu::server {
namespace {

const WebAsset* Find(std::string_view path) {
  for (const WebAsset& a : WebAssets())
    if (a.path == path) return &a;
  return nullptr;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when If-None-Match lists etag (or is "*").
bool Matches(const std::string* if_none_match, std::string_view etag) {
  if (!if_none_match) return false;
  std::string_view rest = *if_none_match;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

http::HttpResponse Asset(const WebAsset& a, const http::HttpRequest& req) {
  http::HttpResponse r;
  r.SetHeader("ETag", std::string(a.etag));
  r.SetHeader("Cache-Control", "no-cache");
  r.SetHeader("Vary", "Accept-Encoding");
  if (Matches(req.Header("If-None-Match"), a.etag)) {
    r.status = 304;
    return r;
  }
  r.SetHeader("Content-Type", std::string(a.content_type));
  const std::string* accept = req.Header("Accept-Encoding");
  if (accept && AcceptsGzip(*accept) && a.gzip.size() < a.raw.size()) {
    r.SetHeader("Content-Encoding", "gzip");
    r.body = std::string(a.gzip);
  } else {
    r.body = std::string(a.raw);
  }
  return r;
}

}  // namespace

bool AcceptsGzip(std::string_view accept) {
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    std::string_view item = Trim(accept.substr(0, comma));
    const size_t semi = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semi));
    if (coding == "gzip" || coding == "x-gzip" || coding == "*") {
      std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi + 1);
      params = Trim(params);
      const bool refused =
          params.starts_with("q=0") && params.find_first_not_of("0.", 2) == std::string_view::npos;
      if (!refused) return true;
    }
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<http::HttpResponse> WebApp::Serve(const http::HttpRequest& req) const {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  const std::string& path = req.path;
  if (!enabled_) {
    if (path != "/") return std::nullopt;
    http::HttpResponse r;
    r.status = 404;
    r.SetHeader("Content-Type", "text/plain; charset=utf-8");
    r.body =
        "The meeting app is off on this server (--app off). The control API is at /meetings.\n";
    return r;
  }
  if (path.starts_with("/app/")) {
    const WebAsset* a = Find(path);
    if (!a) return std::nullopt;
    return Asset(*a, req);
  }
  // "/" and "/<meeting-name>": one segment, no dot (not a file such as favicon.ico).
  const std::string_view rest = std::string_view(path).substr(1);
  if (path.empty() || path[0] != '/' || rest.find('/') != std::string_view::npos ||
      rest.find('.') != std::string_view::npos)
    return std::nullopt;
  const WebAsset* index = Find("/");
  if (!index) return std::nullopt;
  return Asset(*index, req);
}

}  // namespace sfu::server

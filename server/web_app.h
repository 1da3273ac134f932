#pragma once
// Serves the meeting app's pages (server/web_assets.h, built from web/app):
//   GET /                   the app (lobby)
//   GET /<meeting-name>     the same page; it reads the meeting name from the path
//   GET /app/<file>         app.js, app.css, icon.svg
// With an ETag (304 on If-None-Match), Cache-Control: no-cache (revalidated on every load, so
// a new binary's app is picked up at once), gzip when the client accepts it. Paths with a dot
// in their one segment (favicon.ico, robots.txt) are not pages. With the app off (--app off),
// GET / says so and the rest is not served. Pure request -> response; the router calls it for
// GET/HEAD paths nothing else serves (signaling/http_router.h).

#include <optional>

#include "signaling/api/http_message.h"

namespace sfu::server {

class WebApp {
 public:
  explicit WebApp(bool enabled) : enabled_(enabled) {}

  // nullopt: not one of the app's paths (the router answers 404).
  std::optional<http::HttpResponse> Serve(const http::HttpRequest& req) const;

 private:
  bool enabled_;
};

// True when an Accept-Encoding header value accepts gzip (a "gzip" token without q=0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace sfu::server

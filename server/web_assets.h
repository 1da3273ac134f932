#pragma once
// The meeting app's static files (web/app), compiled into the binary: web/build-app.mjs bundles
// them with esbuild at build time and generates the definition of WebAssets() (server/
// CMakeLists.txt), so one sfu-server binary serves the app with no files beside it.

#include <span>
#include <string_view>

namespace sfu::server {

struct WebAsset {
  std::string_view path;          // "/" for index.html, "/app/app.js", ...
  std::string_view content_type;  // with charset for text
  std::string_view etag;          // quoted strong validator: a hash of the raw bytes
  std::string_view raw;
  std::string_view gzip;  // the same bytes, gzip-compressed (Content-Encoding: gzip)
};

// Every embedded asset; the table lives for the whole program.
std::span<const WebAsset> WebAssets();

}  // namespace sfu::server

// The meeting app's pages (server/web_app.h) from the assets compiled into the binary: which
// paths are pages, gzip, ETag revalidation, and the app switched off.
#include "server/web_app.h"

#include <gtest/gtest.h>

#include "server/web_assets.h"

namespace sfu::server {
namespace {

http::HttpRequest Get(std::string path, std::vector<std::pair<std::string, std::string>> h = {}) {
  http::HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.headers = std::move(h);
  return r;
}

TEST(WebAppTest, EmbedsTheBuiltApp) {
  std::vector<std::string> paths;
  for (const WebAsset& a : WebAssets()) {
    paths.emplace_back(a.path);
    EXPECT_FALSE(a.raw.empty()) << a.path;
    EXPECT_EQ(a.etag.front(), '"');
    EXPECT_EQ(a.gzip.substr(0, 2), std::string_view("\x1f\x8b", 2)) << a.path;
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/", "/app/app.js", "/app/app.css", "/app/icon.svg"}));
}

TEST(WebAppTest, RootAndMeetingLinksServeThePage) {
  WebApp app(true);
  for (const char* path : {"/", "/standup", "/%C3%A9quipe-nord"}) {
    std::optional<http::HttpResponse> r = app.Serve(Get(path));
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(*r->Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(r->body.find("<script src=\"/app/app.js\""), std::string::npos);
    EXPECT_EQ(r->body.find("<script>"), std::string::npos) << "no inline script";
  }
  for (const char* path : {"/favicon.ico", "/a/b", "/standup/", "/app/nope.js", "/app/"})
    EXPECT_FALSE(app.Serve(Get(path))) << path;
  http::HttpRequest post = Get("/");
  post.method = "POST";
  EXPECT_FALSE(app.Serve(post));
}

TEST(WebAppTest, GzipAndRevalidation) {
  WebApp app(true);
  std::optional<http::HttpResponse> plain = app.Serve(Get("/app/app.js"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->Header("Content-Encoding"), nullptr);
  EXPECT_EQ(*plain->Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(*plain->Header("Cache-Control"), "no-cache");
  const std::string etag = *plain->Header("ETag");
  std::optional<http::HttpResponse> gz =
      app.Serve(Get("/app/app.js", {{"Accept-Encoding", "br, gzip;q=0.8"}}));
  ASSERT_TRUE(gz);
  EXPECT_EQ(*gz->Header("Content-Encoding"), "gzip");
  EXPECT_LT(gz->body.size(), plain->body.size() / 2);
  std::optional<http::HttpResponse> same =
      app.Serve(Get("/app/app.js", {{"If-None-Match", "\"other\", " + etag}}));
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  EXPECT_TRUE(same->body.empty());
}

TEST(WebAppTest, AcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip, br"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.5"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
}

TEST(WebAppTest, OffSaysSoAtTheRootOnly) {
  WebApp app(false);
  std::optional<http::HttpResponse> r = app.Serve(Get("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("--app off"), std::string::npos);
  EXPECT_FALSE(app.Serve(Get("/standup")));
  EXPECT_FALSE(app.Serve(Get("/app/app.js")));
}

}  // namespace
}  // namespace sfu::server

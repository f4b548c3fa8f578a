#include "server/console_files.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "server/console_assets.h"

namespace flowstate::server {
namespace {

std::string Header(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) {
      return value;
    }
  }
  return "";
}

HttpRequest Get(std::string target) {
  HttpRequest request;
  request.method = "GET";
  request.target = std::move(target);
  return request;
}

TEST(ConsoleFilesTest, RootIsTheIndexRevalidatedByETag) {
  auto index = ServeConsoleFile(Get("/"));
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("<main id=\"app\">"), std::string::npos);
  EXPECT_EQ(Header(*index, "Cache-Control"), "no-cache");
  EXPECT_FALSE(Header(*index, "Content-Security-Policy").empty());
  EXPECT_EQ(Header(*index, "X-Content-Type-Options"), "nosniff");

  HttpRequest again = Get("/index.html");
  again.if_none_match = Header(*index, "ETag");
  auto cached = ServeConsoleFile(again);
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->status, 304);
  EXPECT_TRUE(cached->body.empty());
}

TEST(ConsoleFilesTest, HashedAssetsAreImmutableWithTheirContentType) {
  const auto assets = ConsoleAssets();
  auto script = std::find_if(assets.begin(), assets.end(), [](const ConsoleAsset& asset) {
    return asset.path.starts_with("/assets/") && asset.path.ends_with(".js");
  });
  ASSERT_NE(script, assets.end());
  auto served = ServeConsoleFile(Get(std::string(script->path) + "?v=1"));
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(*served, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(served->body, script->body);
  EXPECT_EQ(Header(*served, "Content-Encoding"), "");

  HttpRequest gzip = Get(std::string(script->path));
  gzip.accept_encoding = "gzip, deflate, br";
  auto packed = ServeConsoleFile(gzip);
  ASSERT_TRUE(packed.has_value());
  EXPECT_EQ(Header(*packed, "Content-Encoding"), "gzip");
  EXPECT_LT(packed->body.size(), script->body.size());
}

TEST(ConsoleFilesTest, UnknownPathsAreNotConsoleFiles) {
  EXPECT_FALSE(ServeConsoleFile(Get("/assets/missing.js")).has_value());
  EXPECT_FALSE(ServeConsoleFile(Get("/../etc/passwd")).has_value());
}

}  // namespace
}  // namespace flowstate::server

#include "server/request_guard.h"

#include <gtest/gtest.h>

namespace flowstate::server {
namespace {

HttpRequest Browser(std::string origin, std::string host) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.origin = std::move(origin);
  request.host = std::move(host);
  return request;
}

TEST(RequestGuardTest, ClientsWithoutOriginPass) {
  HttpRequest request;
  request.host = "sync-anything.example:8083";  // SDKs prefix the host for StartSyncExecution
  EXPECT_FALSE(CrossSiteRefusal(request, "127.0.0.1").has_value());
}

TEST(RequestGuardTest, TheConsoleItselfPasses) {
  EXPECT_FALSE(CrossSiteRefusal(Browser("http://127.0.0.1:8083", "127.0.0.1:8083"), "127.0.0.1"));
  EXPECT_FALSE(CrossSiteRefusal(Browser("http://localhost:8083", "localhost:8083"), "127.0.0.1"));
  EXPECT_FALSE(CrossSiteRefusal(Browser("http://[::1]:8083", "[::1]:8083"), "::1"));
  EXPECT_FALSE(
      CrossSiteRefusal(Browser("http://flow.internal:80", "flow.internal:80"), "flow.internal"));
}

TEST(RequestGuardTest, OtherOriginsAreRefused) {
  EXPECT_TRUE(CrossSiteRefusal(Browser("http://evil.example", "127.0.0.1:8083"), "127.0.0.1"));
  EXPECT_TRUE(CrossSiteRefusal(Browser("null", "127.0.0.1:8083"), "127.0.0.1"));
  EXPECT_TRUE(CrossSiteRefusal(Browser("http://127.0.0.1:9999", "127.0.0.1:8083"), "127.0.0.1"));
}

TEST(RequestGuardTest, ARebindingHostNameIsRefused) {
  // evil.example resolved to 127.0.0.1: same origin for the browser, but not a name we serve.
  EXPECT_TRUE(
      CrossSiteRefusal(Browser("http://evil.example:8083", "evil.example:8083"), "127.0.0.1"));
}

TEST(RequestGuardTest, AnyNameWhenServedOnEveryInterface) {
  EXPECT_FALSE(CrossSiteRefusal(Browser("http://flow.lan:8083", "flow.lan:8083"), "0.0.0.0"));
  EXPECT_TRUE(CrossSiteRefusal(Browser("http://evil.example", "flow.lan:8083"), "0.0.0.0"));
}

TEST(RequestGuardTest, OnlyAwsJsonContentTypes) {
  EXPECT_TRUE(IsAwsJsonContentType("application/x-amz-json-1.0"));
  EXPECT_TRUE(IsAwsJsonContentType("application/x-amz-json-1.0; charset=utf-8"));
  EXPECT_TRUE(IsAwsJsonContentType("Application/JSON"));
  EXPECT_FALSE(IsAwsJsonContentType("text/plain"));
  EXPECT_FALSE(IsAwsJsonContentType("application/x-www-form-urlencoded"));
  EXPECT_FALSE(IsAwsJsonContentType("multipart/form-data; boundary=x"));
}

}  // namespace
}  // namespace flowstate::server

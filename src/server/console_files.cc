#include "server/console_files.h"

#include <string>
#include <string_view>

#include "server/console_assets.h"

namespace flowstate::server {
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";
// CodeMirror writes its styles at run time, hence 'unsafe-inline' for styles only; scripts come
// from this origin alone, so an injected <script> or on* attribute never runs.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

const ConsoleAsset* FindAsset(std::string_view path) {
  if (path == "/" || path.empty()) {
    path = "/index.html";
  }
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.path == path) {
      return &asset;
    }
  }
  return nullptr;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  return accept_encoding.find("gzip") != std::string_view::npos;
}

}  // namespace

std::optional<HttpResponse> ServeConsoleFile(const HttpRequest& request) {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  const ConsoleAsset* asset = FindAsset(path);
  if (asset == nullptr) {
    return std::nullopt;
  }
  HttpResponse response;
  response.content_type = std::string(asset->content_type);
  response.headers = {
      {"Cache-Control", std::string(asset->immutable ? kImmutable : kRevalidate)},
      {"ETag", std::string(asset->etag)},
      {"Vary", "Accept-Encoding"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
  };
  if (request.if_none_match == asset->etag) {
    response.status = 304;
    return response;
  }
  if (!asset->gzip_body.empty() && AcceptsGzip(request.accept_encoding)) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = std::string(asset->gzip_body);
  } else {
    response.body = std::string(asset->body);
  }
  return response;
}

}  // namespace flowstate::server

// The console's static files (console/, built by Vite), compiled into the binary so
// `flowstate serve` is self-contained. The table is generated at build time by
// console/embed_assets.py into console_assets_generated.cc. Immutable; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace flowstate::server {

struct ConsoleAsset {
  std::string_view path;          // "/index.html", "/assets/index-3f2a9c.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8", ...
  std::string_view body;
  std::string_view gzip_body;  // the body gzip-compressed; empty when that would not pay
  std::string_view etag;       // quoted, from a hash of the body
  bool immutable = false;      // the name carries a content hash: cache it forever
};

std::span<const ConsoleAsset> ConsoleAssets();

}  // namespace flowstate::server

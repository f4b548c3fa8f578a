// Serves the console's embedded files (console_assets.h) for GET requests: "/" is index.html;
// names with a content hash are cached for a year, index.html is revalidated with its ETag;
// gzip when the browser accepts it. Every answer carries headers that keep the page from being
// framed or sniffed and a Content-Security-Policy that allows only same-origin scripts.
#pragma once

#include <optional>

#include "server/http_server.h"

namespace flowstate::server {

// The file for `request.target`, or nullopt when no console file has that path.
std::optional<HttpResponse> ServeConsoleFile(const HttpRequest& request);

}  // namespace flowstate::server

// RequestGuard keeps other web sites from using Flowstate through a visitor's browser. The API
// needs the X-Amz-Target header and an AWS JSON content type, which no cross-site form can send
// (a script must ask first, and Flowstate answers no CORS preflight). On top of that, a browser
// request (one with an Origin header) must come from the page's own origin, and name a host that
// is this machine or the one served (any, when served on every interface), which also defeats
// DNS rebinding of a loopback-only server. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/http_server.h"

namespace flowstate::server {

// The reason to refuse `request` (403), or nullopt. `served_host` is --host.
std::optional<std::string> CrossSiteRefusal(const HttpRequest& request,
                                            std::string_view served_host);

// Whether a POST / body type is one the AWS JSON protocol uses ("application/x-amz-json-1.0",
// "-1.1", or "application/json"); never one a plain HTML form can send.
bool IsAwsJsonContentType(std::string_view content_type);

}  // namespace flowstate::server

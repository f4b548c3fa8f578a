#include "server/request_guard.h"

#include <algorithm>
#include <cctype>

namespace flowstate::server {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "127.0.0.1:8083" -> "127.0.0.1"; "[::1]:8083" -> "[::1]".
std::string_view HostName(std::string_view host) {
  if (host.starts_with('[')) {
    const size_t end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  return host.substr(0, host.find(':'));
}

bool IsLocalName(std::string_view name, std::string_view served_host) {
  if (name == "localhost" || name == "[::1]" || name == served_host) {
    return true;
  }
  // Served on every interface, the server is reachable by any name anyway: DNS rebinding only
  // matters for a server that other machines cannot reach.
  if (served_host == "0.0.0.0" || served_host == "::") {
    return true;
  }
  // An IP literal cannot be rebound by DNS.
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.';
  });
}

}  // namespace

std::optional<std::string> CrossSiteRefusal(const HttpRequest& request,
                                            std::string_view served_host) {
  if (request.origin.empty()) {
    return std::nullopt;  // not a browser: the AWS CLI and SDKs send no Origin
  }
  const std::string host = Lower(request.host);
  if (Lower(request.origin) != "http://" + host) {
    return "cross-origin request from " + request.origin + " refused";
  }
  if (!IsLocalName(HostName(host), served_host)) {
    return "browser request for host " + request.host + " refused";
  }
  return std::nullopt;
}

bool IsAwsJsonContentType(std::string_view content_type) {
  const std::string type = Lower(content_type.substr(0, content_type.find(';')));
  return type == "application/x-amz-json-1.0" || type == "application/x-amz-json-1.1" ||
         type == "application/json";
}

}  // namespace flowstate::server

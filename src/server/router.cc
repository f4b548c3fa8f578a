#include "server/router.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <utility>

#include "api/api.h"
#include "api/api_error.h"
#include "json/json.h"
#include "server/console_events.h"
#include "server/console_files.h"
#include "server/request_guard.h"

namespace flowstate::server {
namespace {

constexpr std::string_view kEventsPath = "/console/events";
constexpr std::string_view kDataFlowPath = "/console/dataflow";

HttpResponse ErrorResponse(const api::ApiError& error) {
  return HttpResponse{error.http_status, "application/x-amz-json-1.0", api::ErrorBody(error)};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// The decoded value of `name` in the query string of `target`, or nullopt.
std::optional<std::string> QueryParam(std::string_view target, std::string_view name) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    }
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
  }
  return std::nullopt;
}

int64_t ParseEventId(const std::string& text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && value > 0 ? value : 0;
}

HttpResponse OpenEvents(ConsoleEvents& events, const HttpRequest& request) {
  auto execution = QueryParam(request.target, "execution");
  if (!execution || execution->empty()) {
    return ErrorResponse(api::ApiError{"ValidationException",
                                       "GET /console/events needs ?execution=<execution ARN>"});
  }
  // A reconnecting EventSource says where it stopped.
  const int64_t after = !request.last_event_id.empty()
                            ? ParseEventId(request.last_event_id)
                            : ParseEventId(QueryParam(request.target, "after").value_or(""));
  return events.Open(*execution, after);
}

HttpResponse DataFlow(api::Api& api, const HttpRequest& request) {
  if (!IsAwsJsonContentType(request.content_type)) {
    return ErrorResponse(api::ApiError{"UnsupportedMediaTypeException",
                                       "Content-Type must be application/json", 415});
  }
  auto body = json::Parse(request.body);
  if (!body) {
    return ErrorResponse(api::ApiError{"SerializationException",
                                       "Malformed request body: " + body.error().message()});
  }
  auto stages = api.DataFlow(*body);
  if (!stages) {
    return ErrorResponse(stages.error());
  }
  return HttpResponse{200, "application/json", json::Dump(*stages)};
}

void HandleApi(api::Api& api, const HttpRequest& request, Responder respond) {
  if (!request.content_type.empty() && !IsAwsJsonContentType(request.content_type)) {
    respond(ErrorResponse(api::ApiError{
        "UnsupportedMediaTypeException",
        "Content-Type must be application/x-amz-json-1.0, not " + request.content_type, 415}));
    return;
  }
  api.Handle(
      request.amz_target, request.body, [respond = std::move(respond)](api::ApiResponse response) {
        respond(
            HttpResponse{response.status, "application/x-amz-json-1.0", std::move(response.body)});
      });
}

}  // namespace

Handler MakeRouter(api::Api& api, ConsoleEvents& events, std::string served_host) {
  return [&api, &events, served_host = std::move(served_host)](HttpRequest request,
                                                               Responder respond) {
    if (auto refusal = CrossSiteRefusal(request, served_host)) {
      respond(ErrorResponse(api::ApiError{"AccessDeniedException", *refusal, 403}));
      return;
    }
    const std::string_view path =
        std::string_view(request.target).substr(0, std::string_view(request.target).find('?'));
    if (request.method == "POST" && path == "/") {
      HandleApi(api, request, std::move(respond));
      return;
    }
    if (request.method == "POST" && path == kDataFlowPath) {
      respond(DataFlow(api, request));
      return;
    }
    if (request.method == "GET" && path == "/health") {
      respond(HttpResponse{200, "application/json", R"({"status":"ok"})"});
      return;
    }
    if (request.method == "GET" && path == kEventsPath) {
      respond(OpenEvents(events, request));
      return;
    }
    if (request.method == "GET") {
      if (auto file = ServeConsoleFile(request)) {
        respond(std::move(*file));
        return;
      }
    }
    respond(ErrorResponse(api::ApiError{
        "UnknownOperationException", "Not found: " + request.method + " " + request.target, 404}));
  };
}

}  // namespace flowstate::server

#include "server/router.h"

#include <utility>

#include "api/api.h"
#include "api/api_error.h"

namespace flowstate::server {

Handler MakeRouter(api::Api& api) {
  return [&api](HttpRequest request, Responder respond) {
    if (request.method == "POST" && (request.target == "/" || request.target.starts_with("/?"))) {
      api.Handle(request.amz_target, request.body,
                 [respond = std::move(respond)](api::ApiResponse response) {
                   respond(HttpResponse{response.status, "application/x-amz-json-1.0",
                                        std::move(response.body)});
                 });
      return;
    }
    if (request.method == "GET" && request.target == "/health") {
      respond(HttpResponse{200, "application/json", R"({"status":"ok"})"});
      return;
    }
    respond(HttpResponse{
        404, "application/x-amz-json-1.0",
        api::ErrorBody(api::ApiError{"UnknownOperationException",
                                     "Not found: " + request.method + " " + request.target, 404})});
  };
}

}  // namespace flowstate::server

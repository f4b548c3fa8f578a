// The HTTP routes of `flowstate serve`: `POST /` is the Step Functions API (routed on
// X-Amz-Target, whatever the Host header says: SDKs send `sync-<host>` for StartSyncExecution),
// `GET /health` answers {"status":"ok"}. Everything else is a 404 in AWS's error shape.
#pragma once

#include "server/http_server.h"

namespace flowstate::api {
class Api;
}  // namespace flowstate::api

namespace flowstate::server {

// REQUIRES: `api` outlives the handler.
Handler MakeRouter(api::Api& api);

}  // namespace flowstate::server

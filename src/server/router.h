// The HTTP routes of `flowstate serve`: `POST /` is the Step Functions API (routed on
// X-Amz-Target, whatever the Host header says: SDKs send `sync-<host>` for StartSyncExecution),
// `GET /health` answers {"status":"ok"}, `GET /console/events?execution=ARN` streams an
// execution's history to the console, `POST /console/dataflow` replays a state's data flow
// (Api::DataFlow), and other GETs serve the console's files. Browser
// requests from other sites are refused (request_guard.h). Everything else is a 404 in AWS's
// error shape.
#pragma once

#include <string>

#include "server/http_server.h"

namespace flowstate::api {
class Api;
}  // namespace flowstate::api

namespace flowstate::server {

class ConsoleEvents;

// REQUIRES: `api` and `events` outlive the handler. `served_host` is the address served
// (--host), which browsers may name in their Host header.
Handler MakeRouter(api::Api& api, ConsoleEvents& events, std::string served_host);

}  // namespace flowstate::server

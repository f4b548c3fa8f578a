// Api serves the Step Functions API over AWS JSON 1.0 (AWS-REFERENCE.md §1-3): it routes on the
// X-Amz-Target operation name, validates the request shape like AWS, runs the operation against
// the Store and the Runtime, and answers either the operation's JSON result or AWS's error shape.
// Operations that wait for an execution (StartSyncExecution, StopExecution) answer later, from a
// lane thread, without holding the caller's thread. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/api_error.h"
#include "api/arns.h"
#include "base/clock.h"
#include "json/json.h"

namespace flowstate::store {
class Store;
}  // namespace flowstate::store
namespace flowstate::runtime {
class Runtime;
}  // namespace flowstate::runtime

namespace flowstate::api {

struct ApiOptions {
  ArnScope scope;
};

struct ApiResponse {
  int status = 200;
  std::string body;
};

using ApiDone = std::function<void(ApiResponse)>;

class Api {
 public:
  // REQUIRES: the references outlive the Api.
  Api(const ApiOptions& options, store::Store& store, runtime::Runtime& runtime,
      const base::Clock& clock);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // `target` is the X-Amz-Target header ("AWSStepFunctions.StartExecution"). `done` is called
  // exactly once, possibly on another thread, possibly before Handle returns.
  void Handle(std::string_view target, std::string_view body, ApiDone done);

  // For the console (no AWS operation does this): the events of a Standard execution after
  // `after_event_id`, at most `limit`, rendered as GetExecutionHistory renders them, its
  // current status and the task tokens it waits on: {"events": [...], "status": "RUNNING",
  // "taskTokens": [{"taskToken": "..."}]}. ExecutionDoesNotExist otherwise.
  ApiResult<json::Json> HistorySince(const std::string& execution_arn, int64_t after_event_id,
                                     int limit);

  // For the console: one state visit's data flow, stage by stage (JSONPath: InputPath,
  // Parameters, Result, ResultSelector, Assign, ResultPath, OutputPath; JSONata: Arguments,
  // Result, Assign, Output), computed by the engine's data-flow code on what the execution's
  // history recorded (engine/replay.h). Request {"executionArn", "enteredEventId": the visit's
  // ...StateEntered event id}; answer {"stages": [{"stage", "recorded": bool, "value": "<JSON
  // text>"} or {"stage", "note": why there is no value}], "state", "queryLanguage"}. Reads only.
  ApiResult<json::Json> DataFlow(const json::Json& request);

  // What every operation works with (defined in api/operations.h).
  struct Context;

 private:
  std::unique_ptr<Context> context_;
};

}  // namespace flowstate::api

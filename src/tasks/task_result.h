// What a Task's call produced, as Step Functions reports it: the task's raw result (before
// ResultSelector/ResultPath), or an ASL error name and cause that flow into Retry/Catch.
#pragma once

#include <string>

#include "json/json.h"

namespace flowstate::tasks {

struct TaskResult {
  bool ok = false;
  json::Json output;  // when ok
  std::string error;  // when !ok: "Exception", "Lambda.ResourceNotFoundException", ...
  std::string cause;
  // The call outlived the task's TimeoutSeconds (error is "States.Timeout", cause ""): the
  // runtime records TaskTimedOut / LambdaFunctionTimedOut rather than ...Failed.
  bool timed_out = false;

  static TaskResult Success(json::Json value) {
    TaskResult r;
    r.ok = true;
    r.output = std::move(value);
    return r;
  }
  static TaskResult Failure(std::string error_name, std::string cause_text) {
    TaskResult r;
    r.error = std::move(error_name);
    r.cause = std::move(cause_text);
    return r;
  }
};

}  // namespace flowstate::tasks

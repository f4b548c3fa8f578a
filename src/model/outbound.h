// What an engine step asks the runtime to do after it commits the step: timers to set, tasks to
// call, and (when the execution ended) how it ended. The runtime answers each timer and task with
// an Input carrying the same stamp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "json/json.h"
#include "model/execution_status.h"

namespace flowstate::model {

struct TimerRequest {
  base::Timestamp fire_at{};
  uint64_t stamp = 0;
};

enum class TaskKind {
  kLambdaInvoke,  // arn:aws:states:::lambda:invoke: parameters {FunctionName, Payload, ...};
                  // the result is AWS's wrapped {ExecutedVersion, Payload, SdkHttpMetadata, ...}
  kLambdaLegacy,  // arn:aws:lambda:...:function:NAME: parameters are the payload; the result is
                  // the function's return value as is
  kActivity,      // arn:aws:states:...:activity:NAME: parameters are the input a worker gets
};

struct OutboundTask {
  uint64_t stamp = 0;
  TaskKind kind = TaskKind::kLambdaInvoke;
  std::string resource;       // the state's Resource ARN as written
  std::string function_name;  // function name or ARN to invoke (legacy: from the Resource)
  json::Json parameters;      // effective input: the Lambda payload, or the invoke parameters
  std::optional<int64_t> timeout_seconds;
  std::optional<int64_t> heartbeat_seconds;
  // Activities and `.waitForTaskToken` tasks: the token that SendTaskSuccess/Failure/Heartbeat
  // name to answer this task (`$$.Task.Token`); empty for other tasks.
  std::string task_token;
  // `.waitForTaskToken`: the integration's response is only TaskSubmitted; the result is what
  // SendTaskSuccess/Failure brings.
  bool wait_for_task_token = false;

  // The outbox encoding (durable stores keep it until the task is answered): the kind as text
  // and the rest as one JSON object.
  std::string KindText() const;
  json::Json ToJson() const;
  static base::Result<OutboundTask> FromOutbox(uint64_t stamp, std::string_view kind,
                                               std::string_view payload);
};

// A task token the engine stopped waiting for (answered, timed out or aborted): SendTask* on it
// is now TaskTimedOut (timed_out) or TaskDoesNotExist.
struct TokenClosed {
  std::string token;
  bool timed_out = false;
};

struct Terminal {
  ExecutionStatus status = ExecutionStatus::kSucceeded;
  json::Json output;  // when kSucceeded
  std::string error;  // when failed, timed out or aborted (may be empty, as on AWS)
  std::string cause;
  bool has_error = false;
  bool has_cause = false;
};

}  // namespace flowstate::model

// Input is everything that can move an execution forward (ARCHITECTURE.md §1, principle 3):
// its start, a task's result, a fired timer, a stop request. Each input that answers earlier
// outbound work carries that work's stamp; the engine drops an input whose stamp no longer
// matches (lazy cancellation), producing no event.
#pragma once

#include <cstdint>
#include <string>

#include "json/json.h"
#include "model/execution_info.h"

namespace flowstate::model {

enum class InputKind {
  kStart,          // info + payload (the execution input)
  kTaskSucceeded,  // stamp + payload (the task's raw result, before ResultSelector)
  kTaskFailed,     // stamp + error + cause
  kTimerFired,     // stamp
  kStop,           // error + cause (StopExecution)
  // Callback and activity tasks (AWS-REFERENCE.md §7): each carries the task's stamp.
  kTaskSubmitted,       // payload: the integration's response; the task now waits for its token
  kActivityStarted,     // worker_name: a GetActivityTask poll claimed the activity task
  kHeartbeat,           // SendTaskHeartbeat: moves the heartbeat deadline, writes no event
  kTaskScheduleFailed,  // error + cause: the task could not be scheduled (unknown activity)
  // RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution continues from its unsuccessful
  // states (engine/redrive.cc). Applied to the execution's terminal snapshot.
  kRedrive,
};

struct Input {
  InputKind kind = InputKind::kStart;
  uint64_t stamp = 0;
  json::Json payload;
  std::string error;
  std::string cause;
  std::string worker_name;  // kActivityStarted only
  ExecutionInfo info;       // kStart only
};

}  // namespace flowstate::model

// The console's data-flow view of one recorded state visit: each stage (InputPath, Parameters,
// ResultSelector, ResultPath, OutputPath; JSONata: Arguments, Output, Assign) computed by the
// engine's own data-flow code on what history recorded, so a stage never shows a value the
// engine would not have computed. What history records exactly (task parameters, the result,
// the output, assigned variables) is shown as recorded; the replay is trusted only where it
// reproduces every recorded value, and a stage it cannot recover says so instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "asl/state_machine_model.h"
#include "base/asl_error.h"
#include "base/clock.h"
#include "json/json.h"
#include "model/execution_info.h"

namespace flowstate::engine {

// What history tells about one visit of a state (the last attempt when it was retried).
struct RecordedVisit {
  asl::ScopeIndex scope = asl::kRootScope;
  asl::StateIndex state = asl::kNoState;
  model::ExecutionInfo info;              // as the execution started (redrive_count at the visit)
  int64_t entered_event_id = 0;           // its ...StateEntered event (causes cite it)
  json::Json execution_input;             // $$.Execution.Input
  json::Json input;                       // the ...StateEntered input
  base::Timestamp entered_time{};         // $$.State.EnteredTime
  int32_t retry_count = 0;                // $$.State.RetryCount of the last attempt
  std::optional<json::Json> variables;    // visible at entry (object); nullopt: not derivable
  std::optional<json::Json> task_input;   // the last attempt's recorded parameters (Task)
  std::optional<json::Json> result;       // the task's result, or the branch/iteration outputs
  std::optional<json::Json> item_inputs;  // a Map: each iteration's input (ItemSelector), by index
  bool caught = false;                    // left through a Catcher
  std::optional<base::AslError> failure;  // the last attempt's recorded error (tasks)
  std::optional<json::Json> output;       // the ...StateExited output
  std::optional<json::Json> assigned;     // the ...StateExited assignedVariables (parsed)
};

struct ReplayedStage {
  std::string stage;  // "InputPath", "Parameters", "Arguments", "Output", ...
  std::optional<json::Json> value;
  std::string note;       // why there is no value (or the error the stage raised)
  bool recorded = false;  // the value is history's own, not a replay
};

std::vector<ReplayedStage> ReplayDataFlow(const asl::StateMachineModel& model,
                                          const RecordedVisit& visit);

}  // namespace flowstate::engine

// The context object `$$` (AWS-REFERENCE.md §6.12), built only for states that read it.
#include "engine/executor.h"
#include "json/json.h"

namespace flowstate::engine {

const json::Json* Executor::ContextFor(int32_t frame_id, const asl::State& state) {
  if (!state.uses_context) {
    return nullptr;
  }
  context_ = BuildContext(frame_id, state);
  return &context_;
}

json::Json Executor::BuildContext(int32_t frame_id, const asl::State& state) {
  const model::ExecutionInfo& info = snapshot_.info;
  const model::Frame& current = frame(frame_id);
  json::Json context = json::Json::object();
  context["Execution"] = {{"Id", info.execution_arn},
                          {"Input", snapshot_.execution_input},
                          {"Name", info.execution_name},
                          {"RoleArn", info.role_arn},
                          {"StartTime", base::FormatIso8601(info.start_time)},
                          {"RedriveCount", info.redrive_count}};
  if (info.redrive_count != 0) {
    context["Execution"]["RedriveTime"] = base::FormatIso8601(info.redrive_time);
  }
  context["State"] = {{"EnteredTime", base::FormatIso8601(current.entered_time)},
                      {"Name", state.name}};
  if (!state.retriers.empty()) {
    // AWS shows RetryCount only for states that can retry.
    context["State"]["RetryCount"] = current.retry_count;
  }
  context["StateMachine"] = {{"Id", info.state_machine_arn}, {"Name", info.state_machine_name}};
  if (state.type == asl::StateType::kTask && !current.task_token.empty()) {
    context["Task"] = {{"Token", current.task_token}};  // activities and callbacks only
  }
  return context;
}

}  // namespace flowstate::engine

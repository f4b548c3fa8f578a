// Task states (AWS-REFERENCE.md §7): Lambda in its two forms, `lambda:invoke.waitForTaskToken`
// and activities. The engine emits the outbound call with a stamp; the runtime answers with
// kTaskSucceeded/kTaskFailed (token tasks: see token_task.cc).
#include <utility>

#include "engine/executor.h"
#include "json/compact_text.h"
#include "json/json.h"
#include "query/json_path.h"
#include "query/jsonata_template.h"

namespace flowstate::engine {
namespace {

// TimeoutSecondsPath / HeartbeatSecondsPath: a positive integer.
tl::expected<int64_t, std::string> ResolveSeconds(const asl::PathField& field,
                                                  const query::EvalContext& ctx,
                                                  std::string_view name) {
  auto selected = field.path->Select(ctx);
  if (!selected) {
    return tl::unexpected(selected.error().cause);
  }
  if (!selected->is_number_integer() || selected->get<int64_t>() <= 0) {
    return tl::unexpected(
        "The " + std::string(name) + " field refers to value \"" +
        (selected->is_string() ? selected->get<std::string>() : json::Dump(*selected)) +
        "\" which is not a valid positive integer: " + field.text);
  }
  return selected->get<int64_t>();
}

}  // namespace

void Executor::RunTask(int32_t frame_id, const asl::State& state) {
  const asl::TaskSpec& task = state.task;
  {
    // Each attempt gets its own token, made before Parameters so `$$.Task.Token` can read it.
    model::Frame& current = frame(frame_id);
    current.task_token = UsesTaskToken(task) ? NewTaskToken() : std::string();
    current.task_started = false;
    current.heartbeat_seconds = 0;
    current.heartbeat_stamp = 0;
  }
  auto selected = SelectInput(frame_id, state);
  if (!selected) {
    HandleStateError(frame_id, std::move(selected.error()));
    return;
  }
  Expected effective;
  if (state.jsonata) {
    effective = JsonataArguments(frame_id, state);
  } else if (state.parameters.present) {
    effective = ApplyTemplate(frame_id, state, state.parameters, selected->get());
  } else if (selected->borrowed == nullptr) {
    effective = selected->owned;  // copied: the ...Path fields below still read it
  } else {
    effective = *selected->borrowed;  // the state input stays for ResultPath
  }
  if (!effective) {
    HandleStateError(frame_id, std::move(effective.error()));
    return;
  }
  if (task.kind == asl::TaskKind::kUnsupported) {
    HandleStateError(
        frame_id, RuntimeError(frame_id, state,
                               {"States.Runtime", "The resource '" + task.resource +
                                                      "' is not supported by this engine yet."}));
    return;
  }
  std::optional<int64_t> timeout = task.timeout_seconds;
  std::optional<int64_t> heartbeat = task.heartbeat_seconds;
  if (task.timeout_seconds_path.present || task.heartbeat_seconds_path.present) {
    // The ...Path fields read the state input (after InputPath), not the Parameters.
    query::EvalContext ctx = MakeContext(frame_id, state, &selected->get());
    for (auto [field, out, name] :
         {std::tuple{&task.timeout_seconds_path, &timeout, "TimeoutSecondsPath"},
          std::tuple{&task.heartbeat_seconds_path, &heartbeat, "HeartbeatSecondsPath"}}) {
      if (!field->present || field->path == nullptr) {
        continue;
      }
      auto seconds = ResolveSeconds(*field, ctx, name);
      if (!seconds) {
        HandleStateError(frame_id,
                         RuntimeError(frame_id, state, {"States.Runtime", seconds.error()}));
        return;
      }
      *out = *seconds;
    }
  }
  if (task.timeout_seconds_expr.present || task.heartbeat_seconds_expr.present) {
    StatesView view;
    view.input = &frame(frame_id).input;
    for (auto [field, out, name] :
         {std::tuple{&task.timeout_seconds_expr, &timeout, "TimeoutSeconds"},
          std::tuple{&task.heartbeat_seconds_expr, &heartbeat, "HeartbeatSeconds"}}) {
      if (!field->present) continue;
      auto seconds = EvalJsonataInteger(frame_id, state, *field, name, view);
      if (seconds && *seconds <= 0) {
        seconds = tl::unexpected(RuntimeError(
            frame_id, state,
            {"States.QueryEvaluationError",
             "The JSONata expression '" + field->compiled->single_text() +
                 "' specified for the field '" + name +
                 "' returned a value that is not a positive integer: " + std::to_string(*seconds),
             std::string(name)}));
      }
      if (!seconds) {
        HandleStateError(frame_id, std::move(seconds.error()));
        return;
      }
      *out = *seconds;
    }
  }
  std::string parameters_text;
  if (ExceedsPayloadLimit(PayloadSize(*effective, parameters_text))) {
    HandleStateError(frame_id, DataLimitError(state.name));
    return;
  }
  // Built where the runtime takes it from (nothing below fails or adds another task).
  model::OutboundTask& outbound = outcome_.tasks.emplace_back();
  outbound.stamp = NewStamp(frame_id);
  outbound.resource = task.resource;
  outbound.timeout_seconds = timeout;
  outbound.heartbeat_seconds = heartbeat;
  outbound.task_token = frame(frame_id).task_token;
  outbound.wait_for_task_token = task.wait_for_task_token;
  if (task.kind == asl::TaskKind::kActivity) {
    outbound.kind = model::TaskKind::kActivity;
    model::HistoryEvent& scheduled =
        Emit(frame_id, "ActivityScheduled", "activityScheduledEventDetails");
    if (options_.record_history) {
      scheduled.details["resource"] = task.resource;
      scheduled.details["input"] = model::RawJson{parameters_text};
      scheduled.details["inputDetails"] = NotTruncated();
      if (timeout) scheduled.details["timeoutInSeconds"] = *timeout;
      if (heartbeat) scheduled.details["heartbeatInSeconds"] = *heartbeat;
    }
  } else if (task.kind == asl::TaskKind::kLambdaInvoke) {
    outbound.kind = model::TaskKind::kLambdaInvoke;
    if (effective->is_object()) {
      auto name = effective->find("FunctionName");
      if (name != effective->end() && name->is_string()) {
        outbound.function_name = name->get<std::string>();
      }
    }
    model::HistoryEvent& scheduled = Emit(frame_id, "TaskScheduled", "taskScheduledEventDetails");
    if (options_.record_history) {
      scheduled.details["resourceType"] = task.resource_type;
      scheduled.details["resource"] = task.resource_api;
      scheduled.details["region"] = Region();
      scheduled.details["parameters"] = model::RawJson{parameters_text};
      if (timeout) scheduled.details["timeoutInSeconds"] = *timeout;
      if (heartbeat) scheduled.details["heartbeatInSeconds"] = *heartbeat;
    }
    model::HistoryEvent& started = Emit(frame_id, "TaskStarted", "taskStartedEventDetails");
    if (options_.record_history) {
      started.details["resourceType"] = task.resource_type;
      started.details["resource"] = task.resource_api;
    }
  } else {
    outbound.kind = model::TaskKind::kLambdaLegacy;
    outbound.function_name = task.function_name;
    model::HistoryEvent& scheduled =
        Emit(frame_id, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails");
    if (options_.record_history) {
      scheduled.details["resource"] = task.resource;
      scheduled.details["input"] = model::RawJson{parameters_text};
      scheduled.details["inputDetails"] = NotTruncated();
      if (timeout) scheduled.details["timeoutInSeconds"] = *timeout;
    }
    Emit(frame_id, "LambdaFunctionStarted", "");
  }
  outbound.parameters = std::move(*effective);
  model::Frame& current = frame(frame_id);
  current.phase = model::FramePhase::kWaitTask;
  current.stamp = outbound.stamp;
  if (timeout) {
    current.timeout_stamp = NewStamp(frame_id);
    outcome_.timers.push_back(
        {base::AddSeconds(now_, static_cast<double>(*timeout)), current.timeout_stamp});
  }
  if (heartbeat && !current.task_token.empty()) {
    current.heartbeat_seconds = *heartbeat;
    // A callback's heartbeat clock runs from the start; an activity's from ActivityStarted.
    if (task.kind != asl::TaskKind::kActivity) {
      ArmHeartbeat(frame_id);
    }
  }
}

void Executor::TaskResult(int32_t frame_id, json::Json&& result) {
  const asl::State& state = StateOf(frame_id);
  const asl::TaskSpec& task = state.task;
  CloseTaskToken(frame_id, /*timed_out=*/false);
  model::Frame& current = frame(frame_id);
  current.stamp = 0;
  current.timeout_stamp = 0;
  current.phase = model::FramePhase::kEnter;
  std::string text;
  if (ExceedsPayloadLimit(PayloadSize(result, text))) {
    // The result itself is too big: reported as the task's failure.
    TaskFailure(frame_id,
                DataLimitError(task.kind == asl::TaskKind::kLambdaInvoke ? task.resource_type
                                                                         : task.resource),
                /*timed_out=*/false);
    return;
  }
  if (task.kind == asl::TaskKind::kActivity) {
    model::HistoryEvent& succeeded =
        Emit(frame_id, "ActivitySucceeded", "activitySucceededEventDetails");
    if (options_.record_history) {
      succeeded.details["output"] = model::RawJson{text};
      succeeded.details["outputDetails"] = NotTruncated();
    }
  } else if (task.kind == asl::TaskKind::kLambdaInvoke) {
    model::HistoryEvent& succeeded = Emit(frame_id, "TaskSucceeded", "taskSucceededEventDetails");
    if (options_.record_history) {
      succeeded.details["resourceType"] = task.resource_type;
      succeeded.details["resource"] = task.resource_api;
      succeeded.details["output"] = model::RawJson{text};
      succeeded.details["outputDetails"] = NotTruncated();
    }
  } else {
    model::HistoryEvent& succeeded =
        Emit(frame_id, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails");
    if (options_.record_history) {
      succeeded.details["output"] = model::RawJson{text};
      succeeded.details["outputDetails"] = NotTruncated();
    }
  }
  FinishWithResult(frame_id, state, std::move(result));
}

void Executor::TaskFailure(int32_t frame_id, base::AslError error, bool timed_out) {
  const asl::State& state = StateOf(frame_id);
  const asl::TaskSpec& task = state.task;
  CloseTaskToken(frame_id, timed_out);
  model::Frame& current = frame(frame_id);
  current.stamp = 0;
  current.timeout_stamp = 0;
  current.phase = model::FramePhase::kEnter;
  if (task.kind == asl::TaskKind::kActivity) {
    model::HistoryEvent& failed =
        timed_out ? Emit(frame_id, "ActivityTimedOut", "activityTimedOutEventDetails")
                  : Emit(frame_id, "ActivityFailed", "activityFailedEventDetails");
    if (!error.error.empty()) failed.details["error"] = error.error;
    if (!error.cause.empty()) failed.details["cause"] = error.cause;
  } else if (task.kind == asl::TaskKind::kLambdaInvoke) {
    model::HistoryEvent& failed = timed_out
                                      ? Emit(frame_id, "TaskTimedOut", "taskTimedOutEventDetails")
                                      : Emit(frame_id, "TaskFailed", "taskFailedEventDetails");
    failed.details["resourceType"] = task.resource_type;
    failed.details["resource"] = task.resource_api;
    if (!error.error.empty()) failed.details["error"] = error.error;
    if (!error.cause.empty()) failed.details["cause"] = error.cause;
  } else {
    model::HistoryEvent& failed =
        timed_out ? Emit(frame_id, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails")
                  : Emit(frame_id, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails");
    if (!error.error.empty()) failed.details["error"] = error.error;
    if (!error.cause.empty()) failed.details["cause"] = error.cause;
  }
  HandleStateError(frame_id, std::move(error));
}

// A state's result (a task's, or a Parallel's or Map's collected outputs) through the state's
// query language to its output, then on to its Next.
void Executor::FinishWithResult(int32_t frame_id, const asl::State& state, json::Json&& result) {
  if (state.jsonata) {
    StatesView view;
    view.input = &frame(frame_id).input;
    view.result = &result;
    FinishJsonata(frame_id, state, view, result, state.next);
    return;
  }
  json::Json assigned;
  Expected output =
      FinishDataFlow(frame_id, state, std::move(result), /*apply_selector=*/true, &assigned);
  if (!output) {
    HandleStateError(frame_id, std::move(output.error()));
    return;
  }
  ExitState(frame_id, state, std::move(*output), state.next, false, std::move(assigned));
}

}  // namespace flowstate::engine

// Retry and Catch (AWS-REFERENCE.md §6.9): the first matching retrier retries (a timer, no
// event), otherwise the first matching catcher moves on with {Error, Cause}, otherwise the
// scope fails. A task result over the payload limit (States.DataLimitExceeded, reported as a
// TaskFailed) is caught by States.ALL, as AWS recorded it.
#include <algorithm>
#include <cmath>
#include <utility>

#include "engine/executor.h"
#include "json/json.h"

namespace flowstate::engine {

bool Executor::ErrorMatches(const std::vector<std::string>& error_equals,
                            const std::string& error) {
  // States.Runtime is terminal: no Retry or Catch handles it, not even one naming it
  // (AWS-recorded case CATCH_STATE_RUNTIME).
  if (error == "States.Runtime") {
    return false;
  }
  for (const std::string& name : error_equals) {
    if (name == error || name == "States.ALL") {
      return true;
    }
    if (name == "States.Timeout" && error == "States.HeartbeatTimeout") {
      return true;  // a missed heartbeat is a timeout too
    }
    if (name == "States.TaskFailed" && error != "States.Timeout" &&
        error.rfind("States.", 0) != 0) {
      return true;  // any task failure but a timeout
    }
  }
  return false;
}

void Executor::HandleStateError(int32_t frame_id, base::AslError error,
                                base::InternedName failed_event) {
  const asl::State& state = StateOf(frame_id);
  if (error.evaluation_location) {
    model::HistoryEvent& failed =
        Emit(frame_id, "EvaluationFailed", "evaluationFailedEventDetails");
    if (options_.record_history) {
      failed.details["error"] = error.error;
      failed.details["cause"] = error.cause;
      if (!error.evaluation_location->empty()) {
        failed.details["location"] = *error.evaluation_location;
      }
      failed.details["state"] = state.name;
    }
  }
  for (size_t idx = 0; idx < state.retriers.size(); ++idx) {
    const asl::Retrier& retrier = state.retriers[idx];
    if (!ErrorMatches(retrier.error_equals, error.error)) {
      continue;
    }
    model::Frame& current = frame(frame_id);
    if (current.retry_counts.size() < state.retriers.size()) {
      current.retry_counts.resize(state.retriers.size(), 0);
    }
    int32_t attempts = current.retry_counts[idx];
    if (attempts >= retrier.max_attempts) {
      break;  // the first matching retrier is exhausted: no other retrier applies
    }
    double delay = static_cast<double>(retrier.interval_seconds) *
                   std::pow(retrier.backoff_rate, static_cast<double>(attempts));
    if (retrier.max_delay_seconds) {
      delay = std::min(delay, static_cast<double>(*retrier.max_delay_seconds));
    }
    if (retrier.jitter == asl::JitterStrategy::kFull) {
      delay = rng_.NextDouble() * delay;
    }
    ReleaseChildren(frame_id);  // a retried Parallel/Map runs all its children again
    current.retry_counts[idx] = attempts + 1;
    current.retry_count += 1;
    current.phase = model::FramePhase::kRetryBackoff;
    current.stamp = NewStamp(frame_id);
    current.timeout_stamp = 0;
    outcome_.timers.push_back({ScaledWaitEnd(base::AddSeconds(now_, delay)), current.stamp});
    return;
  }
  if (!failed_event.empty()) {
    Emit(frame_id, failed_event, "");
  }
  for (const asl::Catcher& catcher : state.catchers) {
    if (!ErrorMatches(catcher.error_equals, error.error)) {
      continue;
    }
    json::Json error_output = json::Json::object();
    error_output["Error"] = error.error;
    error_output["Cause"] = error.cause;
    const json::Json& input = frame(frame_id).input;
    // Only the Catcher's Assign runs (JSONPath: `$` is the error output), with the entry
    // values of the variables; it assigns in the state's own scope.
    StatesView view;
    view.input = &input;
    view.error_output = &error_output;
    Expected assigned =
        EvalAssign(frame_id, state, catcher.assign, &error_output, view, catcher.field_prefix);
    if (!assigned) {
      FailScope(frame_id, std::move(assigned.error()));
      return;
    }
    Expected output;
    if (state.jsonata) {
      output = catcher.output.present ? EvalJsonata(frame_id, state, *catcher.output.compiled,
                                                    "Output", view, catcher.field_prefix)
                                      : Expected(error_output);
    } else {
      output = ApplyResultPath(frame_id, state, catcher.result_path, input, error_output);
    }
    if (!output) {
      FailScope(frame_id, std::move(output.error()));
      return;
    }
    ReleaseChildren(frame_id);
    frame(frame_id).effective_input = nullptr;
    frame(frame_id).phase = model::FramePhase::kEnter;
    ExitState(frame_id, state, std::move(*output), catcher.next, /*from_catch=*/true,
              std::move(*assigned));
    return;
  }
  FailScope(frame_id, std::move(error));
}

}  // namespace flowstate::engine

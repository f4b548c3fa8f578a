#include "engine/executor.h"

#include <utility>

#include "json/compact_text.h"
#include "json/discard.h"
#include "json/json.h"

namespace flowstate::engine {

// arn:aws:states:REGION:ACCOUNT:stateMachine:NAME -> REGION (TaskScheduled.region). Found when
// an event needs it, not per Advance: most steps never do.
std::string_view Executor::Region() const {
  std::string_view arn = snapshot_.info.state_machine_arn;
  size_t start = 0;
  for (int colons = 0; colons < 3; ++colons) {
    start = arn.find(':', colons == 0 ? 0 : start + 1);
    if (start == std::string::npos) {
      return "us-east-1";
    }
  }
  size_t end = arn.find(':', start + 1);
  if (end == std::string::npos || end == start + 1) {
    return "us-east-1";
  }
  return arn.substr(start + 1, end - start - 1);
}

Executor::Executor(const asl::StateMachineModel& model, model::ExecutionSnapshot& snapshot,
                   base::Timestamp now, base::Rng& rng, const AdvanceOptions& options,
                   Outcome& outcome)
    : model_(model),
      snapshot_(snapshot),
      now_(now),
      rng_(rng),
      options_(options),
      outcome_(outcome),
      budget_(options.step_budget) {}

void Executor::Apply(model::Input&& input) {
  if (input.kind == model::InputKind::kRedrive) {
    if (snapshot_.status == model::ExecutionStatus::kRunning ||
        snapshot_.status == model::ExecutionStatus::kSucceeded) {
      return;  // only an unsuccessful execution can be redriven (the API checked; a repeat)
    }
  } else if (input.kind != model::InputKind::kStart &&
             snapshot_.status != model::ExecutionStatus::kRunning) {
    return;  // a late answer for an execution that already ended: dropped, no event
  }
  switch (input.kind) {
    case model::InputKind::kStart:
      Start(std::move(input));
      break;
    case model::InputKind::kTimerFired:
      OnTimer(input.stamp);
      break;
    case model::InputKind::kTaskSucceeded:
      OnTaskSucceeded(std::move(input));
      break;
    case model::InputKind::kTaskFailed:
      OnTaskFailed(input);
      break;
    case model::InputKind::kStop:
      Stop(input);
      break;
    case model::InputKind::kTaskSubmitted:
      OnTaskSubmitted(input);
      break;
    case model::InputKind::kActivityStarted:
      OnActivityStarted(input);
      break;
    case model::InputKind::kHeartbeat:
      OnHeartbeat(input);
      break;
    case model::InputKind::kTaskScheduleFailed:
      OnTaskScheduleFailed(input);
      break;
    case model::InputKind::kRedrive:
      Redrive();
      break;
  }
  RunQueue();
  if (history_full_ && !Ended()) {
    FailForHistoryQuota();
  }
}

// The history quota (AWS-REFERENCE.md, limits): the event at the quota is ExecutionFailed unless it
// is ExecutionSucceeded. What the step that crossed it asked for is dropped with its events.
void Executor::FailForHistoryQuota() {
  failing_for_quota_ = true;
  outcome_.tasks.clear();
  outcome_.timers.clear();
  model::HistoryEvent& failed =
      EmitWithPrev(snapshot_.next_event_id - 1, "ExecutionFailed", "executionFailedEventDetails");
  model::Terminal terminal;
  terminal.status = model::ExecutionStatus::kFailed;
  terminal.error = "States.Runtime";
  terminal.cause = "The execution reached the maximum number of history events (" +
                   std::to_string(options_.max_history_events) + ").";
  terminal.has_error = true;
  terminal.has_cause = true;
  if (options_.record_history) {
    failed.details["error"] = terminal.error;
    failed.details["cause"] = terminal.cause;
  }
  FinishExecution(std::move(terminal));
}

void Executor::Start(model::Input&& input) {
  snapshot_.info = std::move(input.info);
  snapshot_.execution_input = input.payload;
  snapshot_.status = model::ExecutionStatus::kRunning;
  snapshot_.next_event_id = 1;
  snapshot_.frames.clear();
  snapshot_.free_frames.clear();
  snapshot_.variable_bytes = 0;
  model::HistoryEvent& started =
      EmitWithPrev(0, "ExecutionStarted", "executionStartedEventDetails");
  if (options_.record_history) {
    started.details["input"] = CompactText(input.payload);
    started.details["inputDetails"] = NotTruncated();
    started.details["roleArn"] = snapshot_.info.role_arn;
    if (!snapshot_.info.state_machine_alias_arn.empty()) {
      started.details["stateMachineAliasArn"] = snapshot_.info.state_machine_alias_arn;
    }
    if (!snapshot_.info.state_machine_version_arn.empty()) {
      started.details["stateMachineVersionArn"] = snapshot_.info.state_machine_version_arn;
    }
  }
  int32_t root = NewFrame(-1, asl::kRootScope, 0, std::move(input.payload), 0);
  if (model_.timeout_seconds()) {
    snapshot_.execution_timeout_stamp = NewStamp(0);
    outcome_.timers.push_back(
        {base::AddSeconds(now_, static_cast<double>(*model_.timeout_seconds())),
         snapshot_.execution_timeout_stamp});
  }
  runnable_.push_back(root);
}

void Executor::Continue() {
  for (size_t idx = 0; idx < snapshot_.frames.size(); ++idx) {
    if (snapshot_.frames[idx].phase == model::FramePhase::kEnter) {
      runnable_.push_back(static_cast<int32_t>(idx));
    }
  }
  // Map runs whose start of further iterations the budget interrupted.
  for (size_t idx = 0; idx < snapshot_.frames.size() && !Ended(); ++idx) {
    if (snapshot_.frames[idx].phase == model::FramePhase::kWaitChildren) {
      PumpChildren(static_cast<int32_t>(idx));
    }
  }
}

int32_t Executor::FindFrameByStamp(uint64_t stamp, StampMatch* match) const {
  size_t frame_id = stamp & ((uint64_t{1} << kStampFrameBits) - 1);
  if (frame_id >= snapshot_.frames.size()) {
    return -1;
  }
  const model::Frame& candidate = snapshot_.frames[frame_id];
  if (candidate.phase == model::FramePhase::kFree) {
    return -1;
  }
  if (candidate.stamp == stamp) {
    *match = StampMatch::kTask;
  } else if (candidate.timeout_stamp == stamp) {
    *match = StampMatch::kTimeout;
  } else if (candidate.heartbeat_stamp == stamp) {
    *match = StampMatch::kHeartbeat;
  } else {
    return -1;
  }
  return static_cast<int32_t>(frame_id);
}

void Executor::OnTimer(uint64_t stamp) {
  if (stamp == 0) {
    Continue();
    return;
  }
  if (stamp == snapshot_.execution_timeout_stamp) {
    TimeOut();
    return;
  }
  StampMatch match = StampMatch::kNone;
  int32_t frame_id = FindFrameByStamp(stamp, &match);
  if (frame_id < 0) {
    return;
  }
  model::Frame& target = frame(frame_id);
  if (match == StampMatch::kTimeout) {
    if (target.phase == model::FramePhase::kWaitTask) {
      TaskFailure(frame_id, {"States.Timeout", ""}, /*timed_out=*/true);
    }
    return;
  }
  if (match == StampMatch::kHeartbeat) {
    OnHeartbeatTimer(frame_id);
    return;
  }
  switch (target.phase) {
    case model::FramePhase::kWaitTimer:
      target.stamp = 0;
      FinishWait(frame_id);
      break;
    case model::FramePhase::kRetryBackoff:
      target.stamp = 0;
      target.phase = model::FramePhase::kEnter;  // entered_event_id kept: no new Entered event
      runnable_.push_back(frame_id);
      break;
    default:
      break;
  }
}

void Executor::OnTaskSucceeded(model::Input&& input) {
  int32_t frame_id = WaitingTaskFrame(input);
  if (frame_id < 0) {
    return;
  }
  TaskResult(frame_id, std::move(input.payload));
}

void Executor::OnTaskFailed(const model::Input& input) {
  int32_t frame_id = WaitingTaskFrame(input);
  if (frame_id < 0) {
    return;
  }
  // The runtime reports a call that outlived TimeoutSeconds as States.Timeout.
  bool timed_out = input.error == "States.Timeout";
  TaskFailure(frame_id, {input.error, input.cause}, timed_out);
}

void Executor::Stop(const model::Input& input) {
  if (!snapshot_.frames.empty()) {
    AbortFrame(0);
  }
  model::HistoryEvent& aborted =
      EmitWithPrev(snapshot_.next_event_id - 1, "ExecutionAborted", "executionAbortedEventDetails");
  model::Terminal terminal;
  terminal.status = model::ExecutionStatus::kAborted;
  if (!input.error.empty()) {
    aborted.details["error"] = input.error;
    terminal.error = input.error;
    terminal.has_error = true;
  }
  if (!input.cause.empty()) {
    aborted.details["cause"] = input.cause;
    terminal.cause = input.cause;
    terminal.has_cause = true;
  }
  if (aborted.details.empty()) {
    aborted.details_key = {};
    aborted.details.Clear();
  }
  FinishExecution(std::move(terminal));
}

void Executor::TimeOut() {
  model::HistoryEvent& timed_out = EmitWithPrev(snapshot_.next_event_id - 1, "ExecutionTimedOut",
                                                "executionTimedOutEventDetails");
  timed_out.details_key = {};
  timed_out.details.Clear();
  model::Terminal terminal;
  terminal.status = model::ExecutionStatus::kTimedOut;
  FinishExecution(std::move(terminal));
}

void Executor::FinishExecution(model::Terminal terminal) {
  if (history_full_ && !failing_for_quota_) {
    FailForHistoryQuota();  // however the step meant to end, its end is past the quota
    return;
  }
  snapshot_.status = terminal.status;
  outcome_.terminal = std::move(terminal);
  runnable_.clear();
  runnable_next_ = 0;
  // Frames are kept (a store may persist the final snapshot) but nothing can resume them.
}

void Executor::RunQueue() {
  while (runnable_next_ < runnable_.size() && !Ended() && !history_full_) {
    int32_t frame_id = runnable_[runnable_next_++];
    RunFrame(frame_id);
    if (outcome_.more_work) {
      break;
    }
  }
}

void Executor::RunFrame(int32_t frame_id) {
  while (!Ended() && !history_full_ && frame(frame_id).phase == model::FramePhase::kEnter) {
    if (budget_ <= 0) {
      outcome_.more_work = true;
      return;
    }
    Step(frame_id);
  }
}

const asl::State& Executor::StateOf(int32_t frame_id) {
  const model::Frame& current = frame(frame_id);
  return model_.state(current.scope, current.state);
}

void Executor::Step(int32_t frame_id) {
  const asl::State& state = StateOf(frame_id);
  if (frame(frame_id).entered_event_id == 0) {
    --budget_;
    model::Frame& current = frame(frame_id);
    current.entered_time = now_;
    current.retry_counts.assign(state.retriers.size(), 0);
    current.retry_count = 0;
    EmitStateEntered(frame_id, state);
  }
  switch (state.type) {
    case asl::StateType::kPass:
      RunPass(frame_id, state);
      break;
    case asl::StateType::kTask:
      RunTask(frame_id, state);
      break;
    case asl::StateType::kChoice:
      RunChoice(frame_id, state);
      break;
    case asl::StateType::kWait:
      RunWait(frame_id, state);
      break;
    case asl::StateType::kSucceed:
      RunSucceed(frame_id, state);
      break;
    case asl::StateType::kFail:
      RunFail(frame_id, state);
      break;
    case asl::StateType::kParallel:
      RunParallel(frame_id, state);
      break;
    case asl::StateType::kMap:
      RunMap(frame_id, state);
      break;
  }
}

int32_t Executor::NewFrame(int32_t parent, int32_t scope, int32_t child_index, json::Json&& input,
                           int64_t last_event_id) {
  int32_t frame_id;
  if (!snapshot_.free_frames.empty()) {
    frame_id = snapshot_.free_frames.back();
    snapshot_.free_frames.pop_back();  // FreeFrame left it a default Frame (phase aside)
  } else {
    frame_id = static_cast<int32_t>(snapshot_.frames.size());
    snapshot_.frames.emplace_back();
  }
  model::Frame& created = frame(frame_id);
  created.parent = parent;
  created.scope = scope;
  created.state = model_.scope(scope).start_at;
  created.child_index = child_index;
  created.phase = model::FramePhase::kEnter;
  created.input = std::move(input);
  created.last_event_id = last_event_id;
  return frame_id;
}

void Executor::FreeFrame(int32_t frame_id) {
  ReleaseChildren(frame_id);
  ReleaseVariables(frame_id);
  model::Frame& freed = frame(frame_id);
  json::Discard(freed.input);
  json::Discard(freed.effective_input);
  freed = model::Frame();
  freed.phase = model::FramePhase::kFree;
  snapshot_.free_frames.push_back(frame_id);
}

std::optional<size_t> Executor::TakeInputBudget(int32_t frame_id, const asl::State& state,
                                                bool assigns) {
  if (!state.catchers.empty() || !state.retriers.empty() || assigns || state.output_path.present) {
    return std::nullopt;
  }
  if (options_.max_payload_bytes == 0) return SIZE_MAX;
  // Every state input is within the limit, so an output no larger cannot fail it.
  const size_t known = frame(frame_id).input_bytes;
  if (known == 0 || known >= options_.max_payload_bytes) return 0;
  return options_.max_payload_bytes - known;
}

void Executor::Transition(int32_t frame_id, json::Json&& output, asl::StateIndex next,
                          std::string output_text, size_t output_bytes) {
  if (next == asl::kNoState) {
    EndScope(frame_id, std::move(output), std::move(output_text));
    return;
  }
  model::Frame& current = frame(frame_id);
  current.state = next;
  json::Replace(current.input, std::move(output));
  current.input_text = std::move(output_text);
  current.input_bytes = output_bytes;
  current.phase = model::FramePhase::kEnter;
  current.entered_event_id = 0;
  current.stamp = 0;
  current.timeout_stamp = 0;
  json::Discard(current.effective_input);
  runnable_.push_back(frame_id);
}

void Executor::EndScope(int32_t frame_id, json::Json&& output, std::string output_text) {
  model::Frame& current = frame(frame_id);
  if (current.parent < 0) {
    model::HistoryEvent& succeeded =
        Emit(frame_id, "ExecutionSucceeded", "executionSucceededEventDetails");
    if (options_.record_history) {
      if (output_text.empty()) json::AppendQuotedCompactText(output, output_text);
      succeeded.details["output"] = model::RawJson{output_text};
      succeeded.details["outputDetails"] = NotTruncated();
    }
    model::Terminal terminal;
    terminal.status = model::ExecutionStatus::kSucceeded;
    terminal.output = std::move(output);
    FinishExecution(std::move(terminal));
    return;
  }
  current.phase = model::FramePhase::kDone;
  json::Replace(current.input, std::move(output));
  current.input_bytes = 0;
  ChildFinished(frame_id);
}

void Executor::FailScope(int32_t frame_id, base::AslError error) {
  model::Frame& current = frame(frame_id);
  if (current.parent < 0) {
    model::HistoryEvent& failed = Emit(frame_id, "ExecutionFailed", "executionFailedEventDetails");
    model::Terminal terminal;
    terminal.status = model::ExecutionStatus::kFailed;
    if (!error.error.empty()) {
      failed.details["error"] = error.error;
      terminal.has_error = true;
    }
    if (!error.cause.empty()) {
      failed.details["cause"] = error.cause;
      terminal.has_cause = true;
    }
    terminal.error = std::move(error.error);
    terminal.cause = std::move(error.cause);
    FinishExecution(std::move(terminal));
    return;
  }
  if (current.state >= 0 && StateOf(frame_id).type == asl::StateType::kTask &&
      StateOf(current.parent).type == asl::StateType::kParallel) {
    // AWS ends a failed Task of a Parallel branch as aborted, like the branches it stops
    // (recorded in the PARALLEL_CATCH_ERROR_* cases).
    Emit(frame_id, "TaskStateAborted", "");
  }
  model::Frame& failed = frame(frame_id);
  failed.phase = model::FramePhase::kFailed;
  failed.error = std::move(error.error);
  failed.cause = std::move(error.cause);
  ChildFinished(frame_id);
}

Outcome Advance(const asl::StateMachineModel& model, model::ExecutionSnapshot& snapshot,
                model::Input&& input, base::Timestamp now, base::Rng& rng,
                const AdvanceOptions& options) {
  Outcome outcome;
  if (options.record_history) outcome.events.reserve(64);
  Executor executor(model, snapshot, now, rng, options, outcome);
  executor.Apply(std::move(input));
  return outcome;
}

}  // namespace flowstate::engine

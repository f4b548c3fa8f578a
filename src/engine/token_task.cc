// Tasks answered through a task token (AWS-REFERENCE.md §3.4, §7): activities and
// `.waitForTaskToken` integrations. The token is made when the task is scheduled and closed when
// the frame stops waiting; what answers it arrives as inputs carrying the task's stamp:
// kActivityStarted (a worker claimed it), kTaskSubmitted (the integration call returned),
// kHeartbeat, kTaskSucceeded/kTaskFailed (SendTaskSuccess/Failure) and kTaskScheduleFailed.
// Heartbeats are lazy (ARCHITECTURE.md §4): a heartbeat only moves the frame's deadline; the
// pending heartbeat timer, when it fires early, re-arms at the moved deadline.
#include <cinttypes>
#include <cstdio>

#include "engine/executor.h"
#include "json/compact_text.h"
#include "json/json.h"

namespace flowstate::engine {

std::string Executor::NewTaskToken() {
  if (options_.new_task_token) {
    return options_.new_task_token();
  }
  char text[40];
  std::snprintf(text, sizeof(text), "%016" PRIx64 "%016" PRIx64, rng_.Next(), rng_.Next());
  return text;
}

int32_t Executor::WaitingTaskFrame(const model::Input& input) {
  StampMatch match = StampMatch::kNone;
  const int32_t frame_id = FindFrameByStamp(input.stamp, &match);
  if (frame_id < 0 || match != StampMatch::kTask ||
      frame(frame_id).phase != model::FramePhase::kWaitTask) {
    return -1;
  }
  return frame_id;
}

void Executor::OnTaskSubmitted(const model::Input& input) {
  const int32_t frame_id = WaitingTaskFrame(input);
  if (frame_id < 0 || frame(frame_id).task_started) {
    return;
  }
  frame(frame_id).task_started = true;
  const asl::TaskSpec& task = StateOf(frame_id).task;
  model::HistoryEvent& submitted = Emit(frame_id, "TaskSubmitted", "taskSubmittedEventDetails");
  if (options_.record_history) {
    submitted.details["resourceType"] = task.resource_type;
    submitted.details["resource"] = task.resource_api;
    submitted.details["output"] = json::CompactText(input.payload);
    submitted.details["outputDetails"] = NotTruncated();
  }
}

void Executor::OnActivityStarted(const model::Input& input) {
  const int32_t frame_id = WaitingTaskFrame(input);
  if (frame_id < 0 || frame(frame_id).task_started ||
      StateOf(frame_id).task.kind != asl::TaskKind::kActivity) {
    return;
  }
  frame(frame_id).task_started = true;
  model::HistoryEvent& started = Emit(frame_id, "ActivityStarted", "activityStartedEventDetails");
  if (options_.record_history && !input.worker_name.empty()) {
    started.details["workerName"] = input.worker_name;
  }
  if (frame(frame_id).heartbeat_seconds > 0) {
    ArmHeartbeat(frame_id);
  }
}

void Executor::OnHeartbeat(const model::Input& input) {
  const int32_t frame_id = WaitingTaskFrame(input);
  if (frame_id < 0) {
    return;
  }
  model::Frame& current = frame(frame_id);
  if (current.heartbeat_stamp != 0) {
    current.heartbeat_deadline =
        base::AddSeconds(now_, static_cast<double>(current.heartbeat_seconds));
  }
}

void Executor::OnHeartbeatTimer(int32_t frame_id) {
  model::Frame& current = frame(frame_id);
  if (current.phase != model::FramePhase::kWaitTask) {
    return;
  }
  if (now_ < current.heartbeat_deadline) {
    // A heartbeat moved the deadline since this timer was set.
    current.heartbeat_stamp = NewStamp(frame_id);
    outcome_.timers.push_back({current.heartbeat_deadline, current.heartbeat_stamp});
    return;
  }
  TaskFailure(frame_id, {"States.HeartbeatTimeout", ""}, /*timed_out=*/true);
}

void Executor::OnTaskScheduleFailed(const model::Input& input) {
  const int32_t frame_id = WaitingTaskFrame(input);
  if (frame_id < 0) {
    return;
  }
  CloseTaskToken(frame_id, /*timed_out=*/false);
  model::Frame& current = frame(frame_id);
  current.stamp = 0;
  current.timeout_stamp = 0;
  current.phase = model::FramePhase::kEnter;
  const bool activity = StateOf(frame_id).task.kind == asl::TaskKind::kActivity;
  model::HistoryEvent& failed =
      activity ? Emit(frame_id, "ActivityScheduleFailed", "activityScheduleFailedEventDetails")
               : Emit(frame_id, "TaskStartFailed", "taskStartFailedEventDetails");
  if (!activity) {
    failed.details["resourceType"] = StateOf(frame_id).task.resource_type;
    failed.details["resource"] = StateOf(frame_id).task.resource_api;
  }
  if (!input.error.empty()) failed.details["error"] = input.error;
  if (!input.cause.empty()) failed.details["cause"] = input.cause;
  HandleStateError(frame_id, {input.error, input.cause});
}

void Executor::ArmHeartbeat(int32_t frame_id) {
  model::Frame& current = frame(frame_id);
  current.heartbeat_deadline =
      base::AddSeconds(now_, static_cast<double>(current.heartbeat_seconds));
  current.heartbeat_stamp = NewStamp(frame_id);
  outcome_.timers.push_back({current.heartbeat_deadline, current.heartbeat_stamp});
}

void Executor::CloseTaskToken(int32_t frame_id, bool timed_out) {
  model::Frame& current = frame(frame_id);
  if (current.task_token.empty()) {
    return;
  }
  outcome_.closed_tokens.push_back({std::move(current.task_token), timed_out});
  current.task_token.clear();
  current.task_started = false;
  current.heartbeat_seconds = 0;
  current.heartbeat_stamp = 0;
}

}  // namespace flowstate::engine

// RedriveExecution (AWS-REFERENCE.md §8.3): an execution that ended FAILED, TIMED_OUT or ABORTED
// continues from its terminal snapshot. The states that were entered and never exited are
// entered again with the input they had; a Parallel or Map whose children failed (or were
// aborted) reruns only those children, keeping the results of the ones that succeeded, and
// starts the Map iterations that never started. States that succeeded are not run again.
//
// What makes this possible is that a failed or aborted child frame is kept ("parked", phase
// kFailed) until its Parallel/Map knows its own outcome: released when the state succeeds, is
// retried or is caught, kept when the failure ends the execution.
#include <algorithm>
#include <utility>

#include "engine/executor.h"
#include "json/json.h"

namespace flowstate::engine {
namespace {

// Map frame bookkeeping (parallel_map.cc): [effective input, items, ..., map run ARN].
constexpr size_t kMapRunArn = 4;

}  // namespace

void Executor::ParkChild(int32_t child_id) {
  model::Frame& child = frame(child_id);
  child.phase = model::FramePhase::kFailed;
  child.stamp = 0;
  child.timeout_stamp = 0;
  child.heartbeat_stamp = 0;
  frame(child.parent).parked_children += 1;
}

void Executor::ReleaseChildren(int32_t frame_id) {
  model::Frame& parent = frame(frame_id);
  parent.results.clear();
  if (parent.parked_children == 0) {
    return;
  }
  parent.parked_children = 0;
  for (size_t idx = 0; idx < snapshot_.frames.size(); ++idx) {
    const model::Frame& candidate = snapshot_.frames[idx];
    if (candidate.phase != model::FramePhase::kFree && candidate.parent == frame_id) {
      FreeFrame(static_cast<int32_t>(idx));
    }
  }
}

void Executor::Redrive() {
  snapshot_.status = model::ExecutionStatus::kRunning;
  snapshot_.info.redrive_count += 1;
  snapshot_.info.redrive_time = now_;
  outcome_.redriven = true;
  model::HistoryEvent& redriven = EmitWithPrev(snapshot_.next_event_id - 1, "ExecutionRedriven",
                                               "executionRedrivenEventDetails");
  if (options_.record_history) {
    redriven.details["redriveCount"] = snapshot_.info.redrive_count;
  }
  const int64_t chain = snapshot_.next_event_id - 1;
  // The execution's TimeoutSeconds counts again from the redrive (the timer of the first
  // attempt is gone with its end).
  if (model_.timeout_seconds()) {
    snapshot_.execution_timeout_stamp = NewStamp(0);
    outcome_.timers.push_back(
        {base::AddSeconds(now_, static_cast<double>(*model_.timeout_seconds())),
         snapshot_.execution_timeout_stamp});
  }
  if (snapshot_.frames.empty() || snapshot_.frames[0].phase == model::FramePhase::kFree) {
    // Ended before its first state (nothing to continue): it starts at StartAt.
    snapshot_.frames.clear();
    snapshot_.free_frames.clear();
    runnable_.push_back(
        NewFrame(-1, asl::kRootScope, 0, json::Json(snapshot_.execution_input), chain));
    return;
  }
  // Children by parent, in branch/iteration order, built once for the whole tree.
  std::vector<std::vector<int32_t>> children(snapshot_.frames.size());
  for (size_t idx = 0; idx < snapshot_.frames.size(); ++idx) {
    const model::Frame& candidate = snapshot_.frames[idx];
    if (candidate.phase != model::FramePhase::kFree && candidate.parent >= 0) {
      children[static_cast<size_t>(candidate.parent)].push_back(static_cast<int32_t>(idx));
    }
  }
  for (auto& list : children) {
    std::sort(list.begin(), list.end(), [this](int32_t lhs, int32_t rhs) {
      return frame(lhs).child_index < frame(rhs).child_index;
    });
  }
  std::vector<int32_t> composites;
  RedriveFrame(0, chain, children, composites);
  // Map iterations that never started (the failure stopped the Map from starting more) start
  // now, within MaxConcurrency; innermost first.
  for (auto it = composites.rbegin(); it != composites.rend() && !Ended(); ++it) {
    PumpChildren(*it);
  }
}

void Executor::RedriveFrame(int32_t frame_id, int64_t chain,
                            const std::vector<std::vector<int32_t>>& children,
                            std::vector<int32_t>& composites) {
  const std::vector<int32_t>& kept = children[static_cast<size_t>(frame_id)];
  model::Frame& current = frame(frame_id);
  current.last_event_id = chain;
  current.stamp = 0;
  current.timeout_stamp = 0;
  current.task_token.clear();
  current.task_started = false;
  current.heartbeat_seconds = 0;
  current.heartbeat_stamp = 0;
  const asl::State& state = StateOf(frame_id);
  const bool composite =
      state.type == asl::StateType::kParallel || state.type == asl::StateType::kMap;
  if (!composite || kept.empty() || current.results.empty()) {
    // Entered again (a new ...StateEntered, its retry counts from zero), with its input.
    current.phase = model::FramePhase::kEnter;
    current.entered_event_id = 0;
    current.effective_input = nullptr;
    ReleaseChildren(frame_id);
    runnable_.push_back(frame_id);
    return;
  }
  current.phase = model::FramePhase::kWaitChildren;
  current.has_child_error = false;
  current.error.clear();
  current.cause.clear();
  current.failed_children = 0;
  current.parked_children = 0;
  current.running_children = static_cast<int32_t>(kept.size());
  const bool is_map = state.type == asl::StateType::kMap;
  if (is_map && state.map.distributed) {
    model::HistoryEvent& event = Emit(frame_id, "MapRunRedriven", "mapRunRedrivenEventDetails");
    const json::Json& bookkeeping = frame(frame_id).effective_input;
    if (bookkeeping.size() > kMapRunArn && bookkeeping[kMapRunArn].is_string()) {
      event.details["mapRunArn"] = bookkeeping[kMapRunArn].get<std::string>();
    }
    event.details["redriveCount"] = snapshot_.info.redrive_count;
  }
  const bool iteration_events =
      is_map && !state.map.distributed && !model_.scope(current.scope).in_distributed_map;
  composites.push_back(frame_id);
  for (int32_t child : kept) {
    int64_t child_chain = frame(frame_id).last_event_id;
    if (iteration_events) {
      model::HistoryEvent& started =
          Emit(frame_id, "MapIterationStarted", "mapIterationStartedEventDetails");
      started.details["index"] = frame(child).child_index;
      started.details["name"] = state.name;
      child_chain = started.id;
    }
    RedriveFrame(child, child_chain, children, composites);
  }
}

}  // namespace flowstate::engine
